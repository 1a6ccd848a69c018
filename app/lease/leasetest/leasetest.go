// Package leasetest checks a lease.Locker's promises, for each Locker's tests.
package leasetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/lease"
)

// Race runs one racer per locker (each an instance's handle on the same
// leases), all trying at once, again and again, to run a piece of work under
// one lease, until the work has run runs times in all. It fails the test if
// two ever run at the same time, or if the runs do not come within 20 s
// (a lease that is not given back).
func Race(t *testing.T, lockers []lease.Locker, runs int) {
	t.Helper()
	var active, most, done atomic.Int32
	deadline := time.Now().Add(20 * time.Second)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, l := range lockers {
		wg.Go(func() {
			<-start
			for int(done.Load()) < runs && time.Now().Before(deadline) {
				ran, err := lease.Run(context.Background(), l, "sweep", 10*time.Second, func(ctx context.Context) error {
					n := active.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(2 * time.Millisecond) // long enough for the others to try
					active.Add(-1)
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if ran {
					done.Add(1)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if most.Load() > 1 {
		t.Errorf("%d racers held the lease at once; want one at a time", most.Load())
	}
	if int(done.Load()) < runs {
		t.Errorf("%d runs in 20 s of racing, want %d: the lease is not given back", done.Load(), runs)
	}
}

// Lapse checks that a lease taken and never given back lapses after its TTL,
// and that the first holder's late release does not free the second's.
func Lapse(t *testing.T, a, b lease.Locker) {
	t.Helper()
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	releaseA, ok, err := a.Acquire(ctx, "lapse", ttl)
	if err != nil || !ok {
		t.Fatalf("first acquire: ok %v, %v", ok, err)
	}
	if _, ok, err := b.Acquire(ctx, "lapse", ttl); err != nil || ok {
		t.Fatalf("a second holder took a held lease: ok %v, %v", ok, err)
	}
	time.Sleep(ttl + 100*time.Millisecond)
	releaseB, ok, err := b.Acquire(ctx, "lapse", 10*time.Second)
	if err != nil || !ok {
		t.Fatalf("the lease did not lapse after its TTL: ok %v, %v", ok, err)
	}
	if err := releaseA(ctx); err != nil {
		t.Fatalf("a late release: %v", err)
	}
	if _, ok, _ := a.Acquire(ctx, "lapse", ttl); ok {
		t.Fatal("the first holder's late release freed the second holder's lease")
	}
	if err := releaseB(ctx); err != nil {
		t.Fatal(err)
	}
	if release, ok, err := a.Acquire(ctx, "lapse", ttl); err != nil || !ok {
		t.Fatalf("after its holder released it, the lease is not free: ok %v, %v", ok, err)
	} else {
		release(ctx)
	}
}
