package server

// Sign-in people keep (issue 29, items 1 and 2), end to end: confirming the
// email code signs in the browser that signed up, and only that one; "Keep
// me signed in on this device" makes a session of 30 days, sliding, listed
// as such and ended like any other.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const signinPassword = "correct horse battery"

// signUpOnly signs name up through the form, without confirming.
func (a *testApp) signUpOnly(c *client, name string) {
	a.t.Helper()
	r := c.postForm("/signup", url.Values{"username": {name}, "email": {name + "@example.com"}, "password": {signinPassword}})
	if r.status != http.StatusOK || r.url != "/verify" {
		a.t.Fatalf("sign-up %s: %d at %s: %s", name, r.status, r.url, r.body)
	}
}

func TestVerifySignsInTheBrowserThatSignedUp(t *testing.T) {
	app := startApp(t, t.TempDir())
	c := app.client()
	app.signUpOnly(c, "alice")
	r := c.postForm("/verify", url.Values{"username": {"alice"}, "code": {app.codeFor("alice@example.com")}})
	if r.status != http.StatusOK || r.url != "/inbox" {
		t.Fatalf("verify from the browser that signed up: %d at %s, want the inbox, signed in", r.status, r.url)
	}
	if !strings.Contains(r.body, "You are logged in") {
		t.Errorf("the inbox does not say the confirmation logged in")
	}
	if r := c.get("/api/me"); r.status != http.StatusOK || !strings.Contains(r.body, `"alice"`) {
		t.Fatalf("after verify: /api/me %d %s", r.status, r.body)
	}
	// The proof is spent: it is cleared once used. The browser is a known
	// device of alice's, as after a login (its own login-limit bucket).
	device := false
	for _, k := range c.cookies() {
		if strings.HasSuffix(k.Name, "-signup") {
			t.Errorf("the sign-up proof cookie is still there after use")
		}
		device = device || k.Name == "imageapp_device"
	}
	if !device {
		t.Errorf("no device cookie after the code signed in: the browser stays unknown to the login limiter")
	}
	// One session, listed like any other.
	var list struct {
		Sessions []struct {
			Current bool `json:"current"`
			Kept    bool `json:"kept_signed_in"`
		} `json:"sessions"`
	}
	r = c.get("/api/me/sessions")
	if err := json.Unmarshal([]byte(r.body), &list); err != nil || len(list.Sessions) != 1 || !list.Sessions[0].Current || list.Sessions[0].Kept {
		t.Fatalf("sessions after verify: %v %s", err, r.body)
	}
}

func TestVerifyJSONSignsIn(t *testing.T) {
	app := startApp(t, t.TempDir())
	c := app.client()
	if r := c.postJSON("/api/signup", map[string]string{"username": "bob", "email": "bob@example.com", "password": signinPassword}); r.status != http.StatusCreated {
		t.Fatalf("signup: %d %s", r.status, r.body)
	}
	r := c.postJSON("/api/verify", map[string]string{"username": "bob", "code": app.codeFor("bob@example.com")})
	if r.status != http.StatusOK || !strings.Contains(r.body, `"signed_in":true`) {
		t.Fatalf("verify: %d %s, want signed_in", r.status, r.body)
	}
	if r := c.get("/api/me"); r.status != http.StatusOK {
		t.Fatalf("after /api/verify: /api/me %d", r.status)
	}
}

func TestVerifyElsewhereOnlyConfirms(t *testing.T) {
	app := startApp(t, t.TempDir())
	signer := app.client()
	app.signUpOnly(signer, "carol")
	other := app.client() // another browser, or a script: no proof of the sign-up
	r := other.postForm("/verify", url.Values{"username": {"carol"}, "code": {app.codeFor("carol@example.com")}})
	if r.status != http.StatusOK || r.url != "/login" {
		t.Fatalf("verify from another browser: %d at %s, want the login page", r.status, r.url)
	}
	if r := other.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("the other browser is signed in: %d", r.status)
	}
	if r := signer.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("the browser that signed up is signed in without confirming: %d", r.status)
	}
	// The account is confirmed: the password logs in.
	if r := other.postForm("/login", url.Values{"username": {"carol"}, "password": {signinPassword}}); r.url != "/inbox" {
		t.Fatalf("login after a confirmation elsewhere: %d at %s", r.status, r.url)
	}

	// A proof for another name signs nobody in: dave's sign-up browser
	// confirms erin's code.
	both := app.client()
	app.signUpOnly(both, "dave")
	app.signUpOnly(app.client(), "erin")
	r = both.postJSON("/api/verify", map[string]string{"username": "erin", "code": app.codeFor("erin@example.com")})
	if r.status != http.StatusOK || strings.Contains(r.body, "signed_in") {
		t.Fatalf("verify of another name: %d %s, want confirmed and not signed in", r.status, r.body)
	}
	if r := both.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("a proof for dave signed erin in: %d", r.status)
	}
}

func TestVerifyProofExpires(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	c := app.client()
	app.signUpOnly(c, "frank")
	clk.Add(signUpProofAge + time.Minute) // the code is still good (24 h); the proof is not
	r := c.postForm("/verify", url.Values{"username": {"frank"}, "code": {app.codeFor("frank@example.com")}})
	if r.status != http.StatusOK || r.url != "/login" {
		t.Fatalf("verify after the proof's hour: %d at %s, want the login page", r.status, r.url)
	}
}

// signUpProofAge mirrors web.signUpProofFor.
const signUpProofAge = time.Hour

func TestVerifyPageNamesTheOutboxAndFocusesTheCode(t *testing.T) {
	dir := t.TempDir()
	app := startApp(t, dir)
	r := app.client().get("/verify?username=alice")
	if !strings.Contains(r.body, filepath.Join(dir, "outbox")) || !strings.Contains(r.body, `id="outbox-hint"`) {
		t.Errorf("the verify page does not say where the code is (%s)", filepath.Join(dir, "outbox"))
	}
	if !strings.Contains(r.body, `autocomplete="one-time-code" required autofocus`) {
		t.Errorf("the verify page's code field has no autofocus")
	}
}

// loginKept logs name in on a new client, ticking "Keep me signed in" or not.
func (a *testApp) loginKept(name string, keep bool) *client {
	a.t.Helper()
	c := a.client()
	form := url.Values{"username": {name}, "password": {signinPassword}}
	if keep {
		form.Set("keep", "on")
	}
	if r := c.postForm("/login", form); r.url != "/inbox" {
		a.t.Fatalf("login %s: %d at %s", name, r.status, r.url)
	}
	return c
}

func TestKeepSignedInLastsThirtyDaysSliding(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	app.signUp("alice")
	plain := app.loginKept("alice", false)
	kept := app.loginKept("alice", true)

	// Past today's idle (2 h) rule, and then past the 12 h one, with use.
	clk.Add(3 * time.Hour)
	if r := plain.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("a plain session 3 h idle: %d, want 401 (today's rule)", r.status)
	}
	if r := kept.get("/api/me"); r.status != http.StatusOK {
		t.Fatalf("a kept session 3 h idle: %d", r.status)
	}
	clk.Add(10 * time.Hour)
	if r := kept.get("/api/me"); r.status != http.StatusOK {
		t.Fatalf("a kept session 13 h after login: %d", r.status)
	}
	// The plain session, past its hours, is no longer listed as logged in.
	if r := kept.get("/api/me/sessions"); strings.Count(r.body, `"id":`) != 1 || !strings.Contains(r.body, `"current":true,"kept_signed_in":true`) {
		t.Errorf("13 h on, the sessions listed are %s; want only this kept one", r.body)
	}
	// Sliding: used every 20 days, it outlives 30 days from login.
	for range 3 {
		clk.Add(20 * 24 * time.Hour)
		r := kept.get("/settings")
		if r.status != http.StatusOK || r.url != "/settings" {
			t.Fatalf("a kept session used every 20 days: %d at %s", r.status, r.url)
		}
		if !strings.Contains(r.body, "Kept signed in") {
			t.Errorf("the settings page does not mark the kept session")
		}
		if age := cookieMaxAge(t, r.header); age != 30*24*3600 {
			t.Errorf("the refreshed cookie's Max-Age = %d, want 30 days", age)
		}
	}
	// 30 days unused: ended, cookie or not.
	clk.Add(30*24*time.Hour + time.Minute)
	if r := kept.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("a kept session unused for 30 days: %d, want 401", r.status)
	}
}

// cookieMaxAge is the Max-Age of the session cookie a reply sets (-1: none).
func cookieMaxAge(t *testing.T, h http.Header) int {
	t.Helper()
	for _, k := range (&http.Response{Header: h}).Cookies() {
		if strings.HasSuffix(k.Name, "imageapp_session") {
			return k.MaxAge
		}
	}
	return -1
}

func TestKeepSignedInJSONAndCookie(t *testing.T) {
	app := startApp(t, t.TempDir())
	app.signUp("alice")
	c := app.client()
	r := c.postJSON("/api/login", map[string]any{"username": "alice", "password": signinPassword, "keep": true})
	if r.status != http.StatusOK {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	if age := cookieMaxAge(t, r.header); age != 30*24*3600 {
		t.Errorf("a kept login's cookie Max-Age = %d, want 30 days", age)
	}
	r = c.get("/api/me/sessions")
	if !strings.Contains(r.body, `"current":true,"kept_signed_in":true`) {
		t.Errorf("the kept session is not listed as kept: %s", r.body)
	}
	plain := app.client()
	r = plain.postJSON("/api/login", map[string]any{"username": "alice", "password": signinPassword, "keep": false})
	if age := cookieMaxAge(t, r.header); age != 12*3600 {
		t.Errorf("a plain login's cookie Max-Age = %d, want 12 h", age)
	}
}

func TestKeptSessionEndsAtOnce(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	laptop := app.signUp("alice")

	// Ended from another device.
	kept := app.loginKept("alice", true)
	var list struct {
		Sessions []struct {
			ID   string `json:"id"`
			Kept bool   `json:"kept_signed_in"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(laptop.get("/api/me/sessions").body), &list); err != nil {
		t.Fatal(err)
	}
	var keptID string
	for _, s := range list.Sessions {
		if s.Kept {
			keptID = s.ID
		}
	}
	if keptID == "" {
		t.Fatalf("no kept session listed: %+v", list)
	}
	if r := laptop.delete("/api/me/sessions/" + keptID); r.status != http.StatusNoContent {
		t.Fatalf("end the kept session: %d %s", r.status, r.body)
	}
	if r := kept.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("an ended kept session still works: %d", r.status)
	}

	// A password change (from another device) ends it, 20 days on.
	kept = app.loginKept("alice", true)
	clk.Add(20 * 24 * time.Hour)
	laptop = app.loginKept("alice", false)
	if r := laptop.postJSON("/api/me/password", map[string]string{"current_password": signinPassword, "new_password": "another long password"}); r.status >= 300 {
		t.Fatalf("change password: %d %s", r.status, r.body)
	}
	if r := kept.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("a kept session survives a password change: %d", r.status)
	}

	// Deleting the account ends it.
	kept = app.client()
	if r := kept.postJSON("/api/login", map[string]any{"username": "alice", "password": "another long password", "keep": true}); r.status != http.StatusOK {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	copyOf := app.client()
	kept.copyCookies(copyOf)
	if r := laptop.do(jsonRequest(t, app, http.MethodDelete, "/api/me", `{"password":"another long password"}`)); r.status != http.StatusNoContent {
		t.Fatalf("delete account: %d %s", r.status, r.body)
	}
	if r := copyOf.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Fatalf("a kept session survives the account's deletion: %d", r.status)
	}
}

// TestKeptSessionEndsOnAnotherInstance: two instances on one data
// directory. A session kept signed in on instance two, alive 20 days on, is
// refused there at once when instance one ends it, changes the password or
// deletes the account.
func TestKeptSessionEndsOnAnotherInstance(t *testing.T) {
	const newPassword = "another long password"
	ways := map[string]func(t *testing.T, laptop *client, keptID string){
		"ended from the list": func(t *testing.T, laptop *client, keptID string) {
			if r := laptop.delete("/api/me/sessions/" + keptID); r.status != http.StatusNoContent {
				t.Fatalf("end the kept session: %d %s", r.status, r.body)
			}
		},
		"password changed": func(t *testing.T, laptop *client, _ string) {
			if r := laptop.postJSON("/api/me/password", map[string]string{"current_password": signinPassword, "new_password": newPassword}); r.status != http.StatusNoContent {
				t.Fatalf("change the password: %d %s", r.status, r.body)
			}
		},
		"account deleted": func(t *testing.T, laptop *client, _ string) {
			if r := laptop.do(jsonRequest(t, laptop.app, http.MethodDelete, "/api/me", `{"password":"`+signinPassword+`"}`)); r.status != http.StatusNoContent {
				t.Fatalf("delete the account: %d %s", r.status, r.body)
			}
		},
	}
	for name, act := range ways {
		t.Run(name, func(t *testing.T) {
			dir, clk := t.TempDir(), newClock()
			one := startApp(t, dir, withClock(clk))
			two := startApp(t, dir, withClock(clk))
			one.signUp("alice")
			kept := two.loginKept("alice", true)

			clk.Add(20 * 24 * time.Hour)
			if r := kept.get("/api/me"); r.status != http.StatusOK {
				t.Fatalf("the kept session on instance two, 20 days on: %d, want 200", r.status)
			}
			laptop := one.loginKept("alice", false)
			var list struct {
				Sessions []struct {
					ID   string `json:"id"`
					Kept bool   `json:"kept_signed_in"`
				} `json:"sessions"`
			}
			if err := json.Unmarshal([]byte(laptop.get("/api/me/sessions").body), &list); err != nil {
				t.Fatal(err)
			}
			keptID := ""
			for _, s := range list.Sessions {
				if s.Kept {
					keptID = s.ID
				}
			}
			if keptID == "" {
				t.Fatalf("instance one does not list the kept session: %+v", list)
			}
			act(t, laptop, keptID)
			if r := kept.get("/api/me"); r.status != http.StatusUnauthorized {
				t.Errorf("the kept session on instance two after %s on instance one: %d, want 401", name, r.status)
			}
		})
	}
}
