package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// TestGracefulShutdownFinishesSends: a send still uploading when the server
// is told to stop completes (201) before the server exits.
func TestGracefulShutdownFinishesSends(t *testing.T) {
	dir := t.TempDir()
	setup := startApp(t, dir)
	setup.signUp("alice")
	setup.signUp("bob")
	setup.stop()

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var storing *signalBlobs
	app, err := Open(context.Background(), testConfig(t, dir), log, WrapPorts(func(p *imageapp.Ports) {
		storing = &signalBlobs{Blobs: p.Blobs, started: make(chan struct{})}
		p.Blobs = storing
	}))
	must(t, err)
	defer app.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(base+"/api/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}})
	must(t, err)
	resp.Body.Close()

	// Upload slowly through a pipe; stop the server half-way.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	img := testPNG(t, 200, 200)
	go func() {
		mw.WriteField("to", "bob")
		fw, _ := mw.CreateFormFile("image", "slow.png")
		fw.Write(img[:len(img)/2])
		<-storing.started // the handler is streaming this upload into the blob store
		stop()            // when the signal arrives
		time.Sleep(300 * time.Millisecond)
		fw.Write(img[len(img)/2:])
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/messages", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err = c.Do(req)
	if err != nil {
		t.Fatalf("the in-flight send was cut off by the shutdown: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight send: %d %s", resp.StatusCode, body)
	}
	if err := <-served; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if _, err := c.Get(base + "/healthz"); err == nil {
		t.Fatalf("the server still answers after shutdown")
	}
	if !bytes.Contains(body, []byte(`"to":{"id"`)) {
		t.Fatalf("unexpected body: %s", body)
	}
}

// signalBlobs tells when a send has started streaming into the blob store.
type signalBlobs struct {
	imageapp.Blobs
	started chan struct{}
	once    sync.Once
}

func (s *signalBlobs) PutBlob(ctx context.Context, key string, r io.Reader) error {
	s.once.Do(func() { close(s.started) })
	return s.Blobs.PutBlob(ctx, key, r)
}

// TestDrainAnswersUploadsItCannotFinish: a stopping server refuses new
// sends at once with a retryable 503; an upload still coming in near the
// end of the drain gets the same 503 (not a reset), nothing of it stays
// stored, and Serve returns nil, so the process exits 0.
func TestDrainAnswersUploadsItCannotFinish(t *testing.T) {
	dir := t.TempDir()
	setup := startApp(t, dir)
	setup.signUp("alice")
	setup.signUp("bob")
	setup.stop()

	var storing *signalBlobs
	app, err := Open(context.Background(), testConfig(t, dir, func(c *Config) { c.Drain = 2 * time.Second }),
		slog.New(slog.NewTextHandler(io.Discard, nil)), WrapPorts(func(p *imageapp.Ports) {
			storing = &signalBlobs{Blobs: p.Blobs, started: make(chan struct{})}
			p.Blobs = storing
		}))
	must(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	// Another listener on the same app, still open during the drain: a
	// request that reaches the app while it drains.
	late := httptest.NewServer(app.Handler())
	defer late.Close()

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(base+"/api/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}})
	must(t, err)
	resp.Body.Close()
	lateURL, _ := url.Parse(late.URL)
	baseURL, _ := url.Parse(base)
	jar.SetCookies(lateURL, jar.Cookies(baseURL))

	// An upload that never finishes: half the image, then silence.
	pr, pw := io.Pipe()
	defer pw.Close()
	mw := multipart.NewWriter(pw)
	img := testPNG(t, 300, 300)
	go func() {
		mw.WriteField("to", "bob")
		fw, _ := mw.CreateFormFile("image", "slow.png")
		fw.Write(img[:len(img)/2])
	}()
	go func() {
		<-storing.started
		stop() // SIGTERM while the image streams into the store
	}()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/messages", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	began := time.Now()
	slow := make(chan *http.Response, 1)
	go func() {
		resp, err := c.Do(req)
		if err != nil {
			t.Errorf("the unfinished upload got %v at the end of the drain; want a 503", err)
		}
		slow <- resp
	}()

	<-ctx.Done()
	time.Sleep(100 * time.Millisecond)
	r := (&client{t: t, app: &testApp{t: t, server: late}, http: &http.Client{Jar: jar}}).postMultipart("/api/messages",
		field("to", "bob"), file("image", "new.png", testPNG(t, 8, 8)))
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, `"unavailable"`) {
		t.Errorf("a new send during the drain: %d Retry-After %q %s; want a retryable 503", r.status, r.header.Get("Retry-After"), r.body)
	}

	if resp := <-slow; resp != nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("the unfinished upload: %d Retry-After %q %s; want a retryable 503", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		t.Logf("the unfinished upload was answered %v after the signal: %d %s", time.Since(began).Round(time.Millisecond), resp.StatusCode, body)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after the drain: %v; want nil (exit 0)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return 10 s after a 2 s drain")
	}
	must(t, app.Close())
	assertStored(t, startApp(t, dir), 0)
}
