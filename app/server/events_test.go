package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"imageapp/app/valkey/valkeytest"
)

// sseEvent is one event of a stream as a browser's EventSource sees it.
type sseEvent struct {
	name, id, data string
	retry          string
}

// liveData is an event's JSON.
type liveData struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	From   string `json:"from"`
	Unread *int   `json:"unread"`
}

func (e sseEvent) json(t *testing.T) liveData {
	t.Helper()
	var d liveData
	if err := json.Unmarshal([]byte(e.data), &d); err != nil {
		t.Fatalf("event %s: data %q: %v", e.name, e.data, err)
	}
	return d
}

// sseStream is an open event stream, read in the background.
type sseStream struct {
	t      *testing.T
	resp   *http.Response
	events chan sseEvent // closed when the stream ends
}

// stream opens path (an event stream) with the client's cookies; header
// adds request headers. It fails the test unless the answer is a stream.
func (c *client) stream(path string, header http.Header) *sseStream {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.server.URL+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		c.t.Fatalf("GET %s: %d %s %.300s; want an event stream", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	s := &sseStream{t: c.t, resp: resp, events: make(chan sseEvent, 64)}
	c.t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.name != "" || e.data != "" || e.retry != "" {
					s.events <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, ":"):
				s.events <- sseEvent{name: "comment"}
			default:
				k, v, _ := strings.Cut(line, ":")
				v = strings.TrimPrefix(v, " ")
				switch k {
				case "event":
					e.name = v
				case "id":
					e.id = v
				case "data":
					e.data += v
				case "retry":
					e.retry = v
				}
			}
		}
	}()
	return s
}

// next is the next event other than retry hints and comments, within wait.
func (s *sseStream) next(wait time.Duration) (sseEvent, bool) {
	s.t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				return sseEvent{}, false
			}
			if e.name == "" || e.name == "comment" {
				continue
			}
			return e, true
		case <-timer.C:
			s.t.Fatalf("no event within %v", wait)
		}
	}
}

// expect is the next event, which must be named name.
func (s *sseStream) expect(name string, wait time.Duration) sseEvent {
	s.t.Helper()
	e, ok := s.next(wait)
	if !ok {
		s.t.Fatalf("the stream ended; want a %q event", name)
	}
	if e.name != name {
		s.t.Fatalf("got event %q %s, want %q", e.name, e.data, name)
	}
	return e
}

// connected reads what a new stream starts with: hello, and the resync
// of both boxes that a client gets when it names no last event.
func (s *sseStream) connected(resync bool) sseEvent {
	s.t.Helper()
	hello := s.expect("hello", 2*time.Second)
	if resync {
		if d := s.expect("inbox", time.Second).json(s.t); d.Kind != "resync" {
			s.t.Fatalf("inbox event %+v, want a resync", d)
		}
		if d := s.expect("sent", time.Second).json(s.t); d.Kind != "resync" {
			s.t.Fatalf("sent event %+v, want a resync", d)
		}
	}
	return hello
}

// TestLiveInbox: bob's open event stream hears of alice's image within 2 s
// (with her name and his new unread count, nothing secret); alice's hears
// that bob opened it; the stream is uncompressed, uncached, and does not
// keep an idle session alive.
func TestLiveInbox(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	alice := app.signUp("alice")
	bob := app.signUp("bob")

	// As a browser asks for it: with gzip offered (an uncompressed stream is
	// the point: compression would hold the events back).
	bobs := bob.stream("/events", http.Header{"Accept-Encoding": {"gzip"}})
	for h, want := range map[string]string{"Cache-Control": "no-store", "Content-Encoding": "", "X-Accel-Buffering": "no"} {
		if got := bobs.resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if d := bobs.connected(true).json(t); d.Unread == nil || *d.Unread != 0 {
		t.Errorf("hello %+v, want unread 0", d)
	}
	alices := alice.stream("/api/events", nil)
	alices.connected(true)

	sent := time.Now()
	id := sendAPI(t, alice, "bob", testPNG(t, 8, 8))
	e := bobs.expect("inbox", 2*time.Second)
	if d := e.json(t); d.Kind != "message" || d.ID != id || d.From != "alice" || d.Unread == nil || *d.Unread != 1 {
		t.Errorf("bob's event %s, want a message %s from alice with unread 1", e.data, id)
	}
	if e.id == "" {
		t.Error("the event has no id, so a reconnect cannot resume after it")
	}
	t.Logf("the event reached bob's stream %v after the send began", time.Since(sent).Round(time.Millisecond))
	for _, secret := range []string{"caption", "filename", "key"} {
		if strings.Contains(e.data, secret) {
			t.Errorf("the event carries %q: %s", secret, e.data)
		}
	}
	if d := alices.expect("sent", 2*time.Second).json(t); d.Kind != "message" || d.ID != id {
		t.Errorf("alice's other tabs: %+v, want the new message in her sent box", d)
	}

	if r := bob.get("/messages/" + id); r.status != http.StatusOK {
		t.Fatalf("bob opens it: %d", r.status)
	}
	if d := alices.expect("sent", 2*time.Second).json(t); d.Kind != "opened" || d.ID != id || d.Unread != nil {
		t.Errorf("alice's event %+v, want %s opened (and not her count)", d, id)
	}
	if d := bobs.expect("inbox", 2*time.Second).json(t); d.Kind != "read" || d.Unread == nil || *d.Unread != 0 {
		t.Errorf("bob's event %+v, want read with unread 0", d)
	}

	if r := alice.delete("/api/messages/" + id); r.status != http.StatusNoContent && r.status != http.StatusOK {
		t.Fatalf("alice deletes it: %d %s", r.status, r.body)
	}
	if d := bobs.expect("inbox", 2*time.Second).json(t); d.Kind != "deleted" || d.ID != id {
		t.Errorf("bob's event %+v, want %s deleted", d, id)
	}

	// A stream is not use: opening one does not move the idle clock.
	clk.Add(61 * time.Minute)
	s := bob.stream("/events", nil)
	s.connected(true)
	if sc := s.resp.Header.Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("opening an event stream refreshed the session: %v", sc)
	}
	if r := bob.get("/api/me"); len(r.header.Values("Set-Cookie")) == 0 {
		t.Error("a real request after an hour did not refresh the session (the check above proves nothing)")
	}
}

// TestEventStreamsPerPersonAreCapped: one person cannot hold more than 16
// streams on an instance (tabs, not a flood); a closed one frees its place.
func TestEventStreamsPerPersonAreCapped(t *testing.T) {
	app := startApp(t, t.TempDir())
	bob := app.signUp("bob")
	var streams []*sseStream
	for range 16 {
		s := bob.stream("/api/events", nil)
		s.connected(true)
		streams = append(streams, s)
	}
	if r := bob.get("/api/events"); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "close some tabs") {
		t.Fatalf("a 17th stream: %d %.200s, want 429", r.status, r.body)
	}
	streams[0].resp.Body.Close()
	deadline := time.Now().Add(2 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, app.server.URL+"/api/events", nil)
		resp, err := bob.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after closing a stream, a new one still gets %d", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLiveInboxNeedsALogin: without a session the stream is refused like
// any page: 401 for the API, the login page (or HX-Redirect) for pages.
func TestLiveInboxNeedsALogin(t *testing.T) {
	app := startApp(t, t.TempDir())
	c := app.client()
	if r := c.get("/api/events"); r.status != http.StatusUnauthorized {
		t.Errorf("GET /api/events without a session: %d", r.status)
	}
	if r := c.get("/events"); r.url != "/login" {
		t.Errorf("GET /events without a session landed on %s", r.url)
	}
}

// TestLiveInboxResumes: a client that reconnects with the id of the last
// event it saw gets no resync when it missed nothing, and a resync when an
// event came while it was away; a page that names when it was rendered
// (?since=) likewise.
func TestLiveInboxResumes(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	bob := app.signUp("bob")

	s := bob.stream("/events", nil)
	last := s.connected(true).id
	s.resp.Body.Close()

	s = bob.stream("/events", http.Header{"Last-Event-ID": {last}})
	s.connected(false)
	sendAPI(t, alice, "bob", testPNG(t, 8, 8))
	e := s.expect("inbox", 2*time.Second)
	s.resp.Body.Close()

	// Caught up: nothing missed, no resync; the next thing is a live event.
	s = bob.stream("/events", http.Header{"Last-Event-ID": {e.id}})
	if hello := s.connected(false); hello.id != e.id {
		t.Errorf("hello's id %s, want the last event's %s", hello.id, e.id)
	}
	s.resp.Body.Close()

	// Away while a message came: a resync of both boxes first.
	sendAPI(t, alice, "bob", testPNG(t, 8, 8))
	app.backend.notifying.Wait()
	s = bob.stream("/events", http.Header{"Last-Event-ID": {e.id}})
	if d := s.connected(true).json(t); d.Unread == nil || *d.Unread != 2 {
		t.Errorf("after the resync: hello %+v, want unread 2", d)
	}
	s.resp.Body.Close()

	// A page rendered before the message came names that time.
	since := time.Now().Add(-time.Minute).UnixMilli()
	s = bob.stream("/events?since="+itoa(since), nil)
	s.connected(true)
	s.resp.Body.Close()
	s = bob.stream("/events?since="+itoa(time.Now().UnixMilli()), nil)
	s.connected(false)
}

// TestLiveInboxAcrossInstances: a send through instance A reaches a page
// served by instance B, through the shared store; two instances on one
// data directory play a cluster's shared backend.
func TestLiveInboxAcrossInstances(t *testing.T) {
	store := valkeytest.Start(t)
	shared := func(c *Config) { c.ValkeyURL = store.URL }
	dir := t.TempDir()
	a := startApp(t, dir, shared)
	alice := a.signUp("alice")
	a.signUp("bob")
	b := startApp(t, dir, shared)
	bob := b.client()
	if r := bob.postForm("/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}}); r.url != "/inbox" {
		t.Fatalf("bob logs in on B: %d at %s", r.status, r.url)
	}
	s := bob.stream("/events", nil)
	s.connected(true)
	id := sendAPI(t, alice, "bob", testPNG(t, 8, 8))
	if d := s.expect("inbox", 2*time.Second).json(t); d.ID != id || d.From != "alice" || d.Unread == nil || *d.Unread != 1 {
		t.Errorf("bob's page on B: %+v, want alice's %s with unread 1", d, id)
	}
}

// TestLiveInboxStoreDown: with the shared store gone, an open stream ends,
// a new one says live events are unavailable (and to retry in 15 s, the
// pace of the fallback refresh), and sending still works, without waiting
// on the store.
func TestLiveInboxStoreDown(t *testing.T) {
	store := valkeytest.Start(t)
	app := startApp(t, t.TempDir(), func(c *Config) { c.ValkeyURL = store.URL })
	alice := app.signUp("alice")
	bob := app.signUp("bob")
	s := bob.stream("/events", nil)
	s.connected(true)

	store.Stop()
	for {
		e, ok := s.next(35 * time.Second)
		if !ok {
			break
		}
		t.Logf("event before the end: %+v", e)
	}
	s = bob.stream("/events", nil)
	var retry string
	for e := range s.events {
		if e.retry != "" {
			retry = e.retry
		}
		if e.name == "unavailable" {
			break
		}
		if e.name != "" && e.name != "comment" {
			t.Fatalf("got %+v, want unavailable", e)
		}
	}
	if retry != "15000" {
		t.Errorf("retry %q, want 15000", retry)
	}
	if _, ok := s.next(2 * time.Second); ok {
		t.Error("the unavailable stream went on")
	}
	start := time.Now()
	if status, _ := postImage(t, alice, "bob", testPNG(t, 8, 8)); status != http.StatusCreated {
		t.Fatalf("a send with the store down: %d; want 201", status)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("a send with the store down took %v; live events must not hold it up\n%s", d, app.logText())
	}
	app.previewsMade() // the send's live events went out after its preview
	if !strings.Contains(app.logText(), "live event not delivered") {
		t.Error("the lost live event is not logged")
	}
}

// TestEventStreamsEndOnShutdown: an open stream does not hold up a
// shutdown (Serve waits up to a minute for requests): it ends at once, and
// Serve returns.
func TestEventStreamsEndOnShutdown(t *testing.T) {
	dir := t.TempDir()
	setup := startApp(t, dir)
	setup.signUp("bob")
	setup.stop()

	app, err := Open(context.Background(), testConfig(t, dir), slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(t, err)
	defer app.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()

	jar, _ := cookiejar.New(nil)
	bob := &client{t: t, app: &testApp{t: t, server: &httptest.Server{URL: "http://" + ln.Addr().String()}}, http: &http.Client{Jar: jar}}
	if r := bob.postForm("/api/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}}); r.status != http.StatusOK {
		t.Fatalf("login: %d", r.status)
	}
	s := bob.stream("/events", nil)
	s.connected(true)

	began := time.Now()
	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an open event stream held the shutdown for 10 s")
	}
	if _, ok := s.next(2 * time.Second); ok {
		t.Error("the stream went on after shutdown")
	}
	t.Logf("shutdown with an open stream took %v", time.Since(began).Round(time.Millisecond))
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
