package server

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"imageapp/app/messaging"
)

const newPassword = "a brand new passphrase"

// loginAs logs a fresh client in through the form, as a second device.
func (a *testApp) loginAs(username, password string) *client {
	a.t.Helper()
	c := a.client()
	if r := c.postForm("/login", url.Values{"username": {username}, "password": {password}}); r.url != "/inbox" {
		a.t.Fatalf("login %s: %d at %s", username, r.status, r.url)
	}
	return c
}

// TestChangePasswordEndsOtherSessions: two devices logged in as alice; a
// wrong current password (403) or a weak new one (400) changes nothing and
// logs nobody out; a change on one device logs the other out (401, and the
// login page for pages) while the first stays in; only the new password
// logs in afterwards. The JSON twin answers 204 and keeps its session too.
func TestChangePasswordEndsOtherSessions(t *testing.T) {
	app := startApp(t, t.TempDir())
	phone := app.signUp("alice")
	laptop := app.loginAs("alice", "correct horse battery")

	page := phone.get("/settings")
	for _, want := range []string{`action="/settings/password"`, `name="current_password"`, `autocomplete="current-password"`,
		`name="new_password"`, `autocomplete="new-password"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the settings page has no %s", want)
		}
	}
	r := phone.postForm("/settings/password", url.Values{"current_password": {"not my password"}, "new_password": {newPassword}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "That is not your current password.") ||
		!strings.Contains(r.body, `action="/settings/password"`) || !strings.Contains(r.body, `autofocus aria-describedby="password-error"`) {
		t.Errorf("a wrong current password: %d; want 403, the settings page saying so, its field focused", r.status)
	}
	r = phone.postJSON("/api/me/password", map[string]string{"current_password": "correct horse battery", "new_password": "short"})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "at least 10 characters") {
		t.Errorf("a weak new password: %d %s; want 400 naming the policy", r.status, r.body)
	}
	for name, c := range map[string]*client{"phone": phone, "laptop": laptop} {
		if r := c.get("/api/me"); r.status != http.StatusOK {
			t.Fatalf("after refused changes the %s is logged out: %d", name, r.status)
		}
	}

	r = phone.postForm("/settings/password", url.Values{"current_password": {"correct horse battery"}, "new_password": {newPassword}})
	if r.status != http.StatusOK || r.url != "/settings" || !strings.Contains(r.body, "Password changed. Other devices are logged out.") {
		t.Fatalf("change the password: %d at %s; want the settings page saying so", r.status, r.url)
	}
	if r := phone.get("/api/me"); r.status != http.StatusOK {
		t.Errorf("the device that changed the password was logged out: %d", r.status)
	}
	if r := laptop.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Errorf("the other device after the change: %d; want 401", r.status)
	}
	if r := laptop.get("/inbox"); r.url != "/login" {
		t.Errorf("the other device's inbox: at %s; want the login page", r.url)
	}
	if r := app.client().postForm("/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}}); r.url == "/inbox" {
		t.Error("the old password still logs in")
	}
	laptop = app.loginAs("alice", newPassword)

	// The JSON twin, from the laptop: 204, the laptop stays, the phone goes.
	r = laptop.postJSON("/api/me/password", map[string]string{"current_password": newPassword, "new_password": "correct horse battery"})
	if r.status != http.StatusNoContent {
		t.Fatalf("POST /api/me/password: %d %s; want 204", r.status, r.body)
	}
	if r := laptop.get("/api/me"); r.status != http.StatusOK {
		t.Errorf("the API client that changed the password was logged out: %d", r.status)
	}
	if r := phone.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Errorf("the phone after the laptop's change: %d; want 401", r.status)
	}
}

// TestChangePasswordIsRateLimited: wrong current passwords are password
// guesses, limited like logins (429).
func TestChangePasswordIsRateLimited(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	var last int
	for range 30 {
		last = alice.postJSON("/api/me/password", map[string]string{"current_password": "guess guess guess", "new_password": newPassword}).status
		if last == http.StatusTooManyRequests {
			break
		}
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("30 wrong current passwords: the last answered %d; want 429", last)
	}
}

// notificationsTo counts the notification mails in the outbox addressed to
// email, once the notifications sends hand off have finished.
func (a *testApp) notificationsTo(email string) int {
	a.t.Helper()
	a.backend.notifying.Wait()
	paths, _ := filepath.Glob(filepath.Join(a.dir, "outbox", "*.eml"))
	n := 0
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		must(a.t, err)
		if strings.Contains(string(raw), "To: "+email+"\r\n") && strings.Contains(string(raw), "New image from") {
			n++
		}
	}
	return n
}

// TestMailNotificationsOff: with the settings form's box unchecked, a send
// to bob writes no mail to the outbox, though his inbox gets the image;
// saving his privacy settings keeps it off; the JSON twin turns it on
// again, and the next send mails him once.
func TestMailNotificationsOff(t *testing.T) {
	clock := &testClock{t: time.Now().UTC()}
	app := startApp(t, t.TempDir(), func(c *Config) { c.Now = clock.now })
	alice, bob := app.signUp("alice"), app.signUp("bob")
	sendAPI(t, alice, "bob", testPNG(t, 8, 8))
	if n := app.notificationsTo("bob@example.com"); n != 1 {
		t.Fatalf("a send to bob (mail on) mailed him %d times; want 1", n)
	}
	if r := bob.get("/settings"); !strings.Contains(r.body, `name="notify_by_mail" value="on" checked`) {
		t.Error("the settings page does not show email notifications on")
	}
	bob.postForm("/settings/privacy", url.Values{"read_receipts": {"on"}, "listed": {"on"}})
	if r := bob.get("/api/me/privacy"); !strings.Contains(r.body, `"notify_by_mail":true`) {
		t.Fatalf("after saving privacy, GET /api/me/privacy = %s; want mail still on", r.body)
	}

	r := bob.postForm("/settings/notifications", url.Values{})
	if r.status != http.StatusOK || r.url != "/settings" || !strings.Contains(r.body, "Email notification setting saved.") {
		t.Fatalf("turn mail off: %d at %s", r.status, r.url)
	}
	if strings.Contains(r.body, `name="notify_by_mail" value="on" checked`) || !strings.Contains(r.body, "We do not email you") {
		t.Error("after turning mail off the settings page still shows it on")
	}
	// The privacy form posts its own two boxes and leaves mail as it is.
	bob.postForm("/settings/privacy", url.Values{"read_receipts": {"on"}, "listed": {"on"}})
	if r := bob.get("/api/me/privacy"); !strings.Contains(r.body, `"notify_by_mail":false`) {
		t.Fatalf("after saving privacy, GET /api/me/privacy = %s; want mail still off", r.body)
	}
	sendAPI(t, alice, "bob", testPNG(t, 9, 9))
	if n := app.notificationsTo("bob@example.com"); n != 1 {
		t.Errorf("a send to bob with mail off: %d mails in all; want still 1", n)
	}
	if r := bob.get("/api/me"); !strings.Contains(r.body, `"unread":2`) {
		t.Errorf("bob's inbox did not get the image sent with mail off: %s", r.body)
	}

	if got := putPrivacy(t, bob, map[string]bool{"notify_by_mail": true}); !got["notify_by_mail"] || !got["listed"] || !got["read_receipts"] {
		t.Errorf("PUT notify_by_mail true answered %v; want it on, the rest as they were", got)
	}
	clock.advance(messaging.DefaultMailWindow) // within it, a send would wait for a digest
	sendAPI(t, alice, "bob", testPNG(t, 10, 10))
	if n := app.notificationsTo("bob@example.com"); n != 2 {
		t.Errorf("mail on again: %d mails in all; want 2", n)
	}
}

// TestSettingsIndexFindsEveryCard: the settings page's section links each
// lead to a card on the page, and every card has a link.
func TestSettingsIndexFindsEveryCard(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	r := alice.get("/settings")
	if r.status != http.StatusOK {
		t.Fatalf("settings: %d", r.status)
	}
	nav := between(r.body, `<nav aria-label="Settings sections"`, `</nav>`)
	links := regexp.MustCompile(`href="#([a-z-]+)"`).FindAllStringSubmatch(nav, -1)
	cards := regexp.MustCompile(`<section id="([a-z-]+)"`).FindAllStringSubmatch(r.body, -1)
	if len(links) == 0 || len(links) != len(cards) {
		t.Fatalf("%d section links for %d cards", len(links), len(cards))
	}
	for i := range links {
		if links[i][1] != cards[i][1] {
			t.Errorf("link %d goes to #%s; card %d is #%s", i, links[i][1], i, cards[i][1])
		}
	}
}

// between is the part of s from the first start to the end after it.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, end); j >= 0 {
		return s[:j]
	}
	return s
}
