package lease_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"imageapp/app/lease"
	"imageapp/app/lease/leasetest"
)

// TestLocalRacersNeverOverlap: sweepers of one process racing for the lease
// run one at a time, and all of them get turns.
func TestLocalRacersNeverOverlap(t *testing.T) {
	l := lease.NewLocal(nil)
	leasetest.Race(t, []lease.Locker{l, l, l, l}, 100)
}

func TestLocalLapses(t *testing.T) {
	l := lease.NewLocal(nil)
	leasetest.Lapse(t, l, l)
}

// TestRunStopsBeforeTheLeaseLapses: the work's context ends a margin before
// the lease does, and the lease is free again once Run returns.
func TestRunStopsBeforeTheLeaseLapses(t *testing.T) {
	l := lease.NewLocal(nil)
	const ttl = time.Second
	before := time.Now()
	ran, err := lease.Run(context.Background(), l, "work", ttl, func(ctx context.Context) error {
		// The lease was taken before the work started: its deadline must
		// leave the margin from then.
		latest := time.Now().Add(ttl - lease.Margin(ttl))
		if deadline, ok := ctx.Deadline(); !ok || deadline.After(latest) {
			t.Errorf("the work's deadline is %v (set %v); want at most %v", deadline, ok, latest)
		}
		<-ctx.Done()
		return ctx.Err()
	})
	if !ran || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, %v; want it ran and the work hit its deadline", ran, err)
	}
	if time.Since(before) >= ttl {
		t.Errorf("the work ran %v, past the lease's TTL of %v", time.Since(before), ttl)
	}
	if _, ok, _ := l.Acquire(context.Background(), "work", ttl); !ok {
		t.Error("the lease is still held after Run returned")
	}
}
