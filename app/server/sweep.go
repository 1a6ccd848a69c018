package server

import (
	"context"
	"errors"
	"time"

	"imageapp/app/lease"
)

// Background work runs every interval on every instance, but under one
// lease for the cluster (Valkey's when IMAGEAPP_VALKEY_URL is set, else this
// process's), so one instance runs it at a time; ttl bounds a run (it stops
// a margin before the lease lapses and goes on at the next tick).
type job struct {
	name  string        // what the log calls it
	lease string        // the lease's name
	every time.Duration // how often
	ttl   time.Duration // how long one run may take
	done  string        // what the log calls the things a run handled
	run   func(ctx context.Context) (int, error)
}

// orphanSweep removes the blobs that crashed sends and failed deletes left
// behind (messaging.SweepOrphans: the cost grows with the orphans, not with
// the messages kept), and in the embedded backend the temp files of puts
// killed mid-upload, older than the same grace. It counts only files that
// were there to remove.
func (a *App) orphanSweep() job {
	return job{name: "orphan sweep", lease: "sweep-orphans", every: 15 * time.Minute, ttl: 10 * time.Minute, done: "removed",
		run: func(ctx context.Context) (int, error) {
			grace := a.messaging.SweepGrace()
			n, err := a.messaging.SweepOrphans(ctx, grace)
			if a.backend.uploads == nil {
				return n, err
			}
			files, bytes, uerr := a.backend.uploads.RemoveStaleUploads(ctx, a.now().Add(-grace))
			if files > 0 {
				a.log.Info("removed unfinished uploads", "files", files, "bytes", bytes)
			}
			return n + files, errors.Join(err, uerr)
		}}
}

// expirySweep shreds the messages whose time ran out (messaging.SweepExpired):
// they are refused the second they expire, and destroyed within a minute.
func (a *App) expirySweep() job {
	return job{name: "expiry sweep", lease: "sweep-expired", every: time.Minute, ttl: 50 * time.Second, done: "shredded",
		run: a.messaging.SweepExpired}
}

// previewSweep makes the previews a crash, a shutdown or a full queue left
// undone (messaging.SweepPreviews: its cost grows with those, not with the
// messages kept).
func (a *App) previewSweep() job {
	return job{name: "preview sweep", lease: "sweep-previews", every: time.Minute, ttl: 50 * time.Second, done: "made",
		run: a.messaging.SweepPreviews}
}

// digestSweep mails the notification digests that are due
// (messaging.SweepMailDigests: its cost grows with those, not with the
// users); a digest whose mail fails stays due for the next run.
func (a *App) digestSweep() job {
	return job{name: "mail digest sweep", lease: "sweep-mail-digests", every: time.Minute, ttl: 50 * time.Second, done: "mailed",
		run: a.messaging.SweepMailDigests}
}

// every runs j on its interval until ctx ends.
func (a *App) every(ctx context.Context, j job) {
	leases := a.leases()
	t := time.NewTicker(j.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.runOnce(ctx, leases, j)
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

// runOnce runs j unless another instance holds its lease, and reports
// whether it ran.
func (a *App) runOnce(ctx context.Context, leases lease.Locker, j job) bool {
	ran, err := lease.Run(ctx, leases, j.lease, j.ttl, func(ctx context.Context) error {
		n, err := j.run(ctx)
		if n > 0 {
			a.log.Info(j.name, j.done, n)
		}
		return err
	})
	if err != nil {
		a.log.Error(j.name+" failed", "err", err)
	}
	return ran
}

// now is the configured clock.
func (a *App) now() time.Time {
	if a.cfg.Now != nil {
		return a.cfg.Now()
	}
	return time.Now()
}
