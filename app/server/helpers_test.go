package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite" // the driver the app uses, for openSQLite

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// testApp is the whole embedded app on a real SQLite file in a temp dir,
// served by a real HTTP server.
type testApp struct {
	t       *testing.T
	dir     string
	cfg     Config
	server  *httptest.Server
	app     *App
	backend *backend // app's, for tests that inspect the stores
	db      *sql.DB  // the real SQLite file, opened beside the app, for inspecting and tampering
	logs    *lockedWriter
}

func startApp(t *testing.T, dir string, tweak ...func(*Config)) *testApp {
	t.Helper()
	return startAppWrapped(t, dir, nil, tweak...)
}

// startAppWrapped lets a test replace adapters (to inject faults) before the
// services are built over them.
func startAppWrapped(t *testing.T, dir string, wrap func(*imageapp.Ports), tweak ...func(*Config)) *testApp {
	t.Helper()
	cfg := testConfig(t, dir, tweak...)
	logs := &lockedWriter{w: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(logs, nil))
	var opts []Option
	if wrap != nil {
		opts = append(opts, WrapPorts(wrap))
	}
	app, err := Open(context.Background(), cfg, log, opts...)
	if err != nil {
		t.Fatalf("open the app: %v", err)
	}
	a := &testApp{t: t, dir: dir, cfg: cfg, app: app, backend: app.backend, logs: logs, db: openSQLite(t, dir)}
	if cfg.Secure() {
		a.server = httptest.NewTLSServer(app.Handler())
	} else {
		a.server = httptest.NewServer(app.Handler())
	}
	t.Cleanup(a.stop)
	return a
}

// testConfig is the default configuration on dir, tweaked.
func testConfig(t *testing.T, dir string, tweak ...func(*Config)) Config {
	t.Helper()
	cfg, err := ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = dir
	cfg.ReactDir = ""
	// Tests send quickly; those of the sending budgets set their own.
	cfg.SendPerMinute, cfg.SendBytesPerHour = 1_000_000, 1<<40
	for _, f := range tweak {
		f(&cfg)
	}
	return cfg
}

// openSQLite opens the app's database file a second time, as an operator's
// sqlite3 shell would: WAL lets it read and write beside the app.
func openSQLite(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "imageapp.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// logText is everything logged so far, once the notifications a send hands
// off have finished (they log after the response).
func (a *testApp) logText() string {
	a.backend.notifying.Wait()
	a.logs.mu.Lock() // requests may still be logging
	defer a.logs.mu.Unlock()
	return a.logs.w.(*bytes.Buffer).String()
}

func (a *testApp) stop() {
	if a.server != nil {
		a.server.Close()
		a.app.Close()
		a.server = nil
	}
}

// client is one person's browser without JavaScript: a cookie jar, and
// redirects followed.
type client struct {
	t    *testing.T
	app  *testApp
	http *http.Client
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, app: a, http: &http.Client{Jar: jar, Transport: a.server.Client().Transport}}
}

type response struct {
	status int
	body   string
	url    string
	header http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	if req.Method == http.MethodPost {
		c.app.previewsMade() // what a test reads next shows the previews of what it sent
	}
	return response{status: resp.StatusCode, body: string(body), url: resp.Request.URL.Path, header: resp.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.server.URL+path, nil)
	return c.do(req)
}

func (c *client) postForm(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) postJSON(path string, v any) response {
	c.t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, c.app.server.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

func (c *client) delete(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, c.app.server.URL+path, nil)
	return c.do(req)
}

// part is one field of a multipart form; file != "" makes it a file.
type part struct {
	name, file string
	data       []byte
}

func (c *client) postMultipart(path string, parts ...part) response {
	c.t.Helper()
	return c.do(multipartRequest(c.app.server.URL+path, parts...))
}

// postMultipartHTMX posts as htmx does: the answer is a fragment to swap in.
func (c *client) postMultipartHTMX(path string, parts ...part) response {
	c.t.Helper()
	req := multipartRequest(c.app.server.URL+path, parts...)
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}

func multipartRequest(url string, parts ...part) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		if p.file != "" {
			w, _ = mw.CreateFormFile(p.name, p.file)
		} else {
			w, _ = mw.CreateFormField(p.name)
		}
		w.Write(p.data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func field(name, value string) part          { return part{name: name, data: []byte(value)} }
func file(name, fn string, data []byte) part { return part{name: name, file: fn, data: data} }

var codePattern = regexp.MustCompile(`code is (\d{6})`)

// codeFor reads the newest code mailed to email from the outbox, as a
// person (or a script) would.
func (a *testApp) codeFor(email string) string {
	a.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(a.dir, "outbox", "*.eml"))
	sort.Strings(paths) // names start with a timestamp
	for i := len(paths) - 1; i >= 0; i-- {
		raw, err := os.ReadFile(paths[i])
		if err != nil {
			a.t.Fatal(err)
		}
		if !strings.Contains(string(raw), "To: "+email+"\r\n") {
			continue
		}
		if m := codePattern.FindStringSubmatch(string(raw)); m != nil {
			return m[1]
		}
	}
	a.t.Fatalf("no code mailed to %s in the outbox", email)
	return ""
}

// signUp walks sign-up and verification through the HTML forms and returns
// the client, which confirming the code signed in.
func (a *testApp) signUp(username string) *client {
	a.t.Helper()
	c := a.client()
	email := username + "@example.com"
	r := c.postForm("/signup", url.Values{"username": {username}, "email": {email}, "password": {"correct horse battery"}})
	if r.status != http.StatusOK || r.url != "/verify" {
		a.t.Fatalf("sign-up %s: got %d at %s, want the verify page: %s", username, r.status, r.url, r.body)
	}
	r = c.postForm("/verify", url.Values{"username": {username}, "code": {a.codeFor(email)}})
	if r.status != http.StatusOK || r.url != "/inbox" {
		a.t.Fatalf("verify %s: got %d at %s, want the inbox (signed in): %s", username, r.status, r.url, r.body)
	}
	return c
}

// testPNG makes a real PNG of w×h pixels with a pattern, so its bytes are
// not trivially compressible.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(w*31 + h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			seed = seed*1664525 + 1013904223
			img.Set(x, y, color.NRGBA{uint8(seed >> 24), uint8(x), uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lockedWriter lets concurrent handlers log into one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// sendDirect sends n tiny images from one user to another through the
// service, without HTTP: for tests that need many messages quickly.
func (a *testApp) sendDirect(from, to string, n int) []string {
	a.t.Helper()
	svc := a.app.Messaging()
	sender, err := a.backend.Users.UserByUsername(context.Background(), from)
	must(a.t, err)
	img := testPNG(a.t, 4, 4)
	var ids []string
	for range n {
		m, err := svc.Send(context.Background(), sender, messaging.SendInput{To: to, Body: bytes.NewReader(img)})
		must(a.t, err)
		ids = append(ids, m.ID)
	}
	a.previewsMade()
	return ids
}

// previewsMade waits for the previews of the images sent so far: the app
// makes them after each send has answered. (An app in other processes, as
// the cluster tests run, cannot be waited for.)
func (a *testApp) previewsMade() {
	if a.app != nil {
		a.app.Messaging().Previewing.Wait()
	}
}
