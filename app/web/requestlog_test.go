package web

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// logLines is a log written as JSON, one object per line.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// records parses every line, failing the test on one that is not a JSON object.
func (l *logLines) records(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(l.buf.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not one JSON object: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

func (l *logLines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// loggedServer serves one route, /conversations/{username}, whose handler
// logs a line of its own the way handlers do, through the request log.
func loggedServer() (http.Handler, *logLines) {
	logs := &logLines{}
	s := &Server{log: slog.New(RequestIDs(slog.NewJSONHandler(logs, nil)))}
	r := chi.NewRouter()
	r.Use(recordRoute, middleware.GetHead) // as Handler's router: GetHead needs the router's own routing context
	r.Get("/conversations/{username}", func(w http.ResponseWriter, r *http.Request) {
		s.log.InfoContext(r.Context(), "handler at work")
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("hello"))
	})
	return s.logRequests(r), logs
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func find(recs []map[string]any, msg string) map[string]any {
	for _, r := range recs {
		if r["msg"] == msg {
			return r
		}
	}
	return nil
}

func TestAccessLineNamesTheRouteButNotThePathQueryOrCookies(t *testing.T) {
	h, logs := loggedServer()
	req := httptest.NewRequest(http.MethodGet, "/conversations/alice?q=secretquery", nil)
	req.Header.Set("Cookie", "imageapp_session=cookievalue")
	req.RemoteAddr = "198.51.100.23:4711"
	w := serve(h, req)

	recs := logs.records(t)
	access := find(recs, "request")
	if access == nil {
		t.Fatalf("no access line in %s", logs.text())
	}
	if n := strings.Count(logs.text(), `"msg":"request"`); n != 1 {
		t.Errorf("%d access lines for one request, want 1", n)
	}
	want := map[string]any{"method": "GET", "route": "/conversations/{username}", "status": float64(202), "bytes": float64(5),
		"request_id": w.Header().Get("X-Request-ID"), "level": "INFO"}
	for k, v := range want {
		if access[k] != v {
			t.Errorf("access line %s = %v, want %v", k, access[k], v)
		}
	}
	if d, ok := access["duration_ms"].(float64); !ok || d < 0 {
		t.Errorf("access line duration_ms = %v, want milliseconds", access["duration_ms"])
	}
	for _, secret := range []string{"alice", "secretquery", "cookievalue", "198.51.100.23"} {
		if strings.Contains(logs.text(), secret) {
			t.Errorf("the log shows %q: %s", secret, logs.text())
		}
	}
}

func TestAGivenRequestIDIsEchoedAndOnTheHandlersOwnLines(t *testing.T) {
	h, logs := loggedServer()
	req := httptest.NewRequest(http.MethodGet, "/conversations/bob", nil)
	req.Header.Set("X-Request-ID", "lb-1.2_3-abc")
	w := serve(h, req)

	if got := w.Header().Get("X-Request-ID"); got != "lb-1.2_3-abc" {
		t.Errorf("X-Request-ID answered %q, want the one given", got)
	}
	recs := logs.records(t)
	for _, msg := range []string{"handler at work", "request"} {
		if rec := find(recs, msg); rec == nil || rec["request_id"] != "lb-1.2_3-abc" {
			t.Errorf("line %q: %v; want request_id lb-1.2_3-abc", msg, rec)
		}
	}
}

func TestABadRequestIDIsReplacedByANewOne(t *testing.T) {
	for _, bad := range []string{"", "has space", "new\nline", "quote\"d", strings.Repeat("a", 65), "é"} {
		h, logs := loggedServer()
		req := httptest.NewRequest(http.MethodGet, "/conversations/bob", nil)
		req.Header["X-Request-Id"] = []string{bad}
		w := serve(h, req)

		got := w.Header().Get("X-Request-ID")
		if got == bad || !validRequestID(got) {
			t.Errorf("X-Request-ID %q answered %q, want a new valid ID", bad, got)
		}
		if rec := find(logs.records(t), "handler at work"); rec == nil || rec["request_id"] != got {
			t.Errorf("X-Request-ID %q: the handler's line has %v, want request_id %q", bad, rec, got)
		}
	}
	h, _ := loggedServer()
	first := serve(h, httptest.NewRequest(http.MethodGet, "/", nil)).Header().Get("X-Request-ID")
	second := serve(h, httptest.NewRequest(http.MethodGet, "/", nil)).Header().Get("X-Request-ID")
	if first == second {
		t.Errorf("two requests got the same new ID %q", first)
	}
}

func TestAnUnmatchedPathIsLoggedWithoutIt(t *testing.T) {
	h, logs := loggedServer()
	serve(h, httptest.NewRequest(http.MethodGet, "/messages/01HSECRETID", nil))
	access := find(logs.records(t), "request")
	if access == nil || access["route"] != "unmatched" || access["status"] != float64(404) {
		t.Errorf("access line of an unknown path: %v; want route unmatched, status 404", access)
	}
	if strings.Contains(logs.text(), "01HSECRETID") {
		t.Errorf("the log shows the path: %s", logs.text())
	}
}

// TestAHeadRequestIsRoutedAndLogged: HEAD goes to the GET handler (chi's
// GetHead, which needs the router's own routing context) and its access
// line names the route.
func TestAHeadRequestIsRoutedAndLogged(t *testing.T) {
	h, logs := loggedServer()
	if w := serve(h, httptest.NewRequest(http.MethodHead, "/conversations/alice", nil)); w.Code != http.StatusAccepted {
		t.Fatalf("HEAD: %d, want the GET handler's 202", w.Code)
	}
	if access := find(logs.records(t), "request"); access == nil || access["route"] != "/conversations/{username}" {
		t.Errorf("HEAD's access line: %v; want the route", access)
	}
}
