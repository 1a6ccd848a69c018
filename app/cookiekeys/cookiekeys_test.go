package cookiekeys_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/securecookie"

	"imageapp/app/cookiekeys"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func codecs(r cookiekeys.Ring, now time.Time) []securecookie.Codec {
	return securecookie.CodecsFromPairs(r.KeyPairs(now)...)
}

func encode(t *testing.T, r cookiekeys.Ring, now time.Time) string {
	t.Helper()
	v, err := securecookie.EncodeMulti("s", "hello", codecs(r, now)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func decodes(r cookiekeys.Ring, now time.Time, v string) bool {
	var got string
	return securecookie.DecodeMulti("s", v, &got, codecs(r, now)...) == nil && got == "hello"
}

// only is the ring of pair i alone: what verifies with that pair and no other.
func only(r cookiekeys.Ring, i int) cookiekeys.Ring {
	return cookiekeys.Ring{Version: 99, Pairs: []cookiekeys.Pair{r.Pairs[i]}}
}

// TestRotationSignsLaterAndVerifiesAtOnce: after a rotation, cookies signed
// before still decode; the new pair verifies at once but signs only once it
// is ActivateAfter old, so instances that have not re-read the ring yet
// never see a cookie they cannot verify.
func TestRotationSignsLaterAndVerifiesAtOnce(t *testing.T) {
	first := cookiekeys.Ring{Version: 1, Pairs: []cookiekeys.Pair{cookiekeys.NewPair(t0)}}
	if first.Signer(t0) != 0 {
		t.Fatal("a new ring's only pair must sign at once")
	}
	old := encode(t, first, t0)

	rotated := first.Rotated(cookiekeys.NewPair(t0.Add(time.Hour)))
	if rotated.Version != 2 || len(rotated.Pairs) != 2 || !bytes.Equal(rotated.Pairs[1].Hash, first.Pairs[0].Hash) {
		t.Fatalf("rotated ring: version %d, %d pairs; want version 2, the new pair in front of the old", rotated.Version, len(rotated.Pairs))
	}
	now := t0.Add(time.Hour + cookiekeys.ActivateAfter - time.Second)
	if !decodes(rotated, now, old) {
		t.Error("a cookie signed before the rotation no longer decodes")
	}
	early := encode(t, rotated, now)
	if !decodes(first, now, early) {
		t.Error("right after a rotation the new pair signs already: an instance still on the old ring refuses the cookie")
	}
	if !decodes(rotated, now, encode(t, only(rotated, 0), now)) {
		t.Error("the new pair does not verify at once")
	}

	later := now.Add(time.Second)
	fresh := encode(t, rotated, later)
	if !decodes(only(rotated, 0), later, fresh) || decodes(only(rotated, 1), later, fresh) {
		t.Error("once ActivateAfter has passed, the new pair must sign")
	}
	if !decodes(rotated, later, old) {
		t.Error("the old pair stopped verifying before it was retired")
	}
}

func TestRetiredKeepsTheNewestAndNeverTheSigner(t *testing.T) {
	r := cookiekeys.Ring{Version: 1, Pairs: []cookiekeys.Pair{cookiekeys.NewPair(t0)}}
	r = r.Rotated(cookiekeys.NewPair(t0.Add(time.Hour)))
	r = r.Rotated(cookiekeys.NewPair(t0.Add(2 * time.Hour)))
	settled := t0.Add(3 * time.Hour)

	got, err := r.Retired(1, settled)
	if err != nil || got.Version != r.Version+1 || len(got.Pairs) != 1 || !bytes.Equal(got.Pairs[0].Hash, r.Pairs[0].Hash) {
		t.Fatalf("retire -keep 1: %d pairs, version %d, %v; want the newest pair alone, one version on", len(got.Pairs), got.Version, err)
	}
	old := encode(t, only(r, 2), settled)
	if decodes(got, settled, old) {
		t.Error("a retired pair still verifies")
	}
	if same, _ := r.Retired(5, settled); same.Version != r.Version || len(same.Pairs) != 3 {
		t.Error("retiring nothing changed the ring")
	}
	// Just after a rotation the second pair signs: it must stay.
	fresh := r.Rotated(cookiekeys.NewPair(settled))
	got, err = fresh.Retired(1, settled.Add(time.Second))
	if err != nil || len(got.Pairs) != 2 || got.Signer(settled.Add(time.Second)) != 1 {
		t.Errorf("retire -keep 1 right after a rotation kept %d pairs (%v); want the new pair and the one that still signs", len(got.Pairs), err)
	}
	if _, err := r.Retired(0, settled); err == nil {
		t.Error("retire -keep 0 was accepted: nothing would sign")
	}
}

func TestPairBytesRoundTrip(t *testing.T) {
	k := cookiekeys.New()
	b := cookiekeys.PairBytes(k)
	back, err := cookiekeys.PairFromBytes(b)
	if err != nil || !bytes.Equal(back.Hash, k.Hash) || !bytes.Equal(back.Block, k.Block) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := cookiekeys.PairFromBytes(b[:95]); err == nil {
		t.Error("a short pair was accepted")
	}
	if err := (cookiekeys.Ring{}).Validate(); err == nil {
		t.Error("an empty ring is valid")
	}
}

// fakeStore hands out a ring whose version can be bumped.
type fakeStore struct {
	cookiekeys.Store
	ring  atomic.Pointer[cookiekeys.Ring]
	loads atomic.Int32
}

func (f *fakeStore) Load(context.Context) (cookiekeys.Ring, error) {
	f.loads.Add(1)
	return *f.ring.Load(), nil
}

// TestLiveRefreshIsRaceFree: readers use the ring while Refresh swaps it
// (run with -race).
func TestLiveRefreshIsRaceFree(t *testing.T) {
	first := cookiekeys.Single(cookiekeys.New())
	store := &fakeStore{}
	store.ring.Store(&first)
	live := cookiekeys.NewLive(first)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { live.Refresh(ctx, store, time.Millisecond, slog.New(slog.DiscardHandler)) })
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if r := live.Ring(); len(r.KeyPairs(time.Now())) == 0 {
					t.Error("no keys")
				}
			}
		})
	}
	next := first.Rotated(cookiekeys.NewPair(time.Now()))
	store.ring.Store(&next)
	deadline := time.Now().Add(5 * time.Second)
	for live.Ring().Version != next.Version && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	wg.Wait()
	if live.Ring().Version != next.Version {
		t.Fatalf("the live ring is version %d after the store moved to %d", live.Ring().Version, next.Version)
	}
	p := live.Ring()
	if live.Ring() != p {
		t.Error("an unchanged ring must come back as the same pointer (callers cache by it)")
	}
}
