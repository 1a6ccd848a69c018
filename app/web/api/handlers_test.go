package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
	"imageapp/app/ratelimit"
	"imageapp/app/web"
)

// Helpers of the handler tests that build the core over their own fakes
// (the core's steps, like a send or a block, call the same fake as the
// API's own handlers).

// allAccounts is what the core and the API ask of the account service.
type allAccounts interface {
	web.Accounts
	Accounts
}

// newHandlers is the API handlers over a core with the same fakes, as
// app/server wires them, with a 1 MiB upload limit; opts change the core's
// options (a tighter abuse limit).
func newHandlers(a allAccounts, m allMessaging, opts ...func(*web.Options)) *Handlers {
	o := web.Options{
		Messaging:      m,
		MaxUploadBytes: 1 << 20,
		CookieKeys:     cookiekeys.NewLive(cookiekeys.Single(cookiekeys.New())),
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if a != nil {
		o.Accounts = a
	}
	for _, opt := range opts {
		opt(&o)
	}
	var accounts Accounts
	if a != nil {
		accounts = a
	}
	return New(web.New(o), accounts, m)
}

// oneTryEach allows one account action per client address an hour: the
// second is refused.
func oneTryEach(o *web.Options) {
	once := ratelimit.Rule{Burst: 1, Every: time.Hour}
	o.Limits = web.Limits{PerIP: once, PerUser: once}
}

// bobWith is a request of bob's session s-1 with a body of type ctype.
func bobWith(method, target, ctype, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", ctype)
	return web.AsUser(r, bob, "s-1", time.Now())
}

// anonymous is a request of nobody signed in with a JSON body.
func anonymous(target, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// withParam is r as chi hands it on, with the route's {name} set.
func withParam(r *http.Request, name, value string) *http.Request {
	rc := chi.NewRouteContext()
	rc.URLParams.Add(name, value)
	return r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
}

// serve runs h on r.
func serve(h http.HandlerFunc, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h(w, r)
	return w
}

// apiError is the code and message of the contract's error shape; the test
// fails when the body is not that shape.
func apiError(t *testing.T, w *httptest.ResponseRecorder) (code, message string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
		t.Errorf("not the error shape (%v): %s", err, w.Body.String())
	}
	return body.Error.Code, body.Error.Message
}

// decode reads the JSON body into v, failing the test when it cannot.
func decode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("the body is not JSON: %v: %s", err, w.Body.String())
	}
}

// alice is who bob writes to.
var alice = imageapp.User{ID: "u-alice", Username: "alice", Email: "alice@example.com"}
