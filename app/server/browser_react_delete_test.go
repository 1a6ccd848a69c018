package server

// A browser test of deleting one's account in the React client: the Account screen's card, its confirmation dialog, a wrong
// password, then the right one. Same harness and needs as TestBrowserReact.
// The flow is named reactdelete so that TestBrowserReact's clean-up of
// react-*.png keeps its screenshots.

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"imageapp/app/accounts"
)

const deletedNotice = "Your account is deleted. Nobody can open the images sent to you any more."

// TestBrowserReactDelete: bob, who got an image from alice, deletes his
// account from the Account screen: a wrong password keeps him logged in with
// the error focused and the field cleared; the right one lands him on the
// login screen with the notice, and his password no longer logs in.
func TestBrowserReactDelete(t *testing.T) {
	b := startReactBrowser(t, "reactdelete")
	alice, bob := b.newTab("alice", false), b.newTab("bob", false)
	reactSignUp(alice, "alice", false)
	reactSignUp(bob, "bob", false)
	reactSend(alice, "bob")

	openDeleteDialog(bob)
	bob.check("delete confirmation", "confirm")

	deleteWith(bob, "not my password")
	bob.waitText("the wrong-password error", "[role=dialog] [role=alert]", "That password is not right, so the account was not deleted.")
	if !bob.eval("focus on the error", `document.activeElement?.querySelector('[role=alert]') !== null`) {
		t.Errorf("after a wrong password the focus is not on the error")
	}
	if v := bob.value("[role=dialog] input[name=password]"); v != "" {
		t.Errorf("after a wrong password the field holds %q, want it cleared", v)
	}
	if code := evalAs[int](bob, "ask who is logged in", `fetch('/api/me').then((r) => r.status)`, chromedp.EvalAwaitPromise); code != 200 {
		t.Errorf("after a wrong password /api/me answers %d, want 200: bob should still be logged in", code)
	}
	bob.check("delete confirmation with an error", "wrong-password")

	deleteWith(bob, browserPassword)
	bob.waitJS("the login screen", `location.hash === '#/login' && document.querySelector('input[name=password]') !== null`)
	bob.waitText("the deleted notice", "[role=status]", deletedNotice)
	if bob.eval("look for the nav", `document.querySelector('nav[aria-label=Main]') !== null`) {
		t.Errorf("after deleting, the header still shows the signed-in navigation")
	}
	if code := evalAs[int](bob, "ask who is logged in", `fetch('/api/me').then((r) => r.status)`, chromedp.EvalAwaitPromise); code != 401 {
		t.Errorf("after deleting /api/me answers %d, want 401", code)
	}
	bob.check("login after deleting", "deleted")

	bob.do("log in again",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "bob"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), browserPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	bob.waitJS("the login error", `document.querySelector('main [role=alert]') !== null`)
	if !bob.eval("still on login", `location.hash.startsWith('#/login')`) {
		t.Errorf("a deleted account's password still logs in")
	}
	alice.checkConsole()
	bob.checkConsole()
}

// openDeleteDialog goes to the Account screen and opens the confirmation,
// checking that it says what the server page says.
func openDeleteDialog(tb *tab) {
	t := tb.b.t
	t.Helper()
	tb.visit("/react/#/account", `section[aria-labelledby=delete-account-heading] button`)
	tb.do("ask to delete the account", chromedp.Click(chromedp.CSS(`section[aria-labelledby=delete-account-heading] button`)))
	tb.waitJS("the dialog", `document.querySelector('[role=dialog][aria-modal=true] input[name=password]') !== null`)
	dialog := tb.text("[role=dialog]")
	for _, s := range []string{
		"This cannot be undone.",
		"nobody can open any image ever sent to you",
		"you are logged out everywhere",
		"kept from new accounts for " + strconv.Itoa(accounts.RetireDays) + " days",
		"the images you sent stay with the people you sent them to",
		"Delete my account for good",
		"Keep my account",
	} {
		if !strings.Contains(dialog, s) {
			t.Errorf("the delete dialog says %q, want %q in it", dialog, s)
		}
	}
	if !tb.eval("focus", `document.activeElement?.matches('[role=dialog] input[name=password][autocomplete=current-password]')`) {
		t.Errorf("the delete dialog does not start in its password field")
	}
}

// deleteWith types a password into the open dialog and confirms.
func deleteWith(tb *tab, password string) {
	tb.b.t.Helper()
	tb.do("confirm with a password",
		chromedp.SendKeys(chromedp.CSS("[role=dialog] input[name=password]"), password),
		chromedp.Click(chromedp.CSS("[role=dialog] button[type=submit]")),
	)
}
