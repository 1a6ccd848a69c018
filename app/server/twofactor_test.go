package server

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

const testPassword = "correct horse battery" // signUp's

// refill is how long login's limits (six tries, then one a minute) take to
// fill up again; the tests move their clock by it between rounds.
const refill = 10 * time.Minute

var (
	secretPattern   = regexp.MustCompile(`id="two-factor-secret"[^>]*>([A-Z2-7 ]+)<`)
	recoveryPattern = regexp.MustCompile(`<li[^>]*><code>([^<]+)</code></li>`)
	tokenPattern    = regexp.MustCompile(`name="token" value="([^"]+)"`)
)

// totpCode is the code an authenticator app shows at now for secret.
func totpCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrolPage sets two-factor up through the settings pages, reading the
// key from the page as a person types it, and returns the key and the
// recovery codes shown.
func enrolPage(t *testing.T, c *client, clk *clock) (string, []string) {
	t.Helper()
	r := c.postForm("/settings/two-factor/enrol", nil)
	m := secretPattern.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || !strings.Contains(r.body, `src="data:image/png;base64,`) {
		t.Fatalf("set up: %d; want the key and its QR code as a data: URL: %s", r.status, snippet(r.body))
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	r = c.postForm("/settings/two-factor/confirm", url.Values{"code": {"000000"}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "That code is not right") {
		t.Fatalf("confirm with a wrong code: %d; want 403 and the refusal in the page: %s", r.status, snippet(r.body))
	}
	r = c.postForm("/settings/two-factor/confirm", url.Values{"code": {totpCode(t, secret, clk.Now())}})
	var codes []string
	for _, m := range recoveryPattern.FindAllStringSubmatch(r.body, -1) {
		codes = append(codes, m[1])
	}
	if r.status != http.StatusOK || len(codes) != 10 {
		t.Fatalf("confirm: %d with %d recovery codes; want 10: %s", r.status, len(codes), snippet(r.body))
	}
	return secret, codes
}

// passwordStep logs c in with the password and returns the code step's
// token; no session has started.
func passwordStep(t *testing.T, c *client, username string, keep bool) string {
	t.Helper()
	form := url.Values{"username": {username}, "password": {testPassword}}
	if keep {
		form.Set("keep", "on")
	}
	r := c.postForm("/login", form)
	m := tokenPattern.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || !strings.Contains(r.body, "Enter your code") {
		t.Fatalf("password step: %d at %s; want the code page: %s", r.status, r.url, snippet(r.body))
	}
	if r := c.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("after the password alone: /api/me %d; want 401 (no session before the code)", r.status)
	}
	return html.UnescapeString(m[1])
}

// codeStep posts the code step and returns the answer.
func codeStep(c *client, token, code string) response {
	return c.postForm("/login/code", url.Values{"token": {token}, "code": {code}, "next": {"/sent"}})
}

// snippet is a page's main part, cut short, for a failure message.
func snippet(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	return body[:min(len(body), 1500)]
}

func signedIn(c *client) bool { return c.get("/api/me").status == http.StatusOK }

// TestTwoFactorPages: enrol from settings with the key read off the page,
// then log in with the password and a code; a wrong or used code is
// refused in the page, a recovery code works once, "keep me signed in"
// survives the code step, and turning it off takes the password and a code.
func TestTwoFactorPages(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	alice := app.signUp("alice")
	if r := alice.get("/settings"); !strings.Contains(r.body, `data-state="off"`) {
		t.Fatalf("settings before: want two-factor off: %s", snippet(r.body))
	}
	secret, recovery := enrolPage(t, alice, clk)
	if r := alice.get("/settings"); !strings.Contains(r.body, `data-state="on"`) {
		t.Fatalf("settings after confirming: want two-factor on")
	}
	alice.postForm("/logout", nil)

	clk.Add(refill)
	c := app.client()
	token := passwordStep(t, c, "alice", true)
	if r := codeStep(c, token, "123456"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "That code is not right") || signedIn(c) {
		t.Fatalf("a wrong code: %d signed in %v; want 401 and the refusal in the page: %s", r.status, signedIn(c), snippet(r.body))
	}
	code := totpCode(t, secret, clk.Now())
	if r := codeStep(c, token, code); r.status != http.StatusOK || r.url != "/sent" || !signedIn(c) {
		t.Fatalf("the right code: %d at %s; want signed in at /sent: %s", r.status, r.url, snippet(r.body))
	}
	if r := c.get("/api/me/sessions"); !strings.Contains(r.body, `"kept_signed_in":true`) {
		t.Errorf("keep me signed in did not survive the code step: %s", r.body)
	}

	clk.Add(refill)
	c = app.client()
	token = passwordStep(t, c, "alice", false)
	if r := codeStep(c, token, code); r.status != http.StatusUnauthorized || signedIn(c) {
		t.Fatalf("a used code again: %d; want it refused: %s", r.status, snippet(r.body))
	}
	if r := codeStep(c, token, recovery[0]); r.url != "/sent" || !signedIn(c) {
		t.Fatalf("a recovery code: %d at %s; want signed in: %s", r.status, r.url, snippet(r.body))
	}
	clk.Add(refill)
	c = app.client()
	token = passwordStep(t, c, "alice", false)
	if r := codeStep(c, token, recovery[0]); r.status != http.StatusUnauthorized || signedIn(c) {
		t.Fatalf("a recovery code used already: %d; want it refused: %s", r.status, snippet(r.body))
	}
	if r := codeStep(c, "forged", code); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Enter your username and password again") {
		t.Fatalf("a forged token: %d; want 401 and a new login: %s", r.status, snippet(r.body))
	}

	clk.Add(refill)
	off := func(password, code string) response {
		return alice.postForm("/settings/two-factor/disable", url.Values{"password": {password}, "code": {code}})
	}
	alice = app.client()
	codeStep(alice, passwordStep(t, alice, "alice", false), recovery[1])
	if r := off("wrong password", recovery[2]); r.status != http.StatusForbidden || !strings.Contains(r.body, "That password is not right") {
		t.Errorf("turn off with a wrong password: %d; want 403 and the refusal: %s", r.status, snippet(r.body))
	}
	if r := off(testPassword, "000000"); r.status != http.StatusForbidden || !strings.Contains(r.body, `data-state="on"`) {
		t.Errorf("turn off with a wrong code: %d; want 403 and still on: %s", r.status, snippet(r.body))
	}
	clk.Add(refill)
	if r := off(testPassword, recovery[3]); r.status != http.StatusOK || !strings.Contains(r.body, `data-state="off"`) || !strings.Contains(r.body, "Two-factor is off") {
		t.Fatalf("turn off with the password and a code: %d; want settings saying off: %s", r.status, snippet(r.body))
	}
	c = app.client()
	if r := c.postForm("/login", url.Values{"username": {"alice"}, "password": {testPassword}}); r.url != "/inbox" || !signedIn(c) {
		t.Errorf("login after turning it off: %d at %s; want the password alone to sign in", r.status, r.url)
	}
}

// TestTwoFactorAPI: the JSON twins. POST /api/login answers
// {"second_factor": true, "token"} and no session; POST /api/login/code
// starts it; enrol, confirm and DELETE /api/me/two-factor.
func TestTwoFactorAPI(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	bob := app.signUp("bob")
	if r := app.client().get("/api/me/two-factor"); r.status != http.StatusUnauthorized {
		t.Errorf("two-factor settings without a session: %d; want 401", r.status)
	}
	var enrol struct{ Secret, QR, OtpauthURL string }
	r := bob.postJSON("/api/me/two-factor/enrol", nil)
	if err := json.Unmarshal([]byte(r.body), &enrol); err != nil || r.status != http.StatusOK || enrol.Secret == "" || !strings.HasPrefix(enrol.QR, "data:image/png;base64,") {
		t.Fatalf("enrol: %d %s (%v)", r.status, r.body, err)
	}
	if r := bob.postJSON("/api/me/two-factor/confirm", map[string]string{"code": "000000"}); r.status != http.StatusForbidden || !strings.Contains(r.body, `"code"`) {
		t.Errorf("confirm with a wrong code: %d %s; want 403 and the error shape", r.status, snippet(r.body))
	}
	var on struct {
		TwoFactor     struct{ Enabled bool } `json:"two_factor"`
		RecoveryCodes []string               `json:"recovery_codes"`
	}
	r = bob.postJSON("/api/me/two-factor/confirm", map[string]string{"code": totpCode(t, enrol.Secret, clk.Now())})
	if err := json.Unmarshal([]byte(r.body), &on); err != nil || r.status != http.StatusOK || !on.TwoFactor.Enabled || len(on.RecoveryCodes) != 10 {
		t.Fatalf("confirm: %d %s (%v)", r.status, r.body, err)
	}
	if r := bob.postJSON("/api/me/two-factor/enrol", nil); r.status != http.StatusConflict {
		t.Errorf("enrol again while on: %d %s; want 409", r.status, snippet(r.body))
	}
	if r := bob.get("/api/me/two-factor"); r.body != "{\"two_factor\":{\"enabled\":true}}\n" {
		t.Errorf("GET /api/me/two-factor: %s", r.body)
	}

	clk.Add(refill)
	c := app.client()
	var step struct {
		SecondFactor bool `json:"second_factor"`
		Token        string
		ExpiresIn    int `json:"expires_in"`
	}
	r = c.postJSON("/api/login", map[string]string{"username": "bob", "password": testPassword})
	if err := json.Unmarshal([]byte(r.body), &step); err != nil || r.status != http.StatusOK || !step.SecondFactor || step.Token == "" || step.ExpiresIn != 300 || strings.Contains(r.body, `"user"`) {
		t.Fatalf("login with the password: %d %s (%v); want the code step", r.status, r.body, err)
	}
	if signedIn(c) {
		t.Fatal("signed in before the code")
	}
	if r := c.postJSON("/api/login/code", map[string]string{"token": step.Token, "code": "000000"}); r.status != http.StatusUnauthorized || signedIn(c) {
		t.Errorf("a wrong code: %d %s; want 401", r.status, snippet(r.body))
	}
	r = c.postJSON("/api/login/code", map[string]string{"token": step.Token, "code": totpCode(t, enrol.Secret, clk.Now())})
	if r.status != http.StatusOK || !strings.Contains(r.body, `"username":"bob"`) || !signedIn(c) {
		t.Fatalf("the right code: %d %s; want bob signed in", r.status, snippet(r.body))
	}

	clk.Add(refill)
	loginAPI := func() string {
		r := c.postJSON("/api/login", map[string]string{"username": "bob", "password": testPassword})
		if err := json.Unmarshal([]byte(r.body), &step); err != nil || !step.SecondFactor {
			t.Fatalf("login with the password: %d %s (%v); want the code step", r.status, r.body, err)
		}
		return step.Token
	}
	c = app.client()
	token := loginAPI()
	for range 5 {
		c.postJSON("/api/login/code", map[string]string{"token": token, "code": "000000"})
	}
	r = c.postJSON("/api/login/code", map[string]string{"token": token, "code": totpCode(t, enrol.Secret, clk.Now())})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Enter your username and password again") || signedIn(c) {
		t.Errorf("the right code after five wrong ones: %d %s; want the password asked again", r.status, r.body)
	}
	clk.Add(refill)
	token = loginAPI()
	clk.Add(6 * time.Minute)
	r = c.postJSON("/api/login/code", map[string]string{"token": token, "code": totpCode(t, enrol.Secret, clk.Now())})
	if r.status != http.StatusUnauthorized || signedIn(c) {
		t.Errorf("the right code six minutes after the password: %d %s; want the password asked again", r.status, r.body)
	}
	token = loginAPI()
	r = c.postJSON("/api/login/code", map[string]string{"token": token, "code": on.RecoveryCodes[1]})
	if r.status != http.StatusOK || !signedIn(c) {
		t.Fatalf("a recovery code: %d %s; want signed in", r.status, r.body)
	}

	disable := func(password, code string) response {
		b, _ := json.Marshal(map[string]string{"password": password, "code": code})
		req, _ := http.NewRequest(http.MethodDelete, app.server.URL+"/api/me/two-factor", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		return c.do(req)
	}
	if r := disable(testPassword, "000000"); r.status != http.StatusForbidden {
		t.Errorf("turn off with a wrong code: %d %s; want 403", r.status, snippet(r.body))
	}
	if r := disable(testPassword, on.RecoveryCodes[0]); r.status != http.StatusNoContent {
		t.Fatalf("turn off: %d %s; want 204", r.status, snippet(r.body))
	}
	r = app.client().postJSON("/api/login", map[string]string{"username": "bob", "password": testPassword})
	if r.status != http.StatusOK || !strings.Contains(r.body, `"username":"bob"`) {
		t.Errorf("login after turning it off: %d %s; want signed in by the password", r.status, snippet(r.body))
	}
}
