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
	"net/url"
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
