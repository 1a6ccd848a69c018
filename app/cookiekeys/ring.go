package cookiekeys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// How a rotation reaches every instance without logging anyone out.
//
// Instances re-read the ring every RefreshEvery. A rotation puts the new
// pair in front of the ring, but the new pair only starts to sign once it is
// ActivateAfter old (its Created time, written by the rotation); until then
// the pair that signed before keeps signing, and the new one only verifies.
// So by the time any instance signs a cookie with the new pair, every
// instance has re-read the ring (several times over) and verifies it, and a
// cookie signed anywhere is accepted everywhere. Old pairs keep verifying
// until someone retires them, so cookies issued before the rotation stay
// good too. The operator's part is just: rotate; nothing else is needed.
// Later, when no cookie signed by the old pair should still be honoured
// (sessions last 12 hours, device cookies 30 days), retire it.
//
// An instance that cannot read the store for longer than ActivateAfter keeps
// its old ring: it still signs with a pair everyone verifies, but it refuses
// cookies signed by the new pair. It cannot serve those people anyway: the
// session check reads the same DynamoDB table.
const (
	RefreshEvery  = time.Minute
	ActivateAfter = 5 * time.Minute
)

// Pair is one key pair of a ring.
type Pair struct {
	Keys
	// Created is when the pair was made; a pair signs only once it is
	// ActivateAfter old. The zero time is "long ago".
	Created time.Time
}

// Ring is the key pairs in use, newest first. Treat a Ring as immutable: a
// change is a new Ring with a higher Version.
type Ring struct {
	Version int64
	Pairs   []Pair
}

// Single is a ring of one pair that signs at once (the local backend's).
func Single(k Keys) Ring { return Ring{Version: 1, Pairs: []Pair{{Keys: k}}} }

// NewPair is a fresh pair created at now.
func NewPair(now time.Time) Pair { return Pair{Keys: New(), Created: now.UTC()} }

// Validate checks that the ring has pairs and their sizes.
func (r Ring) Validate() error {
	if len(r.Pairs) == 0 {
		return errors.New("cookiekeys: the ring holds no key pair")
	}
	for i, p := range r.Pairs {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("pair %d: %w", i, err)
		}
	}
	return nil
}

// Signer is the index of the pair that signs at now: the newest pair at
// least ActivateAfter old, or, when none is, the oldest pair (a ring's
// first pair signs at once: no instance has used another yet).
func (r Ring) Signer(now time.Time) int {
	for i, p := range r.Pairs {
		if !now.Before(p.Created.Add(ActivateAfter)) {
			return i
		}
	}
	return len(r.Pairs) - 1
}

// KeyPairs are the keys in the order gorilla/securecookie's CodecsFromPairs
// takes them (hash, block, hash, block, ...): the pair that signs at now
// first (securecookie encodes with the first codec), then every other pair,
// newest first; all of them verify.
func (r Ring) KeyPairs(now time.Time) [][]byte {
	signer := r.Signer(now)
	out := make([][]byte, 0, 2*len(r.Pairs))
	out = append(out, r.Pairs[signer].Hash, r.Pairs[signer].Block)
	for i, p := range r.Pairs {
		if i != signer {
			out = append(out, p.Hash, p.Block)
		}
	}
	return out
}

// Rotated is the ring with p in front, one version on.
func (r Ring) Rotated(p Pair) Ring {
	return Ring{Version: r.Version + 1, Pairs: append([]Pair{p}, r.Pairs...)}
}

// Retired is the ring without all but its newest keep pairs, one version on
// (or r itself when nothing goes). It never drops the pair that signs at
// now, nor one newer than it: a pair still waiting to sign is not yet
// verified everywhere, so signing must not move to it early.
func (r Ring) Retired(keep int, now time.Time) (Ring, error) {
	if keep < 1 {
		return r, fmt.Errorf("cookiekeys: keep at least one key pair, not %d", keep)
	}
	keep = max(keep, r.Signer(now)+1)
	if keep >= len(r.Pairs) {
		return r, nil
	}
	return Ring{Version: r.Version + 1, Pairs: append([]Pair(nil), r.Pairs[:keep]...)}, nil
}

// Live is the ring an instance uses now: read by every request, replaced
// whole by Refresh. Safe for concurrent use.
type Live struct{ p atomic.Pointer[Ring] }

// NewLive starts with r.
func NewLive(r Ring) *Live {
	l := &Live{}
	l.p.Store(&r)
	return l
}

// Ring is the ring in use. The same pointer comes back until the ring
// changes, so callers may cache what they build from it.
func (l *Live) Ring() *Ring { return l.p.Load() }

// Set replaces the ring in use.
func (l *Live) Set(r Ring) { l.p.Store(&r) }

// Refresh re-reads the ring from s every interval until ctx ends, and
// switches to it when its version changed. A failed read keeps the ring in
// use (see the top of this file for why that is safe) and is logged.
func (l *Live) Refresh(ctx context.Context, s Store, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r, err := s.Load(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Warn("cookie keys: re-reading the ring failed; keeping the one in use", "err", err)
		case r.Version != l.Ring().Version:
			l.Set(r)
			log.Info("cookie keys: switched to a new ring", "version", r.Version, "pairs", len(r.Pairs))
		}
	}
}
