package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const browserNewPassword = "a brand new passphrase"

func TestBrowserAccountSettingsNoJS(t *testing.T) {
	accountSettingsFlow(t, "account-settings-nojs", true)
}

func TestBrowserAccountSettingsHTMX(t *testing.T) {
	accountSettingsFlow(t, "account-settings-htmx", false)
}

// pagesLogin logs tb in through the login page.
func pagesLogin(tb *tab, username, password string) {
	tb.b.t.Helper()
	tb.visit("/login", "#password")
	tb.do("fill in the login form",
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), password))
	tb.submit("log in", `form[action="/login"] button[type=submit]`, "/inbox")
}

// submitStatus clicks sel and returns the status of the page it loads.
func (tb *tab) submitStatus(what, sel string) int64 {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil || resp == nil {
		tb.fatal(what, err)
	}
	return resp.Status
}

// accountSettingsFlow: alice, logged in on a phone and a laptop, types a
// wrong current password (the page says so, 403, nothing changes), then
// changes it on the phone: the phone stays in, the laptop lands on the
// login page. She turns email notifications off; the box shows it.
func accountSettingsFlow(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	phone, laptop := b.newTab("phone", jsOff), b.newTab("laptop", jsOff)
	pagesSignUp(phone, "alice", false)
	pagesLogin(laptop, "alice", browserPassword)

	phone.visit("/settings", "#password")
	fill := func(current, next string) {
		phone.do("fill in the password form",
			chromedp.SendKeys(chromedp.CSS("#current_password"), current),
			chromedp.SendKeys(chromedp.CSS("#new_password"), next))
	}
	fill("not my password", browserNewPassword)
	if st := phone.submitStatus("change with a wrong password", `#password button[type=submit]`); st != http.StatusForbidden {
		t.Errorf("a wrong current password answered %d; want 403", st)
	}
	if got := phone.text("#password"); !strings.Contains(got, "That is not your current password.") {
		t.Errorf("after a wrong password the card says %q", got)
	}
	phone.check("settings", "settings-password-wrong")

	fill(browserPassword, browserNewPassword)
	phone.submit("change the password", `#password button[type=submit]`, "/settings")
	if got := phone.text("main"); !strings.Contains(got, "Password changed. Other devices are logged out.") {
		t.Errorf("after the change the settings page says %q", got)
	}
	phone.check("settings", "settings-password-changed")
	phone.visit("/inbox", "main")
	if p := phone.path(); p != "/inbox" {
		t.Errorf("the phone that changed the password was sent to %s", p)
	}
	laptop.visit("/inbox", "#password")
	if p := laptop.path(); p != "/login" {
		t.Errorf("the laptop after the change is at %s; want the login page", p)
	}
	pagesLogin(laptop, "alice", browserNewPassword)

	phone.visit("/settings", "#notifications")
	if !phone.eval("mail starts on", `document.querySelector('#privacy-notify_by_mail').checked`) {
		t.Error("a new account's email notification box is not checked")
	}
	phone.do("untick email notifications", chromedp.Click(chromedp.CSS("#privacy-notify_by_mail")))
	phone.submit("save", `form[action="/settings/notifications"] button[type=submit]`, "/settings")
	if got := phone.text("#notifications"); !strings.Contains(got, "We do not email you") {
		t.Errorf("after turning mail off the card says %q", got)
	}
	if phone.eval("the box shows it off", `document.querySelector('#privacy-notify_by_mail').checked`) {
		t.Error("after saving mail off the box is still checked")
	}
	phone.check("settings", "settings-mail-off")
	if u, err := app.backend.Users.UserByUsername(t.Context(), "alice"); err != nil || !u.NoMail {
		t.Errorf("after saving, alice's stored mail off = %v (%v)", u.NoMail, err)
	}
	if !jsOff {
		phone.checkConsole()
	}
}

// reactLogin logs tb in on the React login screen.
func reactLogin(tb *tab, username, password string) {
	tb.b.t.Helper()
	tb.visit("/react/#/login", "input[name=password]")
	tb.do("log in",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), username),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), password),
		chromedp.Click(chromedp.CSS("form button[type=submit]")))
	tb.waitJS("the inbox", `location.hash === '#/inbox' && document.querySelector('nav[aria-label=Main]') !== null`)
}

// TestBrowserReactAccountSettings: the same on the React Account screen.
func TestBrowserReactAccountSettings(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "react-account-settings")
	phone, laptop := b.newTab("phone", false), b.newTab("laptop", false)
	reactSignUp(phone, "alice", false)
	reactLogin(laptop, "alice", browserPassword)

	phone.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	phone.waitJS("the password card", `document.querySelector('#password-heading') !== null`)
	card := `section[aria-labelledby=password-heading]`
	phone.do("change the password",
		chromedp.SendKeys(chromedp.CSS(card+` input[name=current_password]`), browserPassword),
		chromedp.SendKeys(chromedp.CSS(card+` input[name=new_password]`), browserNewPassword),
		chromedp.Click(chromedp.CSS(card+` button[type=submit]`)))
	phone.waitJS("it is changed", `document.querySelector('main').innerText.includes('Password changed. Other devices are logged out.')`)

	mail := `section[aria-labelledby=mail-heading]`
	phone.waitJS("the mail box", `document.querySelector('`+mail+` input[name=notify_by_mail]') !== null`)
	phone.do("turn mail off", chromedp.Click(chromedp.CSS(mail+` input[name=notify_by_mail]`)),
		chromedp.Click(chromedp.CSS(mail+` button[type=submit]`)))
	phone.waitJS("it is saved", `document.querySelector('main').innerText.includes('Email notification setting saved.')`)
	phone.check("account", "account")
	if u, err := app.backend.Users.UserByUsername(t.Context(), "alice"); err != nil || !u.NoMail || u.NoReadReceipts || u.Hidden {
		t.Errorf("after saving, alice's stored settings: mail off %v, receipts off %v, hidden %v (%v); want only mail off", u.NoMail, u.NoReadReceipts, u.Hidden, err)
	}

	// The phone stays logged in; the laptop's next request finds its session ended.
	for _, tb := range []*tab{phone, laptop} {
		tb.do("reload", chromedp.Reload())
	}
	phone.waitJS("the phone still has its session", `document.querySelector('nav[aria-label=Main]') !== null`)
	laptop.waitJS("the laptop is at the login screen", `document.querySelector('input[name=password]') !== null && document.querySelector('nav[aria-label=Main]') === null`)
	reactLogin(laptop, "alice", browserNewPassword)
	phone.checkConsole()
}
