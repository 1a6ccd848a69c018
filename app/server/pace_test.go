package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/web"
)

// rawSend posts a multipart send over a bare connection, writing the body as
// write decides, and returns the server's answer.
func rawSend(t *testing.T, app *testApp, from *client, img []byte, write func(conn net.Conn, body []byte) error) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	must(t, mw.WriteField("to", "bob"))
	fw, err := mw.CreateFormFile("image", "slow.png")
	must(t, err)
	fw.Write(img)
	must(t, mw.Close())

	conn, err := net.Dial("tcp", app.server.Listener.Addr().String())
	must(t, err)
	defer conn.Close()
	var cookies []string
	for _, c := range from.cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	head := fmt.Sprintf("POST /api/messages HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		app.server.Listener.Addr(), strings.Join(cookies, "; "), mw.FormDataContentType(), body.Len())
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	go write(conn, body.Bytes()) // its error is the server closing on it; the answer tells
	// Bounded, so a server that never gives up fails the test instead of hanging it.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer from the server: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// TestSlowBodiesAreCut: a body that trickles in, a byte now and then, is
// answered 408 soon after the grace period, and the connection is freed,
// while an upload that keeps a fair rate runs well past the grace period.
func TestSlowBodiesAreCut(t *testing.T) {
	app := startApp(t, t.TempDir(), generousLimits, func(c *Config) {
		c.Pace = web.Pace{Grace: 300 * time.Millisecond, MinRate: 16 << 10, Stall: 300 * time.Millisecond}
	})
	alice := app.signUp("alice")
	bob := app.signUp("bob")
	img := testPNG(t, 300, 300)
	if len(img) < 64<<10 {
		t.Fatalf("the test image is only %d bytes", len(img))
	}

	// Cut off among the fields, and in the middle of the image's bytes.
	for _, first := range []int{200, 4096} {
		trickle := func(conn net.Conn, body []byte) error {
			if _, err := conn.Write(body[:first]); err != nil {
				return err
			}
			for _, b := range body[first:] {
				time.Sleep(50 * time.Millisecond)
				if _, err := conn.Write([]byte{b}); err != nil {
					return err
				}
			}
			return nil
		}
		resp, body := rawSend(t, app, alice, img, trickle)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(body, `"code":"timeout"`) || !resp.Close {
			t.Fatalf("a body trickled after %d bytes: got %d (close %v) %s, want 408 and the connection closed", first, resp.StatusCode, resp.Close, body)
		}
	}

	// 8 KiB every 50 ms is 160 KiB/s, ten times the minimum: it takes longer
	// than the grace period, and goes through.
	steady := func(conn net.Conn, body []byte) error {
		for len(body) > 0 {
			n := min(8<<10, len(body))
			if _, err := conn.Write(body[:n]); err != nil {
				return err
			}
			body = body[n:]
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	}
	resp, body := rawSend(t, app, alice, img, steady)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("a steady upload longer than the grace period: got %d %s", resp.StatusCode, body)
	}
	var list struct{ Messages []struct{ ID string } }
	decode(t, bob.get("/api/messages?box=inbox"), &list)
	if len(list.Messages) != 1 {
		t.Fatalf("bob has %d messages, want the steady one only", len(list.Messages))
	}
}

// pausingBlobs is a store that takes a while before it takes any bytes (a
// slow disk, S3's uploader with all its parts in flight).
type pausingBlobs struct {
	imageapp.Blobs
	pause time.Duration
}

func (p pausingBlobs) PutBlob(ctx context.Context, key string, r io.Reader) error {
	time.Sleep(p.pause)
	return p.Blobs.PutBlob(ctx, key, r)
}

// TestPacingOverHTTP2: over HTTP/2 (what the server speaks with TLS) a read
// deadline is a timer that ends the stream even between reads; the server's
// own pause must not be charged to a fast client, while a trickle is still cut.
func TestPacingOverHTTP2(t *testing.T) {
	pace := web.Pace{Grace: 300 * time.Millisecond, MinRate: 16 << 10, Stall: 300 * time.Millisecond}
	app := startAppWrapped(t, t.TempDir(), func(b *imageapp.Ports) { b.Blobs = pausingBlobs{b.Blobs, 3 * time.Second} },
		generousLimits, func(c *Config) { c.Pace = pace })
	alice := app.signUp("alice")
	app.signUp("bob")
	h2 := httptest.NewUnstartedServer(app.app.Handler())
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()

	send := func(body io.Reader, ctype string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, h2.URL+"/api/messages", body)
		req.Header.Set("Content-Type", ctype)
		for _, c := range alice.cookies() {
			req.AddCookie(c)
		}
		client := h2.Client()
		client.Timeout = 30 * time.Second // a server that never gives up fails the test instead of hanging it
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("send over HTTP/2: %v", err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, string(raw)
	}
	var whole bytes.Buffer
	mw := multipart.NewWriter(&whole)
	must(t, mw.WriteField("to", "bob"))
	fw, _ := mw.CreateFormFile("image", "a.png")
	fw.Write(testPNG(t, 1000, 1000)) // ~3 MB: more than HTTP/2's flow-control window buffers
	must(t, mw.Close())

	resp, body := send(bytes.NewReader(whole.Bytes()), mw.FormDataContentType())
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusCreated {
		t.Fatalf("a fast upload while the store pauses 3 s: %s %d %s, want HTTP/2 201", resp.Proto, resp.StatusCode, body)
	}

	pr, pw := io.Pipe()
	go func() {
		raw := whole.Bytes()
		pw.Write(raw[:4096])
		for _, b := range raw[4096:] {
			time.Sleep(50 * time.Millisecond)
			if _, err := pw.Write([]byte{b}); err != nil {
				return
			}
		}
		pw.Close()
	}()
	defer pw.CloseWithError(io.ErrClosedPipe)
	resp, body = send(pr, mw.FormDataContentType())
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("a trickle over HTTP/2: %d %s, want 408", resp.StatusCode, body)
	}
}

// jpegWithLargeEXIF is a valid JPEG whose header runs past imagecheck's
// 512-byte peek (30 KB of EXIF), so DecodeConfig is the step reading it.
func jpegWithLargeEXIF(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	must(t, jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 64)), nil))
	payload := append([]byte("Exif\x00\x00"), bytes.Repeat([]byte{0}, 30000)...)
	app1 := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	j := buf.Bytes()
	return append(append(append([]byte{}, j[:2]...), app1...), j[2:]...)
}

// TestUploadFailuresAreNamed: an upload that stalls or is cut off is
// answered as such (408, 400 "cut off"), whichever step was reading it —
// not as a damaged image (422) or a server error (500).
func TestUploadFailuresAreNamed(t *testing.T) {
	app := startApp(t, t.TempDir(), generousLimits, func(c *Config) {
		c.Pace = web.Pace{Grace: 300 * time.Millisecond, MinRate: 16 << 10, Stall: 300 * time.Millisecond}
	})
	alice := app.signUp("alice")
	app.signUp("bob")
	jpg := jpegWithLargeEXIF(t)
	if r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "x.jpg", jpg)); r.status != http.StatusCreated {
		t.Fatalf("the JPEG itself is refused: %d %s", r.status, r.body)
	}
	inEXIF := func(body []byte) int { return bytes.Index(body, []byte{0xFF, 0xD8, 0xFF, 0xE1}) + 2000 }

	stall := func(conn net.Conn, body []byte) error {
		_, err := conn.Write(body[:inEXIF(body)])
		return err // and then nothing
	}
	if resp, body := rawSend(t, app, alice, jpg, stall); resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("a stall while the image's header is read: %d %s, want 408", resp.StatusCode, body)
	}

	for name, at := range map[string]func([]byte) int{
		"in the image's header": inEXIF,
		"in the image's data":   func(body []byte) int { return len(body) - 300 },
	} {
		cut := func(conn net.Conn, body []byte) error {
			if _, err := conn.Write(body[:at(body)]); err != nil {
				return err
			}
			return conn.(*net.TCPConn).CloseWrite() // the rest never comes
		}
		if resp, body := rawSend(t, app, alice, jpg, cut); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "cut off") {
			t.Errorf("an upload cut off %s: %d %s, want 400 saying it was cut off", name, resp.StatusCode, body)
		}
	}
	if logs := app.logText(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("a failed upload was logged as a server error:\n%s", logs)
	}
}

// readSizeListener records the largest buffer the server reads into.
type readSizeListener struct {
	net.Listener
	largest *atomic.Int64
}

func (l readSizeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return readSizeConn{c, l.largest}, err
}

type readSizeConn struct {
	net.Conn
	largest *atomic.Int64
}

func (c readSizeConn) Read(p []byte) (int, error) {
	for n := int64(len(p)); ; {
		if cur := c.largest.Load(); n <= cur || c.largest.CompareAndSwap(cur, n) {
			break
		}
	}
	return c.Conn.Read(p)
}

// An upload comes off the connection in 64 KiB reads, not through
// r.MultipartReader's 4 KiB buffer: a read syscall and a pass through every
// reader of the chain per 4 KiB is what the bench's send rows showed costly.
func TestUploadsAreReadInLargeChunks(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	app.signUp("bob")
	var largest atomic.Int64
	srv := httptest.NewUnstartedServer(app.server.Config.Handler)
	srv.Listener = readSizeListener{srv.Listener, &largest}
	srv.Start()
	defer srv.Close()

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	must(t, mw.WriteField("to", "bob"))
	fw, err := mw.CreateFormFile("image", "big.png")
	must(t, err)
	fw.Write(testPNG(t, 400, 400))
	must(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/messages", &body)
	must(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := alice.do(req); r.status != http.StatusCreated {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	if got := largest.Load(); got < 64<<10 {
		t.Errorf("largest read of the upload: %d bytes, want 64 KiB", got)
	}
}
