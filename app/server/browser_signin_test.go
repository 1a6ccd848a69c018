package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Sign-in people keep (issue 29 items 1 and 2) in a real browser: the code
// signs in the browser that signed up, its field focused on arrival and the
// outbox folder named; "Keep me signed in on this device" outlives today's
// 12 hours (the app's clock moved) and is marked under sessions.

func TestBrowserSignInNoJS(t *testing.T) { signInFlow(t, "signin-nojs", true) }

func TestBrowserSignInHTMX(t *testing.T) { signInFlow(t, "signin-htmx", false) }

func signInFlow(t *testing.T, flow string, jsOff bool) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	b := startBrowser(t, app, flow)
	laptop, phone := b.newTab("laptop", jsOff), b.newTab("phone", jsOff)

	laptop.visit("/signup", "#username")
	laptop.do("fill in the sign-up form",
		chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#email"), "alice@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), browserPassword))
	laptop.submit("sign up", `form[action="/signup"] button[type=submit]`, "/verify")
	if !laptop.eval("the code field has the focus", `document.activeElement && document.activeElement.id === 'code'`) {
		t.Errorf("the verify page's code field does not have the focus")
	}
	if got := laptop.text("#outbox-hint"); !strings.Contains(got, filepath.Join(app.dir, "outbox")) {
		t.Errorf("the verify page's outbox hint says %q", got)
	}
	if !jsOff {
		laptop.check("verify (outbox)", "signin-verify")
	}
	laptop.do("enter the code", chromedp.SendKeys(chromedp.CSS("#code"), app.codeFor("alice@example.com")))
	laptop.submit("confirm", `form[action="/verify"] button[type=submit]`, "/inbox")
	if got := laptop.text("main"); !strings.Contains(got, "Email confirmed. You are logged in.") {
		t.Errorf("after confirming, the inbox says %q", got)
	}

	phone.visit("/login", "#keep")
	if !jsOff {
		phone.check("login (keep me signed in)", "signin-login")
	}
	phone.do("fill in the login form, keep me signed in",
		chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), browserPassword),
		chromedp.Click(chromedp.CSS("#keep")))
	phone.submit("log in", `form[action="/login"] button[type=submit]`, "/inbox")

	clk.Add(13 * time.Hour)
	laptop.visit("/inbox", "main")
	if p := laptop.path(); p != "/login" {
		t.Errorf("13 h on, the session not kept is at %s; want the login page (today's rule)", p)
	}
	phone.visit("/settings", sessionsCard)
	if p := phone.path(); p != "/settings" {
		t.Fatalf("13 h on, the kept session is at %s; want still logged in", p)
	}
	if got := phone.text(sessionsCard); !contains(got, "This device", "Kept signed in") {
		t.Errorf("the sessions card says %q", got)
	}
	if !jsOff {
		phone.check("settings (kept session)", "signin-sessions-kept")
		laptop.checkConsole()
		phone.checkConsole()
	}
}

// TestBrowserReactSignIn: the same through the React client.
func TestBrowserReactSignIn(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	clk := newClock()
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist; c.Now = clk.Now })
	b := startBrowser(t, app, "react-signin")
	laptop, phone := b.newTab("laptop", false), b.newTab("phone", false)

	laptop.visit("/react/#/signup", "input[name=email]")
	laptop.do("fill in the sign-up form",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "alice"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "alice@example.com"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), browserPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")))
	laptop.waitJS("the confirm screen, its code focused", `location.hash.startsWith('#/verify') && document.activeElement && document.activeElement.name === 'code'`)
	laptop.do("enter the code",
		chromedp.SendKeys(chromedp.CSS("input[name=code]"), app.codeFor("alice@example.com")),
		chromedp.Click(chromedp.CSS("form button[type=submit]")))
	laptop.waitJS("the inbox, signed in by the code", `location.hash === '#/inbox' && document.querySelector('nav[aria-label=Main]') !== null`)

	phone.visit("/react/#/login", "input[name=keep]")
	phone.check("login (keep me signed in)", "signin-react-login")
	phone.do("log in, keep me signed in",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "alice"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), browserPassword),
		chromedp.Click(chromedp.CSS("input[name=keep]")),
		chromedp.Click(chromedp.CSS("form button[type=submit]")))
	phone.waitJS("the inbox", `location.hash === '#/inbox' && document.querySelector('nav[aria-label=Main]') !== null`)

	clk.Add(13 * time.Hour)
	laptop.do("reload", chromedp.Reload())
	laptop.waitJS("the session not kept ended (today's rule)", `document.querySelector('input[name=password]') !== null && document.querySelector('nav[aria-label=Main]') === null`)
	phone.visit("/react/#/account", `section[aria-labelledby=sessions-heading] li`)
	phone.waitText("the kept session marked", `section[aria-labelledby=sessions-heading]`, "Kept signed in")
	phone.check("account (kept session)", "signin-react-sessions-kept")
	phone.checkConsole()
}
