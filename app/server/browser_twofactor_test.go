package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Two-factor sign-in (issue 29 item 4) in a real browser: alice sets it up
// from settings, typing the key the page shows into her "app" (the test
// computes the codes), then logs in on her phone: the password, then the
// code page; a wrong code is refused in the page, the right one signs in
// and keeps "keep me signed in".

func TestBrowserTwoFactorNoJS(t *testing.T) { twoFactorFlow(t, "twofactor-nojs", true) }

func TestBrowserTwoFactorHTMX(t *testing.T) { twoFactorFlow(t, "twofactor-htmx", false) }

func twoFactorFlow(t *testing.T, flow string, jsOff bool) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	b := startBrowser(t, app, flow)
	laptop, phone := b.newTab("laptop", jsOff), b.newTab("phone", jsOff)
	pagesSignUp(laptop, "alice", false)

	laptop.visit("/settings", "#two-factor")
	laptop.submit("set up two-factor", `form[action="/settings/two-factor/enrol"] button[type=submit]`, "/settings/two-factor/enrol")
	if w := laptop.imageWidth("#two-factor-qr"); w < 200 {
		t.Errorf("the set-up page's QR code did not load (width %d)", w)
	}
	secret := strings.ReplaceAll(laptop.text("#two-factor-secret"), " ", "")
	if len(secret) < 16 {
		t.Fatalf("the key on the page is %q", secret)
	}
	if !jsOff {
		laptop.check("two-factor set-up", "twofactor-enrol")
	}
	laptop.do("type the app's code", chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, secret, clk.Now())))
	laptop.submit("turn it on", `form[action="/settings/two-factor/confirm"] button[type=submit]`, "/settings/two-factor/confirm")
	if n := evalAs[int](laptop, "count the recovery codes", `document.querySelectorAll('#recovery-codes li').length`); n != 10 {
		t.Errorf("the page shows %d recovery codes; want 10", n)
	}
	if !jsOff {
		laptop.check("recovery codes", "twofactor-codes")
	}

	clk.Add(time.Minute) // the next code
	phone.visit("/login", "#keep")
	phone.do("fill in the login form, keep me signed in",
		chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), browserPassword),
		chromedp.Click(chromedp.CSS("#keep")))
	phone.submit("log in", `form[action="/login"] button[type=submit]`, "/login")
	if got := phone.text("main"); !strings.Contains(got, "Enter your code") {
		t.Fatalf("after the password the page says %q; want the code step", got)
	}
	if !phone.eval("the code field has the focus", `document.activeElement && document.activeElement.id === 'code'`) {
		t.Errorf("the code page's field does not have the focus")
	}
	if !jsOff {
		phone.check("login code", "twofactor-login-code")
	}
	phone.do("type a wrong code", chromedp.SendKeys(chromedp.CSS("#code"), "000000"))
	if st := phone.submitStatus("a wrong code", `form[action="/login/code"] button[type=submit]`); st != http.StatusUnauthorized {
		t.Errorf("a wrong code answered %d; want 401", st)
	}
	if got := phone.text("main"); !strings.Contains(got, "That code is not right") {
		t.Errorf("after a wrong code the page says %q", got)
	}
	if phone.eval("a log-out button is shown", `!!document.querySelector('form[action="/logout"]')`) {
		t.Fatalf("after a wrong code the page shows someone logged in")
	}
	if v := phone.value("#code"); v != "" {
		t.Errorf("after a wrong code the field still holds %q", v)
	}
	// A recovery code is not six digits: the page's own checks must let it
	// through to the server, which says whether it is one.
	phone.do("type a recovery code that is not one", chromedp.SendKeys(chromedp.CSS("#code"), "ab12c-d34ef"))
	if st := phone.submitStatus("a recovery code that is not one", `form[action="/login/code"] button[type=submit]`); st != http.StatusUnauthorized {
		t.Errorf("a recovery code that is not one answered %d; want 401 from the server (not a refusal in the page)", st)
	}
	phone.do("type the right code", chromedp.SendKeys(chromedp.CSS("#code"), totpCode(t, secret, clk.Now())))
	phone.submit("log in with the code", `form[action="/login/code"] button[type=submit]`, "/inbox")

	clk.Add(13 * time.Hour)
	phone.visit("/settings", sessionsCard)
	if got := phone.text(sessionsCard); phone.path() != "/settings" || !contains(got, "This device", "Kept signed in") {
		t.Errorf("13 h on the phone is at %s, sessions %q; want kept signed in", phone.path(), got)
	}
	if !jsOff {
		laptop.checkConsole()
		phone.checkConsole()
	}
}

// TestBrowserReactTwoFactor: the same through the React client: set up on
// the Account screen, then the login's code step on another device.
func TestBrowserReactTwoFactor(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	clk := newClock()
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist; c.Now = clk.Now })
	b := startBrowser(t, app, "react-twofactor")
	laptop, phone := b.newTab("laptop", false), b.newTab("phone", false)
	reactSignUp(laptop, "alice", false)

	const card = `section[aria-labelledby=two-factor-heading]`
	laptop.visit("/react/#/account", card+" button")
	clickButton(laptop, card, "Set up two-factor")
	laptop.waitJS("the set-up", `document.querySelector('`+card+` img') !== null`)
	if w := laptop.imageWidth(card + " img"); w < 200 {
		t.Errorf("the QR code did not load (width %d)", w)
	}
	secret := strings.ReplaceAll(laptop.text(card+" code"), " ", "")
	laptop.check("account (two-factor set-up)", "twofactor-react-enrol")
	laptop.do("type the app's code", chromedp.SendKeys(chromedp.CSS(card+" input[name=code]"), totpCode(t, secret, clk.Now())))
	clickButton(laptop, card, "Turn on two-factor")
	laptop.waitJS("ten recovery codes", `document.querySelectorAll('`+card+` ol li').length === 10`)
	laptop.check("account (recovery codes)", "twofactor-react-codes")

	clk.Add(time.Minute) // the next code
	phone.visit("/react/#/login", "input[name=keep]")
	phone.do("log in, keep me signed in",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "alice"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), browserPassword),
		chromedp.Click(chromedp.CSS("input[name=keep]")),
		chromedp.Click(chromedp.CSS("form button[type=submit]")))
	phone.waitJS("the code step, its field focused", `document.activeElement && document.activeElement.name === 'code'`)
	phone.check("login code", "twofactor-react-login-code")
	phone.do("type a wrong code",
		chromedp.SendKeys(chromedp.CSS("input[name=code]"), "000000"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")))
	phone.waitText("the refusal", "[role=alert]", "That code is not right")
	phone.do("type the right code",
		chromedp.SendKeys(chromedp.CSS("input[name=code]"), totpCode(t, secret, clk.Now())),
		chromedp.Click(chromedp.CSS("form button[type=submit]")))
	phone.waitJS("the inbox", `location.hash === '#/inbox' && document.querySelector('nav[aria-label=Main]') !== null`)

	clk.Add(13 * time.Hour)
	phone.visit("/react/#/account", `section[aria-labelledby=sessions-heading] li`)
	phone.waitText("the kept session marked", `section[aria-labelledby=sessions-heading]`, "Kept signed in")
	laptop.checkConsole()
	phone.checkConsole()
}
