package server

import (
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"imageapp/app/messaging"
)

// mailsTo are the outbox mails to email, oldest first.
func mailsTo(t *testing.T, app *testApp, email string) []string {
	t.Helper()
	paths := outbox(t, app)
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		must(t, err)
		if strings.Contains(string(raw), "To: "+email+"\r\n") {
			out = append(out, string(raw))
		}
	}
	return out
}

// waitMail waits for a mail to email that says what (notifications are
// mailed in the background).
func waitMail(t *testing.T, app *testApp, email, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, m := range mailsTo(t, app, email) {
			if strings.Contains(m, what) {
				return
			}
		}
	}
	t.Errorf("no mail to %s says %q", email, what)
}

// TestEmailChangeThroughTheForms: the settings page offers the change; a
// request mails a code to the new address and nothing else changes (the
// page says what it waits for, reset codes and notifications still go to
// the old address); a wrong code is refused; the right one moves the
// account, tells the old address, and the next notification and reset
// code go to the new one. Cancel forgets a waiting change.
func TestEmailChangeThroughTheForms(t *testing.T) {
	clock := &testClock{t: time.Now().UTC()}
	app := startApp(t, t.TempDir(), func(c *Config) { c.Now = clock.now })
	alice := app.signUp("alice")
	app.signUp("bob")
	const oldEmail, newEmail = "alice@example.com", "alice.new@example.com"

	page := alice.get("/settings")
	for _, want := range []string{`action="/settings/email"`, `name="new_email"`, oldEmail} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the settings page has no %s", want)
		}
	}
	r := alice.postForm("/settings/email", url.Values{"new_email": {newEmail}, "password": {"not my password"}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "That is not your password.") {
		t.Errorf("a wrong password: %d; want 403 saying so", r.status)
	}
	if n := len(mailsTo(t, app, newEmail)); n != 0 {
		t.Fatalf("a refused request mailed the new address %d times", n)
	}
	r = alice.postForm("/settings/email", url.Values{"new_email": {newEmail}, "password": {"correct horse battery"}})
	if r.status != http.StatusOK || r.url != "/settings" || !strings.Contains(r.body, "Waiting for you to confirm") ||
		!strings.Contains(r.body, newEmail) || !strings.Contains(r.body, `action="/settings/email/confirm"`) {
		t.Fatalf("request the change: %d at %s; want the settings page waiting for the code", r.status, r.url)
	}
	code := app.codeFor(newEmail)

	// Until the code: the old address gets everything.
	app.sendDirect("bob", "alice", 1)
	waitMail(t, app, oldEmail, "New image from bob")
	must(t, checkStatus(app.client().postJSON("/api/password/forgot", map[string]string{"username": "alice"}), http.StatusAccepted))
	waitMail(t, app, oldEmail, "password reset code")
	if got := mailsTo(t, app, newEmail); len(got) != 1 {
		t.Errorf("before the code the new address got %d mails; want only the code", len(got))
	}

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r = alice.postForm("/settings/email/confirm", url.Values{"code": {wrong}, "password": {"correct horse battery"}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `aria-describedby="email-error"`) {
		t.Errorf("a wrong code: %d; want 400 with the error by the code field", r.status)
	}
	r = alice.postForm("/settings/email/confirm", url.Values{"code": {code}, "password": {"correct horse battery"}})
	if r.status != http.StatusOK || r.url != "/settings" || !strings.Contains(r.body, "Email changed.") ||
		strings.Contains(r.body, "Waiting for you to confirm") {
		t.Fatalf("confirm the change: %d at %s; want the settings page saying so", r.status, r.url)
	}
	notices := mailsTo(t, app, oldEmail)
	last := notices[len(notices)-1]
	if !strings.Contains(last, "Your ImageApp email was changed to a…@example.com. If this wasn't you, reset your password.") {
		t.Errorf("the old address's last mail is not the notice:\n%s", last)
	}

	clock.advance(messaging.DefaultMailWindow) // within it, the image would wait for a digest
	app.sendDirect("bob", "alice", 1)
	waitMail(t, app, newEmail, "New image from bob")
	must(t, checkStatus(app.client().postJSON("/api/password/forgot", map[string]string{"username": "alice"}), http.StatusAccepted))
	waitMail(t, app, newEmail, "password reset code")
	if r := alice.get("/api/me/email"); !strings.Contains(r.body, `"address":"`+newEmail+`"`) {
		t.Errorf("GET /api/me/email = %s; want the new address", r.body)
	}
	if r := app.client().postForm("/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}}); r.url != "/inbox" {
		t.Errorf("login after the change: at %s; want the inbox", r.url)
	}

	// Cancel: the waiting change and its code are forgotten.
	r = alice.postForm("/settings/email", url.Values{"new_email": {"third@example.com"}, "password": {"correct horse battery"}})
	third := app.codeFor("third@example.com")
	r = alice.postForm("/settings/email/cancel", nil)
	if r.url != "/settings" || strings.Contains(r.body, "Waiting for you to confirm") {
		t.Errorf("cancel: at %s, still waiting", r.url)
	}
	r = alice.postJSON("/api/me/email/confirm", map[string]string{"code": third, "password": "correct horse battery"})
	if r.status != http.StatusBadRequest {
		t.Errorf("the code of a cancelled change: %d %s; want 400", r.status, r.body)
	}
}

// TestEmailChangeJSON: the JSON twins report, request, refuse and confirm.
func TestEmailChangeJSON(t *testing.T) {
	app := startApp(t, t.TempDir(), generousLimits)
	c := app.signUp("carol")
	r := c.postJSON("/api/me/email", map[string]string{"new_email": "carol@example.com", "password": "correct horse battery"})
	if r.status != http.StatusBadRequest {
		t.Errorf("the same address: %d; want 400", r.status)
	}
	r = c.postJSON("/api/me/email", map[string]string{"new_email": "c2@example.com", "password": "correct horse battery"})
	if r.status != http.StatusAccepted || !strings.Contains(r.body, `"pending":"c2@example.com"`) {
		t.Fatalf("POST /api/me/email: %d %s; want 202 with the pending address", r.status, r.body)
	}
	if r := c.get("/api/me/email"); !strings.Contains(r.body, `"address":"carol@example.com","pending":"c2@example.com"`) {
		t.Errorf("GET /api/me/email while waiting = %s", r.body)
	}
	r = c.postJSON("/api/me/email/confirm", map[string]string{"code": app.codeFor("c2@example.com"), "password": "correct horse battery"})
	if r.status != http.StatusOK || !strings.Contains(r.body, `"address":"c2@example.com","pending":""`) {
		t.Errorf("POST /api/me/email/confirm: %d %s", r.status, r.body)
	}

	// The new address is mailed at most as often as a sign-up's, even from
	// the owner's own browser.
	for i := range 6 {
		r := c.postJSON("/api/me/email", map[string]string{"new_email": "C3+x@example.com", "password": "correct horse battery"})
		if want := map[bool]int{true: http.StatusTooManyRequests, false: http.StatusAccepted}[i == 5]; r.status != want {
			t.Fatalf("request %d for one address: %d %s; want %d", i+1, r.status, r.body, want)
		}
	}
	if n := len(mailsTo(t, app, "C3+x@example.com")); n != 5 {
		t.Errorf("the new address got %d codes; want 5", n)
	}
}
