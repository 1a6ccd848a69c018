package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// readyServer is a Server with only what /readyz needs, on a clock the
// test moves.
func readyServer(checks ...imageapp.Check) (*Server, *time.Time) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &Server{log: slog.New(slog.DiscardHandler), drain: newDrain(), now: func() time.Time { return now }}
	s.ready = &readiness{checks: checks, log: s.log, now: s.now}
	return s, &now
}

func getReady(t *testing.T, s *Server) (int, http.Header, readyAnswer) {
	t.Helper()
	w := httptest.NewRecorder()
	s.readyz(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var a readyAnswer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("/readyz answered %q, not JSON: %v", w.Body, err)
	}
	return w.Code, w.Header(), a
}

func TestReadyzChecksEachDependencyOncePerPeriod(t *testing.T) {
	var runs atomic.Int32
	s, now := readyServer(imageapp.Check{Name: "db", Run: func(context.Context) error { runs.Add(1); return nil }})

	for range 3 {
		if code, _, a := getReady(t, s); code != http.StatusOK || !a.Ready || a.Checks["db"] != "ok" {
			t.Fatalf("/readyz = %d %+v, want 200 with db ok", code, a)
		}
		*now = now.Add(time.Second)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("three calls within %v ran the check %d times, want once", readyEvery, n)
	}
	*now = now.Add(readyEvery)
	getReady(t, s)
	if n := runs.Load(); n != 2 {
		t.Errorf("a call after the period ran the check %d times in all, want twice", n)
	}
}

func TestReadyzNamesTheFailingDependencyWithoutItsError(t *testing.T) {
	s, _ := readyServer(
		imageapp.Check{Name: "db", Run: func(context.Context) error { return nil }},
		imageapp.Check{Name: "store", Run: func(context.Context) error { return errors.New("dial tcp 10.0.0.7:6379: secret-host refused") }},
		imageapp.Check{Name: "slow", Run: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }},
	)
	start := time.Now()
	code, h, a := getReady(t, s)
	if code != http.StatusServiceUnavailable || a.Ready || h.Get("Retry-After") == "" {
		t.Fatalf("/readyz = %d (Retry-After %q) %+v, want 503 with Retry-After", code, h.Get("Retry-After"), a)
	}
	want := map[string]string{"db": "ok", "store": "unavailable", "slow": "timeout"}
	for name, reason := range want {
		if a.Checks[name] != reason {
			t.Errorf("check %s = %q, want %q", name, a.Checks[name], reason)
		}
	}
	if d := time.Since(start); d > readyTimeout+time.Second {
		t.Errorf("a hanging check held /readyz for %v; each check has %v", d, readyTimeout)
	}
}

func TestReadyzIsUnavailableWhileDraining(t *testing.T) {
	s, _ := readyServer(imageapp.Check{Name: "db", Run: func(context.Context) error { return nil }})
	s.BeginDrain()
	if code, h, a := getReady(t, s); code != http.StatusServiceUnavailable || a.Ready || !a.Draining || h.Get("Retry-After") == "" {
		t.Errorf("/readyz while draining = %d %+v, want 503 draining with Retry-After", code, a)
	}
}
