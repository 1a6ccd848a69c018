package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"imageapp/app/web"
	"imageapp/app/web/webtest"
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
// app/server wires them (webtest.Options); opts change the core's options
// (a tighter abuse limit).
func newHandlers(a allAccounts, m allMessaging, opts ...func(*web.Options)) *Handlers {
	var accounts Accounts
	var core web.Accounts
	if a != nil {
		accounts, core = a, a
	}
	o := webtest.Options(core, m)
	for _, opt := range opts {
		opt(&o)
	}
	return New(web.New(o), accounts, m)
}

// bobWith is a request of bob's session s-1 with a body of type ctype.
func bobWith(method, target, ctype, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", ctype)
	return webtest.AsBob(r)
}

// anonymous is a request of nobody signed in with a JSON body.
func anonymous(target, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
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

// bob is who signs in, alice who he writes to.
var bob, alice = webtest.Bob(), webtest.Alice()
