package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"imageapp/app/imageapp"
)

// accountService is the account service that records each call as
// "Method args…" and answers refuse[Method], nil when it is not set. Its
// one person is bob, whose password is "correct horse battery".
type accountService struct {
	allAccounts
	refuse   map[string]error
	calls    []string
	sessions []imageapp.Session
	started  []imageapp.Session
	privacy  []imageapp.Privacy
	newEmail string // what ConfirmEmailChange makes bob's address
}

func (a *accountService) call(method string, args ...any) error {
	a.calls = append(a.calls, strings.TrimSpace(method+" "+fmt.Sprintln(args...)))
	return a.refuse[method]
}

// called reports whether method was called.
func (a *accountService) called(method string) bool {
	for _, c := range a.calls {
		if c == method || strings.HasPrefix(c, method+" ") {
			return true
		}
	}
	return false
}

func (a *accountService) SignUp(_ context.Context, _ imageapp.Requester, in imageapp.SignUpInput) error {
	return a.call("SignUp", in.Username, in.Email)
}

func (a *accountService) Confirm(_ context.Context, _ imageapp.Requester, username, code string) error {
	return a.call("Confirm", username, code)
}

func (a *accountService) ConfirmedUser(_ context.Context, username string) (imageapp.User, error) {
	return imageapp.User{ID: "u-" + username, Username: username}, a.call("ConfirmedUser", username)
}

func (a *accountService) ResendCode(_ context.Context, _ imageapp.Requester, username string) error {
	return a.call("ResendCode", username)
}

func (a *accountService) Login(_ context.Context, _ imageapp.Requester, username, password string) (imageapp.User, error) {
	if err := a.call("Login", username); err != nil {
		return imageapp.User{}, err
	}
	if username != "bob" || password != "correct horse battery" {
		return imageapp.User{}, imageapp.ErrWrongLogin()
	}
	return bob, nil
}

func (a *accountService) StartSession(_ context.Context, _ imageapp.User, s imageapp.Session) error {
	a.started = append(a.started, s)
	return a.call("StartSession")
}

func (a *accountService) ActiveSession(_ context.Context, id, username, sid string, _ int64) (imageapp.User, imageapp.Session, error) {
	for _, s := range a.started {
		if s.ID == sid && id == bob.ID {
			return bob, s, nil
		}
	}
	return imageapp.User{}, imageapp.Session{}, imageapp.Errorf(imageapp.ENOTFOUND, "no such session")
}

func (a *accountService) EndSession(_ context.Context, _ imageapp.User, sid string) error {
	return a.call("EndSession", sid)
}

func (a *accountService) ListSessions(context.Context, imageapp.User) ([]imageapp.Session, error) {
	return a.sessions, a.call("ListSessions")
}

func (a *accountService) EndOtherSessions(_ context.Context, _ imageapp.User, current string) error {
	return a.call("EndOtherSessions", current)
}

func (a *accountService) ForgotPassword(_ context.Context, _ imageapp.Requester, username string) error {
	return a.call("ForgotPassword", username)
}

func (a *accountService) ResetPassword(_ context.Context, _ imageapp.Requester, username, code, _ string) error {
	return a.call("ResetPassword", username, code)
}

func (a *accountService) ChangePassword(_ context.Context, u imageapp.User, current, _ string) (imageapp.User, error) {
	if err := a.call("ChangePassword"); err != nil {
		return imageapp.User{}, err
	}
	if current != "correct horse battery" {
		return imageapp.User{}, imageapp.Errorf(imageapp.EUNAUTHORIZED, "Your current password is not right.")
	}
	return u, nil
}

func (a *accountService) RequestEmailChange(_ context.Context, _ imageapp.Requester, _ imageapp.User, _, newEmail string) error {
	return a.call("RequestEmailChange", newEmail)
}

func (a *accountService) ConfirmEmailChange(_ context.Context, _ imageapp.Requester, u imageapp.User, _, code string) (imageapp.User, error) {
	if err := a.call("ConfirmEmailChange", code); err != nil {
		return imageapp.User{}, err
	}
	u.Email = a.newEmail
	return u, nil
}

func (a *accountService) CancelEmailChange(context.Context, imageapp.User) error {
	return a.call("CancelEmailChange")
}

func (a *accountService) DeleteAccount(_ context.Context, _ imageapp.Requester, _ imageapp.User, password string) error {
	if err := a.call("DeleteAccount"); err != nil {
		return err
	}
	if password != "correct horse battery" {
		return imageapp.ErrWrongLogin()
	}
	return nil
}

func (a *accountService) SetPrivacy(_ context.Context, _ imageapp.User, p imageapp.Privacy) error {
	a.privacy = append(a.privacy, p)
	return a.call("SetPrivacy")
}

// with adds the cookies w set to r, as the browser sends them next.
func with(r *http.Request, w *httptest.ResponseRecorder) *http.Request {
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

// clears reports whether w clears the cookie whose name starts with prefix.
func clears(w *httptest.ResponseRecorder, prefix string) bool {
	for _, c := range w.Result().Cookies() {
		if strings.HasPrefix(c.Name, prefix) && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

// TestSignupAnswersTheNewAccount: POST /api/signup is 201 with the new,
// unconfirmed account, after the service got the username and address.
func TestSignupAnswersTheNewAccount(t *testing.T) {
	a := &accountService{}
	w := serve(newHandlers(a, &fakeMessaging{}).Signup, anonymous("/api/signup", `{"username":" alice ","email":"alice@example.com","password":"correct horse battery"}`))
	if got, want := strings.TrimSpace(w.Body.String()), `{"user":{"username":"alice","email":"alice@example.com","confirmed":false}}`; w.Code != http.StatusCreated || got != want {
		t.Errorf("%d %s; want 201 %s", w.Code, got, want)
	}
	if len(a.calls) != 1 || a.calls[0] != "SignUp alice alice@example.com" {
		t.Errorf("the service got %q; want the trimmed username and the address", a.calls)
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
		a := &accountService{refuse: map[string]error{"SignUp": c.refuse}}
		r := anonymous("/api/signup", c.body)
		r.Header.Set("Content-Type", c.ctype)
		w := serve(newHandlers(a, &fakeMessaging{}).Signup, r)
		_, msg := apiError(t, w)
		if w.Code != c.status || !strings.Contains(msg, c.says) || strings.Contains(w.Body.String(), "s3cret") {
			t.Errorf("%s: %d %q; want %d saying %q, no password", c.name, w.Code, msg, c.status, c.says)
		}
		if c.refuse == nil && len(a.calls) != 0 {
			t.Errorf("%s: the service was asked %q", c.name, a.calls)
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
		a := &accountService{}
		h := handler(newHandlers(a, &fakeMessaging{}, oneTryEach))
		body := `{"username":"bob","email":"bob@example.com","password":"correct horse battery","code":"123456"}`
		serve(h, anonymous("/api/"+name, body))
		asked := len(a.calls)
		w := serve(h, anonymous("/api/"+name, body))
		code, msg := apiError(t, w)
		if w.Code != http.StatusTooManyRequests || code != imageapp.ERATELIMITED || !strings.HasPrefix(msg, "Too many attempts. Try again in ") || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s again: %d %s %q, Retry-After %q; want 429 with the wait", name, w.Code, code, msg, w.Header().Get("Retry-After"))
		}
		if len(a.calls) != asked {
			t.Errorf("%s: the service was asked past the limit: %q", name, a.calls)
		}
	}
}

// TestLoginRefusals: a wrong password is a 401 that does not say which of
// the two was wrong, and an unconfirmed account a 403 that says what to do;
// neither sets a cookie.
func TestLoginRefusals(t *testing.T) {
	w := serve(newHandlers(&accountService{}, &fakeMessaging{}).Login, anonymous("/api/login", `{"username":"bob","password":"wrong"}`))
	if code, msg := apiError(t, w); w.Code != http.StatusUnauthorized || code != imageapp.EUNAUTHORIZED || msg != "The username or password is wrong." || len(w.Result().Cookies()) != 0 {
		t.Errorf("a wrong password: %d %s %q, cookies %v", w.Code, code, msg, w.Result().Cookies())
	}
	a := &accountService{refuse: map[string]error{"Login": imageapp.ErrUnconfirmed()}}
	w = serve(newHandlers(a, &fakeMessaging{}).Login, anonymous("/api/login", `{"username":"bob","password":"correct horse battery"}`))
	if code, msg := apiError(t, w); w.Code != http.StatusForbidden || code != imageapp.EUNCONFIRMED || !strings.Contains(msg, "Confirm your email first") || len(w.Result().Cookies()) != 0 {
		t.Errorf("unconfirmed: %d %s %q", w.Code, code, msg)
	}
}

// TestLoginThenLogout: the right password answers bob and a session
// cookie; logging out with that cookie ends that session and clears it.
func TestLoginThenLogout(t *testing.T) {
	a := &accountService{}
	h := newHandlers(a, &fakeMessaging{})
	login := serve(h.Login, anonymous("/api/login", `{"username":"bob","password":"correct horse battery","keep":true}`))
	if got, want := strings.TrimSpace(login.Body.String()), `{"user":{"id":"u-bob","username":"bob","email":"bob@example.com"}}`; login.Code != http.StatusOK || got != want {
		t.Fatalf("login: %d %s; want %s", login.Code, got, want)
	}
	if len(a.started) != 1 || !a.started[0].KeepSignedIn {
		t.Fatalf("sessions started %+v; want one, kept", a.started)
	}
	w := serve(h.Logout, with(httptest.NewRequest(http.MethodPost, "/api/logout", nil), login))
	if w.Code != http.StatusNoContent || !a.called("EndSession "+a.started[0].ID) || !clears(w, "imageapp_session") {
		t.Errorf("logout: %d, calls %q, cookies %v; want 204, the session ended and its cookie cleared", w.Code, a.calls, w.Result().Cookies())
	}
}

// TestVerify: a code the service refuses is a 400 with its words; the
// right one confirms, and signs in only the browser that signed up.
func TestVerify(t *testing.T) {
	a := &accountService{refuse: map[string]error{"Confirm": imageapp.ErrCodeNotAccepted()}}
	w := serve(newHandlers(a, &fakeMessaging{}).Verify, anonymous("/api/verify", `{"username":"alice","code":"000000"}`))
	if _, msg := apiError(t, w); w.Code != http.StatusBadRequest || !strings.HasPrefix(msg, "That code did not work") || !a.called("Confirm alice 000000") {
		t.Errorf("a wrong code: %d %q, calls %q", w.Code, msg, a.calls)
	}

	a = &accountService{}
	h := newHandlers(a, &fakeMessaging{})
	w = serve(h.Verify, anonymous("/api/verify", `{"username":"alice","code":"123456"}`))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"user":{"username":"alice","confirmed":true}}` || len(a.started) != 0 {
		t.Errorf("another browser: %d %s, sessions %d; want confirmed, not signed in", w.Code, got, len(a.started))
	}
	signup := serve(h.Signup, anonymous("/api/signup", `{"username":"alice","email":"alice@example.com","password":"correct horse battery"}`))
	w = serve(h.Verify, with(anonymous("/api/verify", `{"username":"alice","code":"123456"}`), signup))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"user":{"username":"alice","confirmed":true},"signed_in":true}` || len(a.started) != 1 {
		t.Errorf("the browser that signed up: %d %s, sessions %d; want signed in", w.Code, got, len(a.started))
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
		a := &accountService{}
		w := serve(handler(newHandlers(a, &fakeMessaging{})), anonymous("/api/x", `{"username":"alice"}`))
		if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusAccepted || got != `{"sent":true}` || !a.called(name+" alice") {
			t.Errorf("%s: %d %s, calls %q", name, w.Code, got, a.calls)
		}
		a = &accountService{refuse: map[string]error{name: imageapp.ErrMailFailed()}}
		w = serve(handler(newHandlers(a, &fakeMessaging{})), anonymous("/api/x", `{"username":"alice"}`))
		if _, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || msg != "We could not send the email. Try again later." {
			t.Errorf("%s, mail down: %d %q", name, w.Code, msg)
		}
	}
}

// TestResetPassword: the right code sets the password, 204 with no body; a
// code the service refuses is a 400 with its words.
func TestResetPassword(t *testing.T) {
	a := &accountService{}
	w := serve(newHandlers(a, &fakeMessaging{}).Reset, anonymous("/api/password/reset", `{"username":"bob","code":"123456","password":"another good one"}`))
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 || !a.called("ResetPassword bob 123456") {
		t.Errorf("%d %s, calls %q", w.Code, w.Body, a.calls)
	}
	a = &accountService{refuse: map[string]error{"ResetPassword": imageapp.ErrCodeExpired()}}
	w = serve(newHandlers(a, &fakeMessaging{}).Reset, anonymous("/api/password/reset", `{"username":"bob","code":"123456","password":"another good one"}`))
	if _, msg := apiError(t, w); w.Code != http.StatusBadRequest || msg != "That code has expired. Ask for a new code." || strings.Contains(w.Body.String(), "another good one") {
		t.Errorf("an expired code: %d %s", w.Code, w.Body)
	}
}
