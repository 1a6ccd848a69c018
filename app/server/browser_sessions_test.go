package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserSessionsNoJS(t *testing.T) { sessionsFlow(t, "sessions-nojs", true) }

func TestBrowserSessionsHTMX(t *testing.T) { sessionsFlow(t, "sessions-htmx", false) }

const sessionsCard = `#sessions`

// sessionsFlow: alice is logged in on a laptop and a phone. On the laptop's
// settings page "Where you're logged in" lists both, the laptop marked
// "This device"; she logs the phone out (its next page is the login page),
// logs in on it again, then logs out all other devices from the laptop.
func sessionsFlow(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	laptop, phone := b.newTab("laptop", jsOff), b.newTab("phone", jsOff)
	pagesSignUp(laptop, "alice", false)
	pagesLogin(phone, "alice", browserPassword)

	laptop.visit("/settings", sessionsCard)
	if got := laptop.text(sessionsCard); !contains(got, "Where you're logged in", "This device", "Log out this device", "Log out all other devices") {
		t.Errorf("the sessions card says %q", got)
	}
	if n := reactCount(laptop, sessionsCard+` li`); n != 2 {
		t.Errorf("the sessions card lists %d sessions; want 2 (laptop and phone)", n)
	}
	laptop.check("settings (sessions)", "settings-sessions")

	laptop.submit("log the phone out", sessionsCard+` li form button`, "/settings")
	if got := laptop.text("main"); !strings.Contains(got, "That device is logged out.") || reactCount(laptop, sessionsCard+` li`) != 1 {
		t.Errorf("after logging the phone out the page says %q", got)
	}
	laptop.check("settings (phone ended)", "settings-session-ended")
	phone.visit("/inbox", "main")
	if p := phone.path(); p != "/login" {
		t.Errorf("the logged-out phone's inbox is at %s; want the login page", p)
	}

	pagesLogin(phone, "alice", browserPassword)
	laptop.visit("/settings", sessionsCard)
	laptop.submit("log out all other devices", `form[action="/settings/sessions/end-others"] button`, "/settings")
	if got := laptop.text(sessionsCard); !strings.Contains(got, "You are not logged in anywhere else.") {
		t.Errorf("after logging out the others the card says %q", got)
	}
	phone.visit("/inbox", "main")
	if p := phone.path(); p != "/login" {
		t.Errorf("after 'log out all other devices' the phone's inbox is at %s; want the login page", p)
	}
	if !jsOff {
		laptop.checkConsole()
	}
}

// TestBrowserReactSessions: the same card on the React Account screen.
func TestBrowserReactSessions(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "react-sessions")
	laptop, phone := b.newTab("laptop", false), b.newTab("phone", false)
	reactSignUp(laptop, "alice", false)
	reactLogin(phone, "alice", browserPassword)

	card := `section[aria-labelledby=sessions-heading]`
	laptop.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	laptop.waitJS("both sessions", `document.querySelectorAll('`+card+` li').length === 2`)
	if got := laptop.text(card); !contains(got, "Where you're logged in", "This device", "Log out this device", "Log out all other devices") {
		t.Errorf("the React sessions card says %q", got)
	}
	laptop.check("account (sessions)", "account-sessions")
	laptop.do("log out all other devices", chromedp.Click(chromedp.CSS(card+` button.bg-red-600`)))
	laptop.waitText("the notice", card, "Every other device is logged out.")
	laptop.check("account (others ended)", "account-sessions-ended")
	phone.do("reload", chromedp.Reload())
	phone.waitJS("the phone is at the login screen", `document.querySelector('input[name=password]') !== null && document.querySelector('nav[aria-label=Main]') === null`)
	laptop.checkConsole()
}
