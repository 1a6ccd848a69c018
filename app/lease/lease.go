// Package lease lets one holder at a time do a piece of background work, such
// as the orphan sweep, among the app's instances. A lease lapses on its own
// after its TTL, so a holder that crashes blocks the others for at most that
// long. Local keeps leases in this process (one instance); package valkey
// keeps them where every instance of a cluster asks the same server.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// Locker grants named leases.
type Locker interface {
	// Acquire takes the named lease for ttl unless another holder has it;
	// then ok is false. release gives the lease back if it is still this
	// holder's: a lease that lapsed and was taken by another stays theirs.
	Acquire(ctx context.Context, name string, ttl time.Duration) (release func(context.Context) error, ok bool, err error)
}

// Token is a fresh random holder token.
func Token() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// Margin is how long before the lease lapses Run stops the work: room for
// clocks that run at slightly different rates and for the release itself.
func Margin(ttl time.Duration) time.Duration { return min(ttl/10, 30*time.Second) }

// Run runs fn while holding the named lease, if it can take it; ran reports
// whether it did. fn's context ends Margin(ttl) before the lease would lapse,
// so fn never runs while another holder may have it. The lease is given back
// when fn returns.
func Run(ctx context.Context, l Locker, name string, ttl time.Duration, fn func(context.Context) error) (ran bool, err error) {
	start := time.Now()
	release, ok, err := l.Acquire(ctx, name, ttl)
	if err != nil || !ok {
		return false, err
	}
	// The lease was taken no earlier than start: end the work by start+ttl-margin.
	wctx, cancel := context.WithDeadline(ctx, start.Add(ttl-Margin(ttl)))
	err = fn(wctx)
	cancel()
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	if rerr := release(rctx); rerr != nil && err == nil {
		err = fmt.Errorf("lease: release %s: %w", name, rerr)
	}
	return true, err
}

// Local is a Locker for the goroutines of one process.
type Local struct {
	now func() time.Time

	mu   sync.Mutex
	held map[string]localLease
}

type localLease struct {
	token string
	until time.Time
}

// NewLocal returns an empty Local; now may be nil (time.Now).
func NewLocal(now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	return &Local{now: now, held: map[string]localLease{}}
}

// Acquire implements Locker; it never fails.
func (l *Local) Acquire(_ context.Context, name string, ttl time.Duration) (func(context.Context) error, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if h, ok := l.held[name]; ok && now.Before(h.until) {
		return nil, false, nil
	}
	token := Token()
	l.held[name] = localLease{token: token, until: now.Add(ttl)}
	release := func(context.Context) error {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.held[name].token == token {
			delete(l.held, name)
		}
		return nil
	}
	return release, true, nil
}
