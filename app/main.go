// Command imageapp is the ImageApp server: a private image messenger whose
// images are encrypted at rest with a key of the recipient's own.
//
//	go run ./app                 # embedded backend, data in ./data, on :3000
//	go run ./app healthcheck     # exit 0 if the local server answers /healthz
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/provision"
	"imageapp/app/web"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if len(os.Args) > 1 && os.Args[1] == "bench" {
		os.Exit(benchMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(os.Getenv("IMAGEAPP_ADDR"), os.Getenv("IMAGEAPP_TLS_CERT")))
	}
	cfg, err := configFromEnv(os.Getenv)
	if err == nil {
		err = parseFlags(&cfg, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("imageapp stopped", "err", err)
		os.Exit(1)
	}
}

func parseFlags(cfg *Config, args []string) error {
	fs := flag.NewFlagSet("imageapp", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (IMAGEAPP_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (IMAGEAPP_DATA_DIR)")
	fs.StringVar(&cfg.Backend, "backend", cfg.Backend, "local or aws (IMAGEAPP_BACKEND)")
	fs.Int64Var(&cfg.MaxUploadBytes, "max-upload-bytes", cfg.MaxUploadBytes, "largest image accepted (IMAGEAPP_MAX_UPLOAD_BYTES)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return cfg.validate()
}

// run serves until ctx ends, then lets in-flight requests (sends) finish.
func run(ctx context.Context, cfg Config, log *slog.Logger) error {
	b, err := openBackend(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer b.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	go sweepOrphans(ctx, newService(cfg, b, log), log)
	return serve(ctx, ln, cfg, b, log)
}

// serve answers on ln until ctx ends; then it stops accepting and waits up
// to a minute for requests in flight, so a send under way completes.
func serve(ctx context.Context, ln net.Listener, cfg Config, b *backend, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           newHandler(cfg, b, log),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		log.Info("imageapp listening", "addr", ln.Addr().String(), "backend", cfg.Backend, "data_dir", cfg.DataDir, "tls", cfg.TLSCert != "")
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func openBackend(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	if cfg.Backend == "aws" {
		return openAWS(ctx, cfg, log)
	}
	return openLocal(ctx, cfg, log)
}

// newService wires the messaging service over a backend.
func newService(cfg Config, b *backend, log *slog.Logger) *messaging.Service {
	return &messaging.Service{
		Users: b.Users, Messages: b.Messages, Keys: b.Keys, Blobs: b.Blobs, Notifier: b.Notifier,
		Notifying: &b.notifying, Provision: provisioner(b), App: cfg.AppName, MaxPixels: cfg.MaxPixels, Log: log, Now: cfg.Now,
	}
}

func provisioner(b *backend) func(context.Context, imageapp.User) (imageapp.User, error) {
	return func(ctx context.Context, u imageapp.User) (imageapp.User, error) {
		return provision.User(ctx, b.provisionDeps(), u)
	}
}

// newHandler wires the web layer over the service and the backend.
func newHandler(cfg Config, b *backend, log *slog.Logger) http.Handler {
	return web.New(web.Options{
		Service: newService(cfg, b, log), Identity: b.Identity, Users: b.Users, Sessions: b.Sessions, Provision: provisioner(b),
		SessionHashKey: b.SessionHashKey, SessionBlockKey: b.SessionBlockKey,
		Secure:         cfg.secure(),
		MaxUploadBytes: cfg.MaxUploadBytes, ReactDir: cfg.ReactDir, Limits: cfg.Limits, Pace: cfg.Pace, Log: log, Now: cfg.Now,
	}).Handler()
}

// sweepOrphans removes, every interval, blobs a crashed send left without
// metadata.
func sweepOrphans(ctx context.Context, svc *messaging.Service, log *slog.Logger) {
	const interval, grace = 15 * time.Minute, time.Hour
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := svc.SweepOrphans(ctx, grace); err != nil {
				log.Error("orphan sweep failed", "err", err)
			} else if n > 0 {
				log.Info("orphan sweep", "removed", n)
			}
		}
	}
}

// healthcheck is for container HEALTHCHECKs on images without curl. Over
// TLS it dials loopback, where no name matches, so it checks that the
// server presents the very certificate in certFile instead.
func healthcheck(addr, certFile string) int {
	if addr == "" {
		addr = ":3000"
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	client := &http.Client{Timeout: 3 * time.Second}
	url := "http://" + addr + "/healthz"
	if certFile != "" {
		tlsConfig, err := pinnedTLS(certFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			return 1
		}
		client.Transport = &http.Transport{TLSClientConfig: tlsConfig}
		url = "https://" + addr + "/healthz"
	}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "unhealthy:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "unhealthy: status", resp.StatusCode)
		return 1
	}
	return 0
}

// pinnedTLS accepts exactly the leaf certificate of certFile.
func pinnedTLS(certFile string) (*tls.Config, error) {
	raw, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s holds no PEM certificate", certFile)
	}
	return &tls.Config{
		InsecureSkipVerify: true, // replaced by the pin below: names cannot match on loopback
		VerifyPeerCertificate: func(served [][]byte, _ [][]*x509.Certificate) error {
			if len(served) == 0 || !bytes.Equal(served[0], block.Bytes) {
				return errors.New("the server's certificate is not the configured one")
			}
			return nil
		},
	}, nil
}
