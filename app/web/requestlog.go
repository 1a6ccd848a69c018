package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Every request gets an ID: the one a proxy sent in X-Request-ID when it
// looks like one, or a new random one. The answer carries it back in
// X-Request-ID, and every line logged with the request's context carries it
// as request_id, so a user's report or a proxy's log leads to this
// server's lines. The ID rides in the context for the log only; no code
// decides anything by it.

// requestIDHeader is the header a request ID comes in and goes back out in.
const requestIDHeader = "X-Request-ID"

// requestIDKey is the context key of a request's ID.
type requestIDKey struct{}

// validRequestID reports whether id may be taken from a client: 1 to 64
// characters of [A-Za-z0-9._-], nothing a log line could be forged with.
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// logRequests gives each request its ID and writes one access line when
// it ends (an event stream's when the stream ends): method, route pattern
// (never the path, which names people and messages), status, duration,
// bytes written and, through the context, the request ID. Client
// addresses, query strings and cookies are left out.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(requestIDHeader)
		if !validRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set(requestIDHeader, id)
		// The router notes the matched pattern here (recordRoute), to be
		// read once it has answered. (A routing context of our own in the
		// request would make the router take itself for a sub-router.)
		route := &routeNote{}
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		ctx = context.WithValue(ctx, routeNoteKey{}, route)
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() { // also when a handler aborts with http.ErrAbortHandler
			s.log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", cmp.Or(route.pattern, "unmatched")),
				slog.Int("status", cmp.Or(ww.Status(), http.StatusOK)),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.Int("bytes", ww.BytesWritten()),
			)
		}()
		next.ServeHTTP(ww, r.WithContext(ctx))
	})
}

// routeNote is where the router notes the route pattern a request matched.
type routeNote struct{ pattern string }

type routeNoteKey struct{}

// recordRoute, the router's first middleware, notes the pattern the
// request matched once the handler is done (or has panicked: an aborted
// image stream is logged too).
func recordRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			note, ok := r.Context().Value(routeNoteKey{}).(*routeNote)
			if rc := chi.RouteContext(r.Context()); ok && rc != nil {
				note.pattern = rc.RoutePattern()
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// RequestIDs wraps h so that each record logged with a request's context
// (the *Context methods of [slog.Logger]) carries the request's ID as
// request_id. Wrapping a handler twice adds the ID once.
func RequestIDs(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
