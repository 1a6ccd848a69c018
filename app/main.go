// Command imageapp is the ImageApp server: a private image messenger whose
// images are encrypted at rest with a key of the recipient's own.
//
//	go run ./app                 # embedded backend, data in ./data, on :3000
//	go run ./app healthcheck     # exit 0 if the local server answers /healthz
//	go run ./app cookie-keys rotate        # AWS mode: a new cookie key pair (keyscmd.go)
//	go run ./app cookie-keys retire -keep 1
//	go run ./app aws create-tables         # dev stacks: the tables, from app/aws/dynamostore/schema.go (awscmd.go)
//
// Everything else (config, backends, services, routes) is package server.
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
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"imageapp/app/server"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(os.Getenv("IMAGEAPP_ADDR"), os.Getenv("IMAGEAPP_TLS_CERT")))
	}
	if len(os.Args) > 1 && os.Args[1] == "cookie-keys" {
		os.Exit(cookieKeysMain(os.Args[2:])) // keyscmd.go
	}
	if len(os.Args) > 1 && os.Args[1] == "aws" {
		os.Exit(awsMain(os.Args[2:])) // awscmd.go
	}
	cfg, err := server.ConfigFromEnv(os.Getenv)
	if err == nil {
		err = parseFlags(&cfg, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	log := slog.New(logHandler(cfg.LogFormat, os.Stderr))
	cfg.MetricsOut = os.Stdout // IMAGEAPP_METRICS=emf: one line a minute, beside the log
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("imageapp stopped", "err", err)
		os.Exit(1)
	}
}

// logHandler writes log lines to w as format says: "json", one JSON
// object per line (what the cloud's log filters read), or else text.
func logHandler(format string, w io.Writer) slog.Handler {
	if format == "json" {
		return slog.NewJSONHandler(w, nil)
	}
	return slog.NewTextHandler(w, nil)
}

func parseFlags(cfg *server.Config, args []string) error {
	fs := flag.NewFlagSet("imageapp", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (IMAGEAPP_ADDR)")
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (IMAGEAPP_DATA_DIR)")
	fs.StringVar(&cfg.Backend, "backend", cfg.Backend, "local or aws (IMAGEAPP_BACKEND)")
	fs.Int64Var(&cfg.MaxUploadBytes, "max-upload-bytes", cfg.MaxUploadBytes, "largest image accepted (IMAGEAPP_MAX_UPLOAD_BYTES)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return cfg.Validate()
}

// run serves until ctx ends, then lets in-flight requests (sends) finish.
func run(ctx context.Context, cfg server.Config, log *slog.Logger) error {
	app, err := server.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	return app.Run(ctx)
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
