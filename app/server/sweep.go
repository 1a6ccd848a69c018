package server

import (
	"context"
	"time"

	"imageapp/app/lease"
)

// The orphan sweep runs every sweepInterval on every instance, but under one
// lease for the cluster (Valkey's when IMAGEAPP_VALKEY_URL is set, else this
// process's), so one instance sweeps at a time; sweepTTL bounds a sweep (it
// stops a margin before the lease lapses and goes on at the next tick).
const (
	sweepInterval = 15 * time.Minute
	sweepLease    = "sweep-orphans"
	sweepTTL      = 10 * time.Minute

	// Expired messages are refused the second they expire; the shred that
	// destroys their key and blob follows within expiryInterval.
	expiryInterval = time.Minute
	expiryLease    = "sweep-expired"
	expiryTTL      = 50 * time.Second
)

// sweepExpired shreds the messages whose time ran out, every minute, under
// one lease for the cluster (messaging.SweepExpired).
func (a *App) sweepExpired(ctx context.Context) {
	leases := a.leases()
	t := time.NewTicker(expiryInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.expireOnce(ctx, leases)
		}
	}
}

// expireOnce shreds expired messages unless another instance holds the lease.
func (a *App) expireOnce(ctx context.Context, leases lease.Locker) bool {
	ran, err := lease.Run(ctx, leases, expiryLease, expiryTTL, func(ctx context.Context) error {
		n, err := a.messaging.SweepExpired(ctx)
		if n > 0 {
			a.log.Info("expiry sweep", "shredded", n)
		}
		return err
	})
	if err != nil {
		a.log.Error("expiry sweep failed", "err", err)
	}
	return ran
}

// sweepOrphans removes, every interval, the blobs that crashed sends and
// failed deletes left behind (messaging.SweepOrphans: the cost grows with
// the orphans, not with the messages kept).
func (a *App) sweepOrphans(ctx context.Context) {
	leases := a.leases()
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.sweepOnce(ctx, leases)
		}
	}
}

// leases is the cluster's shared lease store, or one for this process.
func (a *App) leases() lease.Locker {
	if a.backend.leases != nil {
		return a.backend.leases
	}
	return lease.NewLocal(nil)
}

// sweepOnce sweeps unless another instance holds the lease, and reports
// whether it swept.
func (a *App) sweepOnce(ctx context.Context, leases lease.Locker) bool {
	ran, err := lease.Run(ctx, leases, sweepLease, sweepTTL, func(ctx context.Context) error {
		n, err := a.messaging.SweepOrphans(ctx, a.messaging.SweepGrace())
		if n > 0 {
			a.log.Info("orphan sweep", "removed", n)
		}
		return err
	})
	if err != nil {
		a.log.Error("orphan sweep failed", "err", err)
	}
	return ran
}
