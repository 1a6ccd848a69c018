package pages

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/twofactor"
	"imageapp/app/web/webtest"
)

// fakeTwoFactor is bob's two-factor: on when on is set, the app's code is
// 123456, the pending login's token 2fa-pending.
type fakeTwoFactor struct {
	on      bool
	started []bool // StartLogin calls
}

func (f *fakeTwoFactor) Enabled(context.Context, imageapp.User) (bool, error) { return f.on, nil }

func (f *fakeTwoFactor) StartLogin(context.Context, imageapp.User) (string, error) {
	f.started = append(f.started, true)
	return "2fa-pending", nil
}

func (f *fakeTwoFactor) FinishLogin(_ context.Context, token, code string) (imageapp.User, error) {
	if token != "2fa-pending" {
		return imageapp.User{}, imageapp.Errorf(imageapp.EUNAUTHORIZED, "That sign-in expired.")
	}
	if code != "123456" {
		return imageapp.User{}, imageapp.Errorf(imageapp.EUNAUTHORIZED, "That code is not right.")
	}
	return bob, nil
}

func (f *fakeTwoFactor) Enrol(context.Context, imageapp.User) (twofactor.Enrolment, error) {
	if f.on {
		return twofactor.Enrolment{}, imageapp.Errorf(imageapp.ECONFLICT, "Two-factor is on already.")
	}
	return twofactor.Enrolment{Secret: "JBSWY3DPEHPK3PXP", QR: "data:image/png;base64,iVBORw0K"}, nil
}

func (f *fakeTwoFactor) Confirm(_ context.Context, _ imageapp.User, code string) ([]string, error) {
	if code != "123456" {
		return nil, imageapp.Errorf(imageapp.EUNAUTHORIZED, "That code is not right.")
	}
	return []string{"aaaa-bbbb", "cccc-dddd"}, nil
}

func (f *fakeTwoFactor) Disable(_ context.Context, _ imageapp.Requester, _ imageapp.User, password, code string) error {
	if password != "correct horse battery" {
		return imageapp.ErrWrongLogin()
	}
	if code != "123456" {
		return imageapp.Errorf(imageapp.EUNAUTHORIZED, "That code is not right.")
	}
	f.on = false
	return nil
}

var hiddenToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

func post(h http.HandlerFunc, target string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h(w, r)
	return w
}

// TestLoginAsksTheCode: a right password of someone with two-factor on
// answers the code page and starts no session; a wrong code shows the
// refusal in that page, with the token kept to try again; the right code
// starts the session, kept signed in as the password's form asked, and
// goes where the login was going. A token not signed by the server is
// refused before the service is asked.
func TestLoginAsksTheCode(t *testing.T) {
	a := &webtest.Accounts{}
	p := newHandlers(a, &fakeMessaging{})
	p.Server.WithTwoFactor(&fakeTwoFactor{on: true})

	w := post(p.LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}, "keep": {"on"}, "next": {"/sent"}})
	m := hiddenToken.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil || !strings.Contains(w.Body.String(), "Enter your code") {
		t.Fatalf("the password: %d; want the code page with its token: %s", w.Code, w.Body.String())
	}
	if len(a.Started) != 0 || w.Header().Get("Set-Cookie") != "" {
		t.Fatalf("a session started before the code: %v, cookie %q", a.Started, w.Header().Get("Set-Cookie"))
	}
	token := html.UnescapeString(m[1])
	if token == "2fa-pending" {
		t.Fatal("the page holds the service's token bare, not signed with the keep choice")
	}

	w = post(p.LoginCodeSubmit, "/login/code", url.Values{"token": {token}, "code": {"654321"}, "next": {"/sent"}})
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "That code is not right.") || !strings.Contains(w.Body.String(), `value="/sent"`) || len(a.Started) != 0 {
		t.Fatalf("a wrong code: %d, sessions %v; want 401 with the refusal, the token and next kept: %s", w.Code, a.Started, w.Body.String())
	}
	if m := hiddenToken.FindStringSubmatch(w.Body.String()); m == nil || html.UnescapeString(m[1]) != token {
		t.Errorf("after a wrong code the page does not keep the token to try again")
	}

	w = post(p.LoginCodeSubmit, "/login/code", url.Values{"token": {token}, "code": {"123456"}, "next": {"/sent"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/sent" || len(a.Started) != 1 || !a.Started[0].KeepSignedIn {
		t.Fatalf("the right code: %d to %q, sessions %+v; want 303 to /sent and one kept session", w.Code, w.Header().Get("Location"), a.Started)
	}
	if !strings.Contains(w.Header().Get("Set-Cookie"), "imageapp_session=") {
		t.Errorf("no session cookie after the code: %q", w.Header().Get("Set-Cookie"))
	}

	w = post(p.LoginCodeSubmit, "/login/code", url.Values{"token": {"2fa-pending"}, "code": {"123456"}})
	if w.Code != http.StatusUnauthorized || len(a.Started) != 1 {
		t.Errorf("the service's token unsigned: %d, sessions %d; want 401 and no session", w.Code, len(a.Started))
	}
}

// TestLoginWithoutTwoFactorStartsTheSession: the password alone signs in
// whoever has not turned it on.
func TestLoginWithoutTwoFactorStartsTheSession(t *testing.T) {
	a := &webtest.Accounts{}
	p := newHandlers(a, &fakeMessaging{})
	p.Server.WithTwoFactor(&fakeTwoFactor{on: false})
	w := post(p.LoginSubmit, "/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}})
	if w.Code != http.StatusSeeOther || len(a.Started) != 1 {
		t.Fatalf("login without two-factor: %d, sessions %d; want 303 and a session: %s", w.Code, len(a.Started), w.Body.String())
	}
}

// TestTwoFactorSettingsForms: set up shows the QR code and the key in
// groups of four; a wrong code is 403 in the set-up page (not a 401 that
// reads as logged out); the right one shows the recovery codes; turning
// off with a wrong password says so in the card.
func TestTwoFactorSettingsForms(t *testing.T) {
	tf := &fakeTwoFactor{}
	p := newHandlers(&webtest.Accounts{}, &fakeMessaging{}).WithTwoFactor(tf)
	form := func(h http.HandlerFunc, target string, v url.Values) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h(w, asBob(http.MethodPost, target, strings.NewReader(v.Encode())))
		return w
	}
	w := form(p.TwoFactorEnrolSubmit, "/settings/two-factor/enrol", nil)
	if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, `src="data:image/png;base64,iVBORw0K"`) || !strings.Contains(body, "JBSW Y3DP EHPK 3PXP") {
		t.Fatalf("set up: %d; want the QR code and the grouped key: %s", w.Code, body)
	}
	if w := form(p.TwoFactorConfirmSubmit, "/settings/two-factor/confirm", url.Values{"code": {"000000"}}); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "That code is not right.") {
		t.Errorf("a wrong code: %d; want 403 and the refusal: %s", w.Code, w.Body.String())
	}
	w = form(p.TwoFactorConfirmSubmit, "/settings/two-factor/confirm", url.Values{"code": {"123456"}})
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<code>cccc-dddd</code>") {
		t.Errorf("the right code: %d; want the recovery codes: %s", w.Code, w.Body.String())
	}

	tf.on = true
	w = form(p.TwoFactorDisableSubmit, "/settings/two-factor/disable", url.Values{"password": {"wrong"}, "code": {"123456"}})
	card := w.Body.String()[strings.Index(w.Body.String(), `id="two-factor"`):]
	if w.Code != http.StatusForbidden || !strings.Contains(card[:strings.Index(card, "</section>")], "That password is not right.") || !tf.on {
		t.Errorf("turn off with a wrong password: %d, on %v; want 403 and the refusal in the card: %s", w.Code, tf.on, card)
	}
	w = form(p.TwoFactorDisableSubmit, "/settings/two-factor/disable", url.Values{"password": {"correct horse battery"}, "code": {"123456"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/settings?flash=two-factor-off#two-factor" || tf.on {
		t.Errorf("turn off: %d to %q, on %v; want 303 to the card with the flash", w.Code, w.Header().Get("Location"), tf.on)
	}
}

// TestTwoFactorEnrolWhenOnSaysSo: setting up two-factor that is on already
// shows the settings again, 409, with the refusal in the two-factor card,
// and no key.
func TestTwoFactorEnrolWhenOnSaysSo(t *testing.T) {
	p := newHandlers(&webtest.Accounts{}, &fakeMessaging{}).WithTwoFactor(&fakeTwoFactor{on: true})
	w := webtest.Serve(p.TwoFactorEnrolSubmit, form("/settings/two-factor/enrol", nil))
	if w.Code != http.StatusConflict || !strings.Contains(card(w.Body.String(), "two-factor"), "Two-factor is on already.") || strings.Contains(w.Body.String(), "JBSW") {
		t.Errorf("%d; want 409 with the refusal in the card, no key: %s", w.Code, card(w.Body.String(), "two-factor"))
	}
}

// TestLoginCodePageGoesToTheLogin: GET /login/code (a reload, a bookmark)
// goes back to the login: the code step lives only in the page the
// password answered with.
func TestLoginCodePageGoesToTheLogin(t *testing.T) {
	p := newHandlers(&webtest.Accounts{}, &fakeMessaging{})
	redirectsTo(t, webtest.Serve(p.LoginCodePage, httptest.NewRequest(http.MethodGet, "/login/code", nil)), "/login")
}
