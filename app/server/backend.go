package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"imageapp/app/cookiekeys"
	"imageapp/app/events"
	"imageapp/app/imageapp"
	"imageapp/app/lease"
	"imageapp/app/local"
	"imageapp/app/provision"
	"imageapp/app/ratelimit"
	"imageapp/app/valkey"
)

// backend is one set of adapters behind the ports, plus the cookie keys.
type backend struct {
	imageapp.Ports
	cookieKeys  *cookiekeys.Live
	limits      ratelimit.Store      // nil: in this process
	leases      lease.Locker         // nil: in this process
	events      imageapp.Events      // live events: the shared store's, or this process's hub
	uploads     staleUploads         // nil: the blob store leaves nothing behind when a put crashes (S3)
	ready       []imageapp.Check     // what GET /readyz asks
	mailDigests imageapp.MailDigests // notification mail coalesced per recipient
	closers     []func() error
	outboxDir   string // the embedded backend's mail folder, named on the verify page; "" when mail is sent

	// records keeps the decrypt records, whose heads recordKey signs.
	records   imageapp.DecryptRecord
	recordKey ed25519.PrivateKey

	// vapidKey signs Web Push requests (secrets.json); "" in AWS mode,
	// where Config.VAPIDKey holds it.
	vapidKey string

	// notifying tracks notifications still being sent after their send
	// returned; Close waits for them (each is bounded by a timeout).
	notifying sync.WaitGroup
}

// staleUploads is a blob store whose puts can leave a partial file behind
// when the process is killed mid-put (local.Blobs).
type staleUploads interface {
	RemoveStaleUploads(ctx context.Context, cutoff time.Time) (files int, bytes int64, err error)
}

// Close waits for notifications in flight, then closes the adapters.
func (b *backend) Close() error {
	b.notifying.Wait()
	var errs []error
	for _, c := range b.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// openShared connects the shared store a cluster's instances use, when
// IMAGEAPP_VALKEY_URL names one; without it, live events stay in process.
func (b *backend) openShared(ctx context.Context, cfg Config, log *slog.Logger) error {
	if cfg.ValkeyURL == "" {
		hub := events.NewHub(0, nil) // one instance: live events stay in this process
		b.events = hub
		b.closers = append(b.closers, hub.Close)
		return nil
	}
	valkey.LogTo(log)
	c, err := valkey.Open(ctx, cfg.ValkeyURL, cfg.AppName)
	if err != nil {
		return err
	}
	ev := c.Events(log)
	b.events = ev
	b.closers = append(b.closers, ev.Close) // before the client's pool
	b.closers = append(b.closers, c.Close)
	b.limits = c.Limits()
	b.leases = c.Leases()
	b.ready = append(b.ready, imageapp.Check{Name: "valkey", Run: c.Ping})
	return nil
}

func (b *backend) provisionDeps() provision.Deps {
	return provision.Deps{Keys: b.Keys, Notifier: b.Notifier, Users: b.Users}
}

// openLocal builds the embedded backend in cfg.DataDir.
func openLocal(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", cfg.DataDir, err)
	}
	secrets, err := local.LoadSecrets(cfg.DataDir, cfg.MasterKey)
	if err != nil {
		return nil, err
	}
	db, err := local.OpenDB(ctx, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	outbox := &local.Outbox{Dir: filepath.Join(cfg.DataDir, "outbox"), Log: log,
		MaxFiles: cfg.OutboxMaxFiles, MaxAge: time.Duration(cfg.OutboxMaxDays) * 24 * time.Hour}
	dir := &local.Directory{DB: db}
	blobs := &local.Blobs{Dir: filepath.Join(cfg.DataDir, "blobs")}
	b := &backend{
		Ports: imageapp.Ports{
			Users:      dir,
			Sessions:   dir,
			Messages:   &local.Messages{DB: db},
			Tombstones: &local.Messages{DB: db},
			Keys:       &local.Keyring{DB: db, MasterKey: secrets.MasterKey},
			Blobs:      blobs,
			Notifier:   &local.Notifier{Outbox: outbox, BaseURL: cfg.PublicURL()},
			SendKeys:   &local.SendKeys{DB: db},
			Passkeys:   dir,
			Ceremonies: dir,
			TwoFactor:  dir,
			Push:       dir,
		},
		vapidKey:    secrets.VAPIDKey,
		cookieKeys:  cookiekeys.NewLive(cookiekeys.Single(secrets.Keys)),
		records:     &local.DecryptRecord{DB: db},
		recordKey:   ed25519.NewKeyFromSeed(secrets.RecordKey),
		uploads:     blobs,
		closers:     []func() error{db.Close},
		mailDigests: &local.MailDigests{DB: db},
		outboxDir:   outbox.Dir,
		ready: []imageapp.Check{
			{Name: "sqlite", Run: db.Ping},
			{Name: "data_dir", Run: func(context.Context) error { return writable(cfg.DataDir) }},
		},
	}
	b.Identity = &local.Identity{
		DB: db, Outbox: outbox, Pepper: secrets.CodePepper, Log: log, Now: cfg.Now,
		Hasher: local.NewHasher(cfg.HashSlots, cfg.HashWait),
		PostConfirm: func(ctx context.Context, u imageapp.User) error {
			_, err := provision.User(ctx, b.provisionDeps(), u)
			return err
		},
	}
	return b, nil
}

// writable reports whether a file can be created, written and removed in
// dir, as sends (blobs) and mail (the outbox) do there.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".readyz-*")
	if err != nil {
		return err
	}
	_, err = f.Write([]byte("ok"))
	return errors.Join(err, f.Close(), os.Remove(f.Name()))
}
