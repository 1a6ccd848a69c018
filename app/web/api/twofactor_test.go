package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/twofactor"
	"imageapp/app/web/webtest"
)

// fakeTwoFactor is bob's two-factor: the app's code is 123456; err, when
// set, is what Enabled answers.
type fakeTwoFactor struct {
	on  bool
	err error
}

func (f *fakeTwoFactor) Enabled(context.Context, imageapp.User) (bool, error) { return f.on, f.err }

func (f *fakeTwoFactor) StartLogin(context.Context, imageapp.User) (string, error) {
	return "2fa-pending", nil
}

func (f *fakeTwoFactor) FinishLogin(_ context.Context, token, code string) (imageapp.User, error) {
	if token != "2fa-pending" || code != "123456" {
		return imageapp.User{}, imageapp.Errorf(imageapp.EUNAUTHORIZED, "That code is not right.")
	}
	return bob, nil
}

func (f *fakeTwoFactor) Enrol(context.Context, imageapp.User) (twofactor.Enrolment, error) {
	if f.on {
		return twofactor.Enrolment{}, imageapp.Errorf(imageapp.ECONFLICT, "Two-factor is on already.")
	}
	return twofactor.Enrolment{Secret: "JBSWY3DPEHPK3PXP", URL: "otpauth://totp/x", QR: "data:image/png;base64,iVBORw0K"}, nil
}

func (f *fakeTwoFactor) Confirm(_ context.Context, _ imageapp.User, code string) ([]string, error) {
	if code != "123456" {
		return nil, imageapp.Errorf(imageapp.EUNAUTHORIZED, "That code is not right.")
	}
	f.on = true
	return []string{"aaaa-bbbb"}, nil
}

func (f *fakeTwoFactor) Disable(_ context.Context, _ imageapp.Requester, _ imageapp.User, password, code string) error {
	if password != "correct horse battery" {
		return imageapp.ErrWrongLogin()
	}
	f.on = false
	return nil
}

func newTwoFactorAPI(a *webtest.Accounts, tf *fakeTwoFactor) *Handlers {
	h := newHandlers(a, &fakeMessaging{})
	h.Server.WithTwoFactor(tf) // the login's code step
	return h.WithTwoFactor(tf)
}

func postJSON(h http.HandlerFunc, r *http.Request, body string) *httptest.ResponseRecorder {
	if r == nil {
		r = httptest.NewRequest(http.MethodPost, "/api/x", nil)
	}
	r.Body = io.NopCloser(strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h(w, r)
	return w
}

// TestLoginAnswersTheCodeStep: POST /api/login for someone with
// two-factor on is 200 {"second_factor": true, "token", "expires_in"}
// with no user and no session; POST /api/login/code with a wrong code is
// 401 in the error shape; with the right one, the session and the user.
func TestLoginAnswersTheCodeStep(t *testing.T) {
	a := &webtest.Accounts{}
	h := newTwoFactorAPI(a, &fakeTwoFactor{on: true})
	w := postJSON(h.Login, nil, `{"username":"bob","password":"correct horse battery","keep":true}`)
	var step struct {
		SecondFactor bool   `json:"second_factor"`
		Token        string `json:"token"`
		ExpiresIn    int    `json:"expires_in"`
		User         any    `json:"user"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &step); err != nil || w.Code != http.StatusOK || !step.SecondFactor || step.Token == "" || step.ExpiresIn != 300 || step.User != nil {
		t.Fatalf("login: %d %s (%v); want the code step", w.Code, w.Body, err)
	}
	if len(a.Started) != 0 || w.Header().Get("Set-Cookie") != "" {
		t.Fatalf("a session before the code: %d, cookie %q", len(a.Started), w.Header().Get("Set-Cookie"))
	}
	w = postJSON(h.LoginCode, nil, `{"token":"`+step.Token+`","code":"000000"}`)
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), `{"error":{"code":"`) || len(a.Started) != 0 {
		t.Errorf("a wrong code: %d %s; want 401 in the error shape", w.Code, w.Body)
	}
	w = postJSON(h.LoginCode, nil, `{"token":"`+step.Token+`","code":"123456"}`)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"username":"bob"`) || len(a.Started) != 1 || w.Header().Get("Set-Cookie") == "" {
		t.Errorf("the right code: %d %s, sessions %d; want bob signed in", w.Code, w.Body, len(a.Started))
	}
	w = postJSON(h.LoginCode, nil, `{"token":"","code":"123456"}`)
	if w.Code != http.StatusBadRequest {
		t.Errorf("no token: %d %s; want 400", w.Code, w.Body)
	}
}

// TestTwoFactorSettingsJSON: enrol answers the key, its otpauth URL and
// the QR code; a wrong code or password is 403, not a 401 that the client
// would take for a session that ended; confirm answers the recovery codes.
func TestTwoFactorSettingsJSON(t *testing.T) {
	tf := &fakeTwoFactor{}
	h := newTwoFactorAPI(&webtest.Accounts{}, tf)
	w := postJSON(h.TwoFactorEnrol, asBob(http.MethodPost, "/api/me/two-factor/enrol"), `{}`)
	if want := `{"secret":"JBSWY3DPEHPK3PXP","otpauth_url":"otpauth://totp/x","qr":"data:image/png;base64,iVBORw0K"}` + "\n"; w.Body.String() != want {
		t.Errorf("enrol: %d %s; want %s", w.Code, w.Body, want)
	}
	if w := postJSON(h.TwoFactorConfirm, asBob(http.MethodPost, "/api/me/two-factor/confirm"), `{"code":"000000"}`); w.Code != http.StatusForbidden {
		t.Errorf("a wrong code: %d %s; want 403", w.Code, w.Body)
	}
	w = postJSON(h.TwoFactorConfirm, asBob(http.MethodPost, "/api/me/two-factor/confirm"), `{"code":"123456"}`)
	if want := `{"two_factor":{"enabled":true},"recovery_codes":["aaaa-bbbb"]}` + "\n"; w.Body.String() != want {
		t.Errorf("confirm: %d %s; want %s", w.Code, w.Body, want)
	}
	w = postJSON(h.TwoFactorDisable, asBob(http.MethodDelete, "/api/me/two-factor"), `{"password":"wrong","code":"123456"}`)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "That password is not right.") || !tf.on {
		t.Errorf("turn off with a wrong password: %d %s; want 403 and still on", w.Code, w.Body)
	}
	w = postJSON(h.TwoFactorDisable, asBob(http.MethodDelete, "/api/me/two-factor"), `{"password":"correct horse battery","code":"123456"}`)
	if w.Code != http.StatusNoContent || tf.on {
		t.Errorf("turn off: %d %s; want 204 and off", w.Code, w.Body)
	}
}

// TestMyTwoFactorSaysWhetherItIsOn: GET /api/me/two-factor says whether
// two-factor is on; a state the service cannot read is its 503 and words.
func TestMyTwoFactorSaysWhetherItIsOn(t *testing.T) {
	for on, want := range map[bool]string{true: `{"two_factor":{"enabled":true}}`, false: `{"two_factor":{"enabled":false}}`} {
		w := webtest.Serve(newTwoFactorAPI(&webtest.Accounts{}, &fakeTwoFactor{on: on}).MyTwoFactor, asBob(http.MethodGet, "/api/me/two-factor"))
		if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != want {
			t.Errorf("on %v: %d %s; want 200 %s", on, w.Code, got, want)
		}
	}
	tf := &fakeTwoFactor{err: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w := webtest.Serve(newTwoFactorAPI(&webtest.Accounts{}, tf).MyTwoFactor, asBob(http.MethodGet, "/api/me/two-factor"))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." {
		t.Errorf("unreadable: %d %s %q; want 503 with the service's words", w.Code, code, msg)
	}
}

// TestTwoFactorEnrolWhenOnIs409: setting up two-factor that is on already
// is a 409 that says so, and no key.
func TestTwoFactorEnrolWhenOnIs409(t *testing.T) {
	w := postJSON(newTwoFactorAPI(&webtest.Accounts{}, &fakeTwoFactor{on: true}).TwoFactorEnrol, asBob(http.MethodPost, "/api/me/two-factor/enrol"), `{}`)
	if code, msg := apiError(t, w); w.Code != http.StatusConflict || code != imageapp.ECONFLICT || msg != "Two-factor is on already." || strings.Contains(w.Body.String(), "secret") {
		t.Errorf("%d %s %q; want 409 saying it is on, no key", w.Code, code, msg)
	}
}
