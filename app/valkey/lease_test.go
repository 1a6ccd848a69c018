package valkey_test

import (
	"context"
	"testing"
	"time"

	"imageapp/app/lease"
	"imageapp/app/lease/leasetest"
	"imageapp/app/valkey/valkeytest"
)

// TestLeaseRacersNeverOverlap: three instances (three clients of one
// server), each with two sweepers, racing for the sweep lease never run at
// once, and they all get turns.
func TestLeaseRacersNeverOverlap(t *testing.T) {
	srv := valkeytest.Start(t)
	var lockers []lease.Locker
	for range 3 {
		c := open(t, srv.URL).Leases()
		lockers = append(lockers, c, c)
	}
	leasetest.Race(t, lockers, 100)
}

// TestLeaseLapsesAndReleasesOnlyItsOwn: a lease lapses on the server's clock
// after its TTL, and a holder that lost it cannot end the next holder's.
func TestLeaseLapsesAndReleasesOnlyItsOwn(t *testing.T) {
	srv := valkeytest.Start(t)
	leasetest.Lapse(t, open(t, srv.URL).Leases(), open(t, srv.URL).Leases())
}

// TestLeaseFailsWhenTheStoreIsGone: with the store down no one sweeps: an
// error, never a lease.
func TestLeaseFailsWhenTheStoreIsGone(t *testing.T) {
	srv := valkeytest.Start(t)
	l := open(t, srv.URL).Leases()
	srv.Stop()
	ran, err := lease.Run(context.Background(), l, "sweep", time.Minute, func(context.Context) error {
		t.Error("the work ran without a lease")
		return nil
	})
	if ran || err == nil {
		t.Fatalf("with the store down: ran %v, err %v; want an error and no run", ran, err)
	}
}
