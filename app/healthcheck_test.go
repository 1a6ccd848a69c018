package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"imageapp/app/server"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// selfSigned writes a fresh self-signed certificate and key for "imageapp.test".
func selfSigned(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "imageapp.test"},
		DNSNames: []string{"imageapp.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile
}

// TestHealthcheckOverTLS: the container probe works against a server with
// TLS on, and only if the server presents the configured certificate.
func TestHealthcheckOverTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir, "server")
	other, _ := selfSigned(t, dir, "other")
	cfg, err := server.ConfigFromEnv(func(string) string { return "" })
	must(t, err)
	cfg.DataDir, cfg.ReactDir, cfg.TLSCert, cfg.TLSKey = filepath.Join(dir, "data"), "", cert, key
	app, err := server.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(t, err)
	defer app.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	defer func() { stop(); <-served }()

	addr := ln.Addr().String()
	if code := healthcheck(addr, cert); code != 0 {
		t.Errorf("healthcheck with the server's certificate: exit %d, want 0", code)
	}
	if code := healthcheck(addr, other); code != 1 {
		t.Errorf("healthcheck pinned to another certificate: exit %d, want 1", code)
	}
	if code := healthcheck(addr, ""); code != 1 {
		t.Errorf("plain-HTTP healthcheck of a TLS server: exit %d, want 1", code)
	}
}
