package live

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
	"imageapp/app/web"
)

// newStreams is the stream handlers over a core with no services: the
// tests below end before a stream reads anything.
func newStreams() *Handlers {
	core := web.New(web.Options{
		CookieKeys: cookiekeys.NewLive(cookiekeys.Single(cookiekeys.New())),
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	return New(core, nil, nil)
}

var bob = imageapp.User{ID: "u-bob", Username: "bob"}

func streamRequest(path string) *http.Request {
	return web.AsUser(httptest.NewRequest(http.MethodGet, path, nil), bob, "s-1", time.Now())
}

// TestStreamsEndAtShutdown: once EndStreams was called, a new stream is
// told to come back soon (to another instance) and ends at once, since
// http.Server.Shutdown waits for every request.
func TestStreamsEndAtShutdown(t *testing.T) {
	l := newStreams()
	l.EndStreams()
	w := httptest.NewRecorder()
	l.EventStream(w, streamRequest("/events"))
	if got, want := w.Body.String(), "retry: 3000\n:shutting down\n\n"; w.Code != http.StatusOK || got != want {
		t.Fatalf("status %d, body %q; want 200, %q", w.Code, got, want)
	}
	if w.Header().Get("Content-Type") != "text/event-stream" || w.Header().Get("X-Accel-Buffering") != "no" {
		t.Errorf("headers %v", w.Header())
	}
}

// TestStreamsPerPersonAreBounded: a person with maxStreamsPerUser streams
// open on this instance gets a 429 for one more, in the JSON shape under
// /api/.
func TestStreamsPerPersonAreBounded(t *testing.T) {
	l := newStreams()
	for range maxStreamsPerUser {
		if !l.live.open(bob.ID) {
			t.Fatal("refused a stream under the limit")
		}
	}
	w := httptest.NewRecorder()
	l.EventStream(w, streamRequest("/api/events"))
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), `"code":"rate_limited"`) {
		t.Fatalf("status %d, body %s; want 429 rate_limited", w.Code, w.Body.String())
	}
	l.live.close(bob.ID)
	if !l.live.open(bob.ID) {
		t.Error("a closed stream did not free its place")
	}
}
