package pages

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/web/webtest"
)

// The account forms: an error shows the form again with the error in it,
// at the error's status, keeping what the person typed (never a password);
// success is a 303 with the flash that says what happened.

// TestLoginRefusalShowsTheFormAgain: a wrong password is a 401 login page
// with the error, the username and where the login was going kept, the
// password not; an unconfirmed account is a 403 that links to confirming.
func TestLoginRefusalShowsTheFormAgain(t *testing.T) {
	a := &webtest.Accounts{}
	w := post(newHandlers(a, &fakeMessaging{}).LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {"hunter2-typo"}, "next": {"/sent"}})
	body := w.Body.String()
	if w.Code != http.StatusUnauthorized || !strings.Contains(body, "The username or password is wrong.") {
		t.Fatalf("%d; want 401 with the error: %s", w.Code, body)
	}
	if !strings.Contains(body, `name="username" type="text" value="bob"`) || !strings.Contains(body, `name="next" value="/sent"`) || strings.Contains(body, "hunter2-typo") {
		t.Errorf("the form does not keep the username and next, or echoes the password: %s", body)
	}
	if len(a.Started) != 0 || len(w.Result().Cookies()) != 0 {
		t.Errorf("a refused login started a session")
	}

	a = &webtest.Accounts{Refuse: map[string]error{"Login": imageapp.ErrUnconfirmed()}}
	w = post(newHandlers(a, &fakeMessaging{}).LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}})
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Confirm your email now") || !strings.Contains(w.Body.String(), "/verify?username=bob") {
		t.Errorf("unconfirmed: %d; want 403 with a link to confirm: %s", w.Code, w.Body.String())
	}
}

// TestLoginGoesBackOnlyOnThisSite: a login goes to next when it is a path
// of this site, to the inbox when it is another site's, with the session.
func TestLoginGoesBackOnlyOnThisSite(t *testing.T) {
	for next, want := range map[string]string{"/sent": "/sent", "/conversations/alice?cursor=c": "/conversations/alice?cursor=c",
		"//evil.example/x": "/inbox", "https://evil.example/": "/inbox", "": "/inbox"} {
		a := &webtest.Accounts{}
		w := post(newHandlers(a, &fakeMessaging{}).LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}, "next": {next}})
		redirectsTo(t, w, want)
		if len(a.Started) != 1 || !strings.Contains(w.Header().Get("Set-Cookie"), "imageapp_session=") {
			t.Errorf("next %q: sessions %d; want one, in a cookie", next, len(a.Started))
		}
	}
}

// TestLoginIsLimited: past the abuse limit the login page says how long
// to wait, 429, and the service is not asked.
func TestLoginIsLimited(t *testing.T) {
	a := &webtest.Accounts{}
	h := newHandlers(a, &fakeMessaging{}, webtest.OneTryEach)
	post(h.LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {"wrong"}})
	w := post(h.LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}})
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "Too many attempts. Try again in ") || w.Header().Get("Retry-After") == "" || len(a.Calls) != 1 {
		t.Errorf("%d, Retry-After %q, calls %q; want 429 with the wait: %s", w.Code, w.Header().Get("Retry-After"), a.Calls, w.Body.String())
	}
}

// TestSignupRefusalKeepsWhatWasTyped: a refused sign-up shows the form
// with the error and the username and address, not the password.
func TestSignupRefusalKeepsWhatWasTyped(t *testing.T) {
	a := &webtest.Accounts{Refuse: map[string]error{"SignUp": imageapp.ErrUsernameTaken("alice")}}
	w := post(newHandlers(a, &fakeMessaging{}).SignupSubmit, "/signup", url.Values{"username": {"alice"}, "email": {"alice@example.com"}, "password": {"s3cret-Passw0rd"}})
	body := w.Body.String()
	if w.Code != http.StatusConflict || !strings.Contains(body, html.EscapeString(imageapp.ErrorMessage(imageapp.ErrUsernameTaken("alice")))) {
		t.Fatalf("%d; want 409 with the service's words: %s", w.Code, body)
	}
	if !strings.Contains(body, `value="alice"`) || !strings.Contains(body, `value="alice@example.com"`) || strings.Contains(body, "s3cret-Passw0rd") {
		t.Errorf("the form does not keep the username and address, or echoes the password")
	}
}

// TestSignupGoesToVerify: a sign-up goes to the verify page for that
// username, with the flash that says a code was mailed.
func TestSignupGoesToVerify(t *testing.T) {
	a := &webtest.Accounts{}
	w := post(newHandlers(a, &fakeMessaging{}).SignupSubmit, "/signup", url.Values{"username": {"alice"}, "email": {"alice@example.com"}, "password": {"correct horse battery"}})
	redirectsTo(t, w, "/verify?flash=signed-up&username=alice")
	if !a.Called("SignUp alice alice@example.com") {
		t.Errorf("calls %q", a.Calls)
	}
}

// TestVerifyForms: a refused code shows the verify page with the error
// and the username; the right one goes to login for that username (or,
// in the browser that signed up, signs in and goes to the inbox), and a
// new code back to the verify page, each with its flash.
func TestVerifyForms(t *testing.T) {
	a := &webtest.Accounts{Refuse: map[string]error{"Confirm": imageapp.ErrCodeNotAccepted()}}
	w := post(newHandlers(a, &fakeMessaging{}).VerifySubmit, "/verify", url.Values{"username": {"alice"}, "code": {"000000"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "That code did not work") || !strings.Contains(w.Body.String(), `value="alice"`) {
		t.Errorf("a wrong code: %d: %s", w.Code, w.Body.String())
	}
	a = &webtest.Accounts{}
	redirectsTo(t, post(newHandlers(a, &fakeMessaging{}).VerifySubmit, "/verify", url.Values{"username": {"alice"}, "code": {"123456"}}), "/login?flash=confirmed&username=alice")
	redirectsTo(t, post(newHandlers(a, &fakeMessaging{}).ResendSubmit, "/verify/resend", url.Values{"username": {"alice"}}), "/verify?flash=resent&username=alice")
	if !a.Called("Confirm alice 123456") || !a.Called("ResendCode alice") {
		t.Errorf("calls %q", a.Calls)
	}
	h := newHandlers(a, &fakeMessaging{})
	signup := post(h.SignupSubmit, "/signup", url.Values{"username": {"alice"}, "email": {"alice@example.com"}, "password": {webtest.Password}})
	r := httptest.NewRequest(http.MethodPost, "/verify", strings.NewReader(url.Values{"username": {"alice"}, "code": {"123456"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = webtest.Serve(h.VerifySubmit, webtest.WithCookies(r, signup))
	redirectsTo(t, w, "/inbox?flash=confirmed-signed-in")
	if !a.Called("StartSession") {
		t.Errorf("the browser that signed up is not signed in: calls %q", a.Calls)
	}
	a = &webtest.Accounts{Refuse: map[string]error{"ResendCode": imageapp.ErrMailFailed()}}
	w = post(newHandlers(a, &fakeMessaging{}).ResendSubmit, "/verify/resend", url.Values{"username": {"alice"}})
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "We could not send the email.") || !strings.Contains(w.Body.String(), `value="alice"`) {
		t.Errorf("mail down: %d: %s", w.Code, w.Body.String())
	}
}

// TestForgotForm: asking for a reset goes to the reset page for that
// username with its flash; mail that cannot go shows the form again.
func TestForgotForm(t *testing.T) {
	a := &webtest.Accounts{}
	redirectsTo(t, post(newHandlers(a, &fakeMessaging{}).ForgotSubmit, "/forgot", url.Values{"username": {"bob"}}), "/reset?flash=reset-sent&username=bob")
	a = &webtest.Accounts{Refuse: map[string]error{"ForgotPassword": imageapp.ErrMailFailed()}}
	w := post(newHandlers(a, &fakeMessaging{}).ForgotSubmit, "/forgot", url.Values{"username": {"bob"}})
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "We could not send the email.") || !strings.Contains(w.Body.String(), `value="bob"`) {
		t.Errorf("mail down: %d: %s", w.Code, w.Body.String())
	}
}

// TestResetKeepsTheCodeWhenThePasswordWasTheProblem: a new password that
// breaks the rules shows the form with the code kept; a wrong code shows
// it empty, to type again; neither echoes the password; success goes to
// login with its flash.
func TestResetKeepsTheCodeWhenThePasswordWasTheProblem(t *testing.T) {
	h := newHandlers(&webtest.Accounts{}, &fakeMessaging{})
	w := post(h.ResetSubmit, "/reset", url.Values{"username": {"bob"}, "code": {"123456"}, "password": {"short1"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `name="code" type="text" value="123456"`) || strings.Contains(w.Body.String(), "short1") {
		t.Errorf("a short password: %d; want 400 keeping the code: %s", w.Code, w.Body.String())
	}
	a := &webtest.Accounts{Refuse: map[string]error{"ResetPassword": imageapp.ErrWrongCode()}}
	w = post(newHandlers(a, &fakeMessaging{}).ResetSubmit, "/reset", url.Values{"username": {"bob"}, "code": {"654321"}, "password": {"a good long password"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "That code is wrong.") || strings.Contains(w.Body.String(), "654321") || strings.Contains(w.Body.String(), "a good long password") {
		t.Errorf("a wrong code: %d; want 400 without the code or password: %s", w.Code, w.Body.String())
	}
	redirectsTo(t, post(h.ResetSubmit, "/reset", url.Values{"username": {"bob"}, "code": {"123456"}, "password": {"a good long password"}}), "/login?flash=reset-done&username=bob")
}

// TestLogoutForm: logging out clears the session cookie and goes to the
// login page with its flash.
func TestLogoutForm(t *testing.T) {
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, &fakeMessaging{}).LogoutSubmit, httptest.NewRequest(http.MethodPost, "/logout", nil))
	redirectsTo(t, w, "/login?flash=logged-out")
	if !webtest.Clears(w, "imageapp_session") {
		t.Errorf("the cookie is not cleared: %v", w.Result().Cookies())
	}
}

// TestAccountPagesShowTheirForms: each account page is a whole page with
// its form, filled with the username its link carries (escaped, never
// markup), and the login page keeps where it was going.
func TestAccountPagesShowTheirForms(t *testing.T) {
	h := newHandlers(&webtest.Accounts{}, &fakeMessaging{})
	for _, c := range []struct {
		name    string
		page    http.HandlerFunc
		target  string
		form    string
		filled  bool // the page fills the username from ?username=
		showing []string
	}{
		{"login", h.LoginPage, "/login?username=%3Cb%3Ebob&next=/sent", `action="/login"`, true, []string{`name="next" value="/sent"`}},
		{"forgot", h.ForgotPage, "/forgot", `action="/forgot"`, false, nil},
		{"reset", h.ResetPage, "/reset?username=%3Cb%3Ebob", `action="/reset"`, true, []string{`name="code"`, `name="password"`}},
		{"signup", h.SignupPage, "/signup", `action="/signup"`, false, []string{`name="email"`}},
		{"verify", h.VerifyPage, "/verify?username=%3Cb%3Ebob", `action="/verify"`, true, []string{`name="code"`, `action="/verify/resend"`}},
	} {
		w := webtest.Serve(c.page, httptest.NewRequest(http.MethodGet, c.target, nil))
		body := w.Body.String()
		if w.Code != http.StatusOK || !isFullPage(w) || !strings.Contains(body, c.form) {
			t.Errorf("%s: %d, form %v; want 200, a whole page with %s", c.name, w.Code, strings.Contains(body, c.form), c.form)
		}
		if c.filled && (!strings.Contains(body, `value="&lt;b&gt;bob"`) || strings.Contains(body, "<b>bob")) {
			t.Errorf("%s: the username is not filled in from ?username=, or not escaped", c.name)
		}
		for _, want := range c.showing {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %s", c.name, want)
			}
		}
	}
}

// TestHomeGoesWhereThePersonBelongs: / goes to the inbox with a session and
// to the login page without one (or with a cookie whose session ended).
func TestHomeGoesWhereThePersonBelongs(t *testing.T) {
	a := &webtest.Accounts{}
	h := newHandlers(a, &fakeMessaging{})
	login := post(h.LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {webtest.Password}})
	redirectsTo(t, webtest.Serve(h.Home, webtest.WithCookies(httptest.NewRequest(http.MethodGet, "/", nil), login)), "/inbox")
	redirectsTo(t, webtest.Serve(h.Home, httptest.NewRequest(http.MethodGet, "/", nil)), "/login")
	a.Started = nil // the session ended elsewhere
	redirectsTo(t, webtest.Serve(h.Home, webtest.WithCookies(httptest.NewRequest(http.MethodGet, "/", nil), login)), "/login")
}

// TestLogoutRefusedKeepsTheSession: a session the service cannot end is an
// error page that says so, and the cookie stays, so the person can try again.
func TestLogoutRefusedKeepsTheSession(t *testing.T) {
	a := &webtest.Accounts{}
	h := newHandlers(a, &fakeMessaging{})
	login := post(h.LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {webtest.Password}})
	a.Refuse = map[string]error{"EndSession": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w := webtest.Serve(h.LogoutSubmit, webtest.WithCookies(httptest.NewRequest(http.MethodPost, "/logout", nil), login))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "The store is busy.") || webtest.Clears(w, "imageapp_session") {
		t.Errorf("%d, cookies %v; want 503 saying why, the cookie kept: %s", w.Code, w.Result().Cookies(), w.Body.String())
	}
}
