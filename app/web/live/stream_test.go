package live

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// events is the live events of bob: what the test sends on ch, with last
// as the latest the store knows of; stopped is closed when the stream
// ends its subscription.
type events struct {
	imageapp.Events // Publish: a stream only reads
	ch              chan imageapp.Event
	last            int64
	stopped         chan struct{}
	stop            sync.Once
}

func newEvents(last int64) *events {
	return &events{ch: make(chan imageapp.Event), last: last, stopped: make(chan struct{})}
}

func (e *events) Subscribe(context.Context, string) (<-chan imageapp.Event, func(), error) {
	return e.ch, func() { e.stop.Do(func() { close(e.stopped) }) }, nil
}

func (e *events) Last(context.Context, string) (int64, error) { return e.last, nil }

// publish hands ev to the stream; the test fails rather than hang when the
// stream has ended (done) or does not take it.
func (e *events) publish(t *testing.T, done <-chan struct{}, ev imageapp.Event) {
	t.Helper()
	select {
	case e.ch <- ev:
	case <-done:
		t.Fatalf("the stream ended before event %d", ev.Seq)
	case <-time.After(10 * time.Second):
		t.Fatalf("the stream did not take event %d", ev.Seq)
	}
}

// unread is the messaging service as a stream asks it: bob has n unread.
type unread int

func (n unread) UnreadCount(context.Context, imageapp.User) (int, error) { return int(n), nil }

// flushes is a ResponseWriter that hands on what was written at each
// flush, so a test reads a stream as its client would, event by event.
type flushes struct {
	header http.Header
	buf    strings.Builder
	out    chan string
}

func newFlushes() *flushes { return &flushes{header: http.Header{}, out: make(chan string)} }

func (f *flushes) Header() http.Header         { return f.header }
func (f *flushes) WriteHeader(int)             {}
func (f *flushes) Write(b []byte) (int, error) { return f.buf.Write(b) }
func (f *flushes) Flush() {
	f.out <- f.buf.String()
	f.buf.Reset()
}

// next is what the stream flushed next; the test fails rather than hang
// when it flushes nothing.
func (f *flushes) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-f.out:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the stream flushed nothing")
		return ""
	}
}

// signedIn is a core with webtest's accounts, and the cookie and ID of the
// session bob signed in with.
func signedIn(t *testing.T) (*web.Server, *webtest.Accounts, *httptest.ResponseRecorder, string) {
	t.Helper()
	a := &webtest.Accounts{}
	core := web.New(webtest.Options(a, nil))
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"username": {"bob"}, "password": {webtest.Password}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	if _, _, err := core.LogIn(w, r); err != nil || len(a.Started) != 1 {
		t.Fatalf("bob could not sign in: %v", err)
	}
	return core, a, w, a.Started[0].ID
}

// open starts bob's stream GET /events with his session cookie; cancel is
// his tab closing, and done is closed when the handler has returned.
func open(l *Handlers, login *httptest.ResponseRecorder, sid, lastEventID string) (w *flushes, cancel func(), done chan struct{}) {
	r := httptest.NewRequest(http.MethodGet, "/events", nil)
	if lastEventID != "" {
		r.Header.Set("Last-Event-ID", lastEventID)
	}
	r = web.AsUser(webtest.WithCookies(r, login), bob, sid, time.Now())
	ctx, cancel := context.WithCancel(r.Context())
	w, done = newFlushes(), make(chan struct{})
	go func() {
		defer close(done)
		l.EventStream(w, r.WithContext(ctx))
	}()
	return w, cancel, done
}

// TestStreamSaysHelloThenEachEvent: a fresh stream says hello with the
// unread count and tells both boxes to reload (it may have missed
// something), then writes each event of its box as it comes; when the tab
// closes, the stream ends its subscription.
func TestStreamSaysHelloThenEachEvent(t *testing.T) {
	core, _, login, sid := signedIn(t)
	ev := newEvents(100)
	w, cancel, done := open(New(core, unread(2), ev), login, sid, "")

	want := "retry: 3000\n" +
		"event: hello\nid: 100\ndata: {\"unread\":2}\n\n" +
		"event: inbox\nid: 100\ndata: {\"kind\":\"resync\",\"unread\":2}\n\n" +
		"event: sent\nid: 100\ndata: {\"kind\":\"resync\"}\n\n"
	if got := w.next(t); got != want {
		t.Errorf("the stream began\n%q\nwant\n%q", got, want)
	}
	ev.publish(t, done, imageapp.Event{Seq: 101, Kind: imageapp.EventMessage, Box: imageapp.Inbox, MessageID: "m-1", From: "alice", Unread: 3})
	if got, want := w.next(t), "event: inbox\nid: 101\ndata: {\"kind\":\"message\",\"id\":\"m-1\",\"from\":\"alice\",\"unread\":3}\n\n"; got != want {
		t.Errorf("a new message: %q; want %q", got, want)
	}
	if w.header.Get("Content-Type") != "text/event-stream" || w.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v; want an event stream, never stored", w.header)
	}
	cancel()
	<-done
	select {
	case <-ev.stopped:
	default:
		t.Error("the subscription outlived the stream")
	}
}

// TestStreamResumesWithoutResync: a client that reconnects having seen
// the latest event (Last-Event-ID) gets hello alone, no reload.
func TestStreamResumesWithoutResync(t *testing.T) {
	core, _, login, sid := signedIn(t)
	w, cancel, done := open(New(core, unread(0), newEvents(100)), login, sid, "100")
	defer func() { cancel(); <-done }()
	if got, want := w.next(t), "retry: 3000\nevent: hello\nid: 100\ndata: {\"unread\":0}\n\n"; got != want {
		t.Errorf("a resumed stream began %q; want %q", got, want)
	}
}

// TestStreamEndsWithItsSession: on news that sessions of bob ended, a
// stream whose own session still stands goes on; one whose session ended
// stops, so a logged-out device hears nothing more.
func TestStreamEndsWithItsSession(t *testing.T) {
	core, a, login, sid := signedIn(t)
	ev := newEvents(100)
	w, cancel, done := open(New(core, unread(0), ev), login, sid, "100")
	defer cancel()
	w.next(t) // hello

	ev.publish(t, done, imageapp.Event{Seq: 101, Kind: imageapp.EventSessionsEnded, Unread: -1}) // another device's
	ev.publish(t, done, imageapp.Event{Seq: 102, Kind: imageapp.EventDeleted, Box: imageapp.Sent, MessageID: "m-1", Unread: -1})
	if got, want := w.next(t), "event: sent\nid: 102\ndata: {\"kind\":\"deleted\",\"id\":\"m-1\"}\n\n"; got != want {
		t.Errorf("after another device's logout: %q; want the stream going on with %q", got, want)
	}

	a.Started = nil // this session ended
	ev.publish(t, done, imageapp.Event{Seq: 103, Kind: imageapp.EventSessionsEnded, Unread: -1})
	select {
	case <-done:
	case s := <-w.out:
		t.Errorf("the stream wrote %q after its session ended; want it ended", s)
	case <-time.After(10 * time.Second):
		t.Error("the stream outlived its session")
	}
}

// TestStreamWithoutEventsSaysUnavailable: when live events cannot be had,
// the stream says "unavailable" with a slower retry and ends, so the page
// falls back to refreshing.
func TestStreamWithoutEventsSaysUnavailable(t *testing.T) {
	w := httptest.NewRecorder()
	newStreams().EventStream(w, streamRequest("/events"))
	if got, want := w.Body.String(), "retry: 15000\nevent: unavailable\ndata: {}\n\n"; w.Code != http.StatusOK || got != want {
		t.Errorf("status %d, body %q; want 200, %q", w.Code, got, want)
	}
}
