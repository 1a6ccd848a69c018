package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserEmailChangeNoJS(t *testing.T) { emailChangeFlow(t, "email-change-nojs", true) }

func TestBrowserEmailChangeHTMX(t *testing.T) { emailChangeFlow(t, "email-change-htmx", false) }

const browserNewEmail = "alice.new@example.com"

// emailChangeFlow: alice asks for a new address on the settings page (the
// card then waits for its code, naming the address), enters a wrong code
// (400, the card says so), then the right one: the card shows the new
// address and the old one got the notice.
func emailChangeFlow(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	tb := b.newTab("phone", jsOff)
	pagesSignUp(tb, "alice", false)

	tb.visit("/settings", "#email")
	tb.do("fill in the new address",
		chromedp.SendKeys(chromedp.CSS("#new_email"), browserNewEmail),
		chromedp.SendKeys(chromedp.CSS("#email_password"), browserPassword))
	tb.submit("ask for the code", `form[action="/settings/email"] button[type=submit]`, "/settings")
	if got := tb.text("#email"); !strings.Contains(got, "Waiting for you to confirm "+browserNewEmail) {
		t.Errorf("after the request the card says %q", got)
	}
	tb.check("settings", "settings-email-waiting")

	code := app.codeFor(browserNewEmail)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	fill := func(code string) {
		tb.do("fill in the code",
			chromedp.SendKeys(chromedp.CSS("#email_code"), code),
			chromedp.SendKeys(chromedp.CSS("#email_confirm_password"), browserPassword))
	}
	fill(wrong)
	if st := tb.submitStatus("a wrong code", `form[action="/settings/email/confirm"] button[type=submit]`); st != http.StatusBadRequest {
		t.Errorf("a wrong code answered %d; want 400", st)
	}
	if got := tb.text("#email-error"); got == "" {
		t.Error("after a wrong code the card shows no error")
	}
	tb.check("settings", "settings-email-wrong-code")

	fill(code)
	tb.submit("confirm the code", `form[action="/settings/email/confirm"] button[type=submit]`, "/settings")
	if got := tb.text("main"); !strings.Contains(got, "Email changed. We told your old address.") ||
		!strings.Contains(tb.text("#email"), browserNewEmail) {
		t.Errorf("after the code the page says %q", got)
	}
	tb.check("settings", "settings-email-changed")
	if u, err := app.backend.Users.UserByUsername(t.Context(), "alice"); err != nil || u.Email != browserNewEmail {
		t.Errorf("alice's directory address = %q (%v); want %s", u.Email, err, browserNewEmail)
	}
	waitMail(t, app, "alice@example.com", "Your ImageApp email was changed to a…@example.com.")
	if !jsOff {
		tb.checkConsole()
	}
}

// TestBrowserReactEmailChange: the same on the React Account screen.
func TestBrowserReactEmailChange(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "react-email-change")
	tb := b.newTab("phone", false)
	reactSignUp(tb, "alice", false)

	tb.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	card := `section[aria-labelledby=email-heading]`
	tb.waitJS("the email card", `document.querySelector('`+card+` input[name=new_email]') !== null`)
	tb.do("ask for the code",
		chromedp.SendKeys(chromedp.CSS(card+` input[name=new_email]`), browserNewEmail),
		chromedp.SendKeys(chromedp.CSS(card+` input[name=password]`), browserPassword),
		chromedp.Click(chromedp.CSS(card+` button[type=submit]`)))
	tb.waitJS("it waits", `document.querySelector('`+card+`').innerText.includes('Waiting for you to confirm `+browserNewEmail+`')`)
	tb.check("account", "account-email-waiting")
	tb.do("enter the code",
		chromedp.SendKeys(chromedp.CSS(card+` input[name=code]`), app.codeFor(browserNewEmail)),
		chromedp.SendKeys(chromedp.CSS(card+` input[name=password]`), browserPassword),
		chromedp.Click(chromedp.CSS(card+` button[type=submit]`)))
	tb.waitJS("it is changed", `document.querySelector('`+card+`').innerText.includes('Email changed. We told your old address.')`)
	tb.check("account", "account-email-changed")
	if u, err := app.backend.Users.UserByUsername(t.Context(), "alice"); err != nil || u.Email != browserNewEmail {
		t.Errorf("alice's directory address = %q (%v); want %s", u.Email, err, browserNewEmail)
	}
	tb.checkConsole()
}
