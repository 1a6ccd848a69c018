// Package server is the whole application as an importable package: it opens
// a backend from a Config, wires the services and the web layer over it, and
// serves. Package main (flags, signals) and the benchmark command use it, and
// so do the end-to-end tests beside it.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/app/accounts"
	"imageapp/app/aws/awsmetrics"
	"imageapp/app/decryptlog"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/metrics"
	"imageapp/app/provision"
	"imageapp/app/web"
	"imageapp/app/web/api"
	"imageapp/app/web/live"
	"imageapp/app/web/pages"
)

// App is one running application over one backend.
type App struct {
	cfg       Config
	log       *slog.Logger
	backend   *backend
	messaging *messaging.Service
	web       *web.Server
	live      *live.Handlers
	handler   http.Handler
	routes    func(chi.Router) // the route table, mounted in handler
	metrics   *metrics.Registry

	stopPreviews func() // ends the preview workers and waits for them
	records      *decryptlog.Recorder
	stopRecords  func() // writes the decrypt record entries still queued
}

// Option changes how Open wires the app.
type Option func(*options)

type options struct {
	wrap       func(*imageapp.Ports)
	pushClient *http.Client
}

// PushClient replaces the client Web Push posts with (webpush.NewClient,
// which reaches public addresses only): tests post to a local push service.
func PushClient(c *http.Client) Option {
	return func(o *options) { o.pushClient = c }
}

// WrapPorts lets the caller replace adapters (to inject faults or time them)
// after the backend is open and before the services are built over it.
func WrapPorts(wrap func(*imageapp.Ports)) Option {
	return func(o *options) { o.wrap = wrap }
}

// Open opens the backend cfg names and wires the app over it.
func Open(ctx context.Context, cfg Config, log *slog.Logger, opts ...Option) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if log == nil {
		log = slog.Default()
	}
	log = slog.New(web.RequestIDs(log.Handler())) // what is logged during a request names it
	reg := metrics.New("ImageApp", map[string]string{"Service": cfg.AppName})
	cfg.AWSAPIOptions = append(slices.Clip(cfg.AWSAPIOptions), awsmetrics.Middleware(reg)) // store latencies and errors
	b, err := openBackend(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := b.openShared(ctx, cfg, log); err != nil {
		b.Close()
		return nil, err
	}
	if o.wrap != nil {
		o.wrap(&b.Ports)
	}
	keys, err := newPasskeys(cfg, b.Ports)
	if err != nil {
		b.Close()
		return nil, err
	}
	push, err := newPush(cfg, b, o.pushClient)
	if err != nil {
		b.Close()
		return nil, err
	}
	a := &App{cfg: cfg, log: log, backend: b, metrics: reg}
	a.messaging = &messaging.Service{
		Stores: messaging.StoresOf(b.Ports), Notifying: &b.notifying, Provision: b.provisioner(), Events: b.events,
		App: cfg.AppName, MaxPixels: cfg.MaxPixels, Log: log, Now: cfg.Now, QuotaBytes: cfg.quota(),
		ThumbKeys: &messaging.ThumbKeyCache{}, Previewing: messaging.NewPreviewQueue(0, 0),
		MailDigests: b.mailDigests, Metrics: reg,
	}
	if push != nil {
		a.messaging.Push = pusher{push}
	}
	a.stopRecords = func() {}
	if b.records != nil {
		a.records = decryptlog.NewRecorder(b.records, b.recordKey, cfg.Now, log)
		a.messaging.Record = a.records
		a.stopRecords = a.runRecords()
	}
	reg.Gauge("PreviewQueueDepth", func() int64 { return int64(a.messaging.Previewing.Depth()) })
	a.stopPreviews = a.runPreviews()
	accounts := &accounts.Service{
		Identity: b.Identity, Users: b.Users, Sessions: b.Sessions, Provision: b.provisioner(), Log: log,
		Keys: b.Keys, Notifier: b.Notifier, Mailbox: a.messaging, Events: b.events, Now: cfg.Now,
	}
	accounts.SignIn.Passkeys = b.Passkeys // account deletion forgets them
	accounts.SignIn.TwoFactor = b.TwoFactor
	a.web = web.New(web.Options{
		Accounts: accounts, Messaging: a.messaging, LimitStore: b.limits, TrustedProxies: cfg.TrustedProxies,
		CookieKeys: b.cookieKeys, GobCookies: cfg.gobCookies(), Secure: cfg.Secure(), Readiness: b.ready, Outbox: b.outboxDir,
		MaxUploadBytes: cfg.MaxUploadBytes, ReactDir: cfg.ReactDir, Limits: cfg.limits(), Pace: cfg.Pace, Log: log, Now: cfg.Now,
		Metrics: reg,
	})
	tf := newTwoFactor(cfg, b, a.web)
	if a.records != nil {
		tf.Record = a.records
	}
	a.web.WithTwoFactor(tf)
	a.live = live.New(a.web, a.messaging, b.events)
	a.routes = routeTable(a.web, pages.New(a.web, accounts, a.messaging).WithPasskeys(keys).WithTwoFactor(tf),
		api.New(a.web, accounts, a.messaging).WithPasskeys(keys).WithPush(webPush(push)).WithTwoFactor(tf), a.live)
	a.handler = a.web.Handler(a.routes)
	return a, nil
}

func openBackend(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	if cfg.Backend == "aws" {
		return openAWS(ctx, cfg, log)
	}
	return openLocal(ctx, cfg, log)
}

// Handler is every route, wrapped in the security middleware.
func (a *App) Handler() http.Handler { return a.handler }

// Metrics are the app's metrics. The web layer counts into them too:
// Level("LiveStreams") for the open event streams, Count("LimitRefusals")
// for each request a limit refused.
func (a *App) Metrics() *metrics.Registry { return a.metrics }

// Messaging is the messaging service the handler runs on.
func (a *App) Messaging() *messaging.Service { return a.messaging }

// Ports are the adapters the services run over (after WrapPorts), for tools
// that seed or inspect the stores, such as the benchmark.
func (a *App) Ports() imageapp.Ports { return a.backend.Ports }

// Provision is post-confirmation provisioning over this backend.
func (a *App) Provision() imageapp.Provisioner { return a.backend.provisioner() }

// Close ends the preview workers (previews still queued are left to the
// sweep), waits for notifications still in flight, then closes the backend.
func (a *App) Close() error {
	a.stopPreviews()
	a.stopRecords()
	return a.backend.Close()
}

// DecryptRecords writes and reads the users' decrypt records.
func (a *App) DecryptRecords() *decryptlog.Recorder { return a.records }

// runRecords starts writing decrypt records in batches; the function it
// returns writes those still queued and stops.
func (a *App) runRecords() func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.records.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// runPreviews starts the preview workers; the function it returns stops
// them, waiting for the previews under way.
func (a *App) runPreviews() func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.messaging.RunPreviews(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// Run listens on the configured address, sweeps orphans and expired
// messages in the background and serves until ctx ends.
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return err
	}
	go a.every(ctx, a.orphanSweep())
	go a.every(ctx, a.expirySweep())
	go a.every(ctx, a.previewSweep())
	go a.every(ctx, a.digestSweep())
	if a.cfg.Metrics == "emf" && a.cfg.MetricsOut != nil {
		go a.metrics.Run(ctx, a.cfg.MetricsOut, time.Minute, a.now, func(err error) { a.log.Error("writing metrics failed", "err", err) })
	}
	return a.Serve(ctx, ln)
}

// Serve answers on ln until ctx ends; then it stops accepting and drains
// (Config.Drain, a minute by default): a send under way completes, or is
// answered with a retryable 503 if it cannot within the drain.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	// Event streams never finish on their own: end them as shutdown begins,
	// or Shutdown would wait its whole minute for them.
	srv.RegisterOnShutdown(a.live.EndStreams)
	errc := make(chan error, 1)
	go func() {
		a.log.Info("imageapp listening", "addr", ln.Addr().String(), "backend", a.cfg.Backend, "data_dir", a.cfg.DataDir, "tls", a.cfg.TLSCert != "")
		if a.cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, a.cfg.TLSCert, a.cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return a.drain(srv, errc)
}

// drain stops srv as a deploy needs it: new sends get a retryable 503 at
// once; requests in flight get the drain's time to finish; uploads still
// going near its end are cut and answered with the same 503 (the send
// stores nothing), so no client sees a reset; and a request that still
// runs at the end is closed. A drain is how a server is meant to stop:
// it returns nil (exit 0) however the requests ended.
func (a *App) drain(srv *http.Server, errc <-chan error) error {
	drain := a.cfg.drain()
	a.log.Info("shutting down; finishing requests in flight", "drain", drain)
	a.web.BeginDrain()
	// Time for a cut upload to answer: its send fails, discards its blob
	// and writes the 503.
	cut := time.AfterFunc(drain-min(drain/4, 10*time.Second), func() {
		a.log.Warn("drain nearly over; cutting uploads still in flight (they get a retryable 503)")
		a.web.CutUploads()
	})
	defer cut.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		a.log.Error("requests still running at the end of the drain; closing them", "err", err)
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (b *backend) provisioner() imageapp.Provisioner {
	return func(ctx context.Context, u imageapp.User) (imageapp.User, error) {
		return provision.User(ctx, b.provisionDeps(), u)
	}
}
