package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/web/webtest"
)

// TestSignupAnswersTheNewAccount: POST /api/signup is 201 with the new,
// unconfirmed account, after the service got the username and address.
func TestSignupAnswersTheNewAccount(t *testing.T) {
	a := &webtest.Accounts{}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).Signup, anonymous("/api/signup", `{"username":" alice ","email":"alice@example.com","password":"correct horse battery"}`))
	if got, want := strings.TrimSpace(w.Body.String()), `{"user":{"username":"alice","email":"alice@example.com","confirmed":false}}`; w.Code != http.StatusCreated || got != want {
		t.Errorf("%d %s; want 201 %s", w.Code, got, want)
	}
	if len(a.Calls) != 1 || a.Calls[0] != "SignUp alice alice@example.com" {
		t.Errorf("the service got %q; want the trimmed username and the address", a.Calls)
	}
}

// TestAccountFormsRefuseWhatTheyCannotRead: a body that is not JSON nor a
// form is a 415 and broken JSON a 400, each saying what to send, before
// the service is asked; a refusal of the service is its status and words,
// which never echo the password.
func TestAccountFormsRefuseWhatTheyCannotRead(t *testing.T) {
	for _, c := range []struct {
		name   string
		ctype  string
		body   string
		refuse error
		status int
		says   string
	}{
		{"plain text", "text/plain", "alice", nil, http.StatusUnsupportedMediaType, "Send the fields as JSON (application/json) or as a form"},
		{"broken JSON", "application/json", `{"username":`, nil, http.StatusBadRequest, "The request body is not valid JSON."},
		{"a name taken", "application/json", `{"username":"alice","email":"a@example.com","password":"s3cret-Passw0rd"}`,
			imageapp.ErrUsernameTaken("alice"), http.StatusConflict, "alice"},
		{"a weak password", "application/json", `{"username":"alice","email":"a@example.com","password":"s3cret-Passw0rd"}`,
			imageapp.ErrPasswordPolicy(), http.StatusBadRequest, "password policy"},
	} {
		a := &webtest.Accounts{Refuse: map[string]error{"SignUp": c.refuse}}
		r := anonymous("/api/signup", c.body)
		r.Header.Set("Content-Type", c.ctype)
		w := webtest.Serve(newHandlers(a, &fakeMessaging{}).Signup, r)
		_, msg := apiError(t, w)
		if w.Code != c.status || !strings.Contains(msg, c.says) || strings.Contains(w.Body.String(), "s3cret") {
			t.Errorf("%s: %d %q; want %d saying %q, no password", c.name, w.Code, msg, c.status, c.says)
		}
		if c.refuse == nil && len(a.Calls) != 0 {
			t.Errorf("%s: the service was asked %q", c.name, a.Calls)
		}
	}
}

// TestAccountActionsAreLimited: past the abuse limit, signing up, logging
// in, confirming, asking for a code or a reset is a 429 with Retry-After and
// the wait in words, and the service is not asked again.
func TestAccountActionsAreLimited(t *testing.T) {
	for name, handler := range map[string]func(h *Handlers) http.HandlerFunc{
		"signup": func(h *Handlers) http.HandlerFunc { return h.Signup },
		"login":  func(h *Handlers) http.HandlerFunc { return h.Login },
		"verify": func(h *Handlers) http.HandlerFunc { return h.Verify },
		"resend": func(h *Handlers) http.HandlerFunc { return h.Resend },
		"forgot": func(h *Handlers) http.HandlerFunc { return h.Forgot },
		"reset":  func(h *Handlers) http.HandlerFunc { return h.Reset },
	} {
		a := &webtest.Accounts{}
		h := handler(newHandlers(a, &fakeMessaging{}, webtest.OneTryEach))
		body := `{"username":"bob","email":"bob@example.com","password":"correct horse battery","code":"123456"}`
		webtest.Serve(h, anonymous("/api/"+name, body))
		asked := len(a.Calls)
		w := webtest.Serve(h, anonymous("/api/"+name, body))
		code, msg := apiError(t, w)
		if w.Code != http.StatusTooManyRequests || code != imageapp.ERATELIMITED || !strings.HasPrefix(msg, "Too many attempts. Try again in ") || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s again: %d %s %q, Retry-After %q; want 429 with the wait", name, w.Code, code, msg, w.Header().Get("Retry-After"))
		}
		if len(a.Calls) != asked {
			t.Errorf("%s: the service was asked past the limit: %q", name, a.Calls)
		}
	}
}

// TestLoginRefusals: a wrong password is a 401 that does not say which of
// the two was wrong, and an unconfirmed account a 403 that says what to do;
// neither sets a cookie.
func TestLoginRefusals(t *testing.T) {
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, &fakeMessaging{}).Login, anonymous("/api/login", `{"username":"bob","password":"wrong"}`))
	if code, msg := apiError(t, w); w.Code != http.StatusUnauthorized || code != imageapp.EUNAUTHORIZED || msg != "The username or password is wrong." || len(w.Result().Cookies()) != 0 {
		t.Errorf("a wrong password: %d %s %q, cookies %v", w.Code, code, msg, w.Result().Cookies())
	}
	a := &webtest.Accounts{Refuse: map[string]error{"Login": imageapp.ErrUnconfirmed()}}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).Login, anonymous("/api/login", `{"username":"bob","password":"correct horse battery"}`))
	if code, msg := apiError(t, w); w.Code != http.StatusForbidden || code != imageapp.EUNCONFIRMED || !strings.Contains(msg, "Confirm your email first") || len(w.Result().Cookies()) != 0 {
		t.Errorf("unconfirmed: %d %s %q", w.Code, code, msg)
	}
}

// TestLoginThenLogout: the right password answers bob and a session
// cookie; logging out with that cookie ends that session and clears it.
func TestLoginThenLogout(t *testing.T) {
	a := &webtest.Accounts{}
	h := newHandlers(a, &fakeMessaging{})
	login := webtest.Serve(h.Login, anonymous("/api/login", `{"username":"bob","password":"correct horse battery","keep":true}`))
	if got, want := strings.TrimSpace(login.Body.String()), `{"user":{"id":"u-bob","username":"bob","email":"bob@example.com"}}`; login.Code != http.StatusOK || got != want {
		t.Fatalf("login: %d %s; want %s", login.Code, got, want)
	}
	if len(a.Started) != 1 || !a.Started[0].KeepSignedIn {
		t.Fatalf("sessions started %+v; want one, kept", a.Started)
	}
	w := webtest.Serve(h.Logout, webtest.WithCookies(httptest.NewRequest(http.MethodPost, "/api/logout", nil), login))
	if w.Code != http.StatusNoContent || !a.Called("EndSession "+a.Started[0].ID) || !webtest.Clears(w, "imageapp_session") {
		t.Errorf("logout: %d, calls %q, cookies %v; want 204, the session ended and its cookie cleared", w.Code, a.Calls, w.Result().Cookies())
	}
}

// TestLogoutRefusedKeepsTheSession: a session the service cannot end is
// its 503 in the error shape, and the cookie stays, so the client can try
// again.
func TestLogoutRefusedKeepsTheSession(t *testing.T) {
	a := &webtest.Accounts{}
	h := newHandlers(a, &fakeMessaging{})
	login := webtest.Serve(h.Login, anonymous("/api/login", `{"username":"bob","password":"correct horse battery"}`))
	a.Refuse = map[string]error{"EndSession": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w := webtest.Serve(h.Logout, webtest.WithCookies(httptest.NewRequest(http.MethodPost, "/api/logout", nil), login))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." || webtest.Clears(w, "imageapp_session") {
		t.Errorf("%d %s %q, cookies %v; want 503 with the service's words, the cookie kept", w.Code, code, msg, w.Result().Cookies())
	}
}

// TestVerify: a code the service refuses is a 400 with its words; the
// right one confirms, and signs in only the browser that signed up.
func TestVerify(t *testing.T) {
	a := &webtest.Accounts{Refuse: map[string]error{"Confirm": imageapp.ErrCodeNotAccepted()}}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).Verify, anonymous("/api/verify", `{"username":"alice","code":"000000"}`))
	if _, msg := apiError(t, w); w.Code != http.StatusBadRequest || !strings.HasPrefix(msg, "That code did not work") || !a.Called("Confirm alice 000000") {
		t.Errorf("a wrong code: %d %q, calls %q", w.Code, msg, a.Calls)
	}

	a = &webtest.Accounts{}
	h := newHandlers(a, &fakeMessaging{})
	w = webtest.Serve(h.Verify, anonymous("/api/verify", `{"username":"alice","code":"123456"}`))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"user":{"username":"alice","confirmed":true}}` || len(a.Started) != 0 {
		t.Errorf("another browser: %d %s, sessions %d; want confirmed, not signed in", w.Code, got, len(a.Started))
	}
	signup := webtest.Serve(h.Signup, anonymous("/api/signup", `{"username":"alice","email":"alice@example.com","password":"correct horse battery"}`))
	w = webtest.Serve(h.Verify, webtest.WithCookies(anonymous("/api/verify", `{"username":"alice","code":"123456"}`), signup))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"user":{"username":"alice","confirmed":true},"signed_in":true}` || len(a.Started) != 1 {
		t.Errorf("the browser that signed up: %d %s, sessions %d; want signed in", w.Code, got, len(a.Started))
	}
}

// TestCodeMailsAnswerSent: asking for a new code or a reset is 202
// {"sent": true} whether or not the account exists (the service decides);
// mail that cannot go is a 503 that says to try later.
func TestCodeMailsAnswerSent(t *testing.T) {
	for name, handler := range map[string]func(h *Handlers) http.HandlerFunc{
		"ForgotPassword": func(h *Handlers) http.HandlerFunc { return h.Forgot },
		"ResendCode":     func(h *Handlers) http.HandlerFunc { return h.Resend },
	} {
		a := &webtest.Accounts{}
		w := webtest.Serve(handler(newHandlers(a, &fakeMessaging{})), anonymous("/api/x", `{"username":"alice"}`))
		if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusAccepted || got != `{"sent":true}` || !a.Called(name+" alice") {
			t.Errorf("%s: %d %s, calls %q", name, w.Code, got, a.Calls)
		}
		a = &webtest.Accounts{Refuse: map[string]error{name: imageapp.ErrMailFailed()}}
		w = webtest.Serve(handler(newHandlers(a, &fakeMessaging{})), anonymous("/api/x", `{"username":"alice"}`))
		if _, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || msg != "We could not send the email. Try again later." {
			t.Errorf("%s, mail down: %d %q", name, w.Code, msg)
		}
	}
}

// TestResetPassword: the right code sets the password, 204 with no body; a
// code the service refuses is a 400 with its words.
func TestResetPassword(t *testing.T) {
	a := &webtest.Accounts{}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).Reset, anonymous("/api/password/reset", `{"username":"bob","code":"123456","password":"another good one"}`))
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 || !a.Called("ResetPassword bob 123456") {
		t.Errorf("%d %s, calls %q", w.Code, w.Body, a.Calls)
	}
	a = &webtest.Accounts{Refuse: map[string]error{"ResetPassword": imageapp.ErrCodeExpired()}}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).Reset, anonymous("/api/password/reset", `{"username":"bob","code":"123456","password":"another good one"}`))
	if _, msg := apiError(t, w); w.Code != http.StatusBadRequest || msg != "That code has expired. Ask for a new code." || strings.Contains(w.Body.String(), "another good one") {
		t.Errorf("an expired code: %d %s", w.Code, w.Body)
	}
}
