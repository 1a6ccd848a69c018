package server

// Browser tests of the React client's screens that match the server pages
//: password reset, notices that go with a new
// action, the delete dialog, Download and Reply, and the conversation screen.
// Same harness and needs as TestBrowserReact (browser_test.go). The flows are
// named reactflow-* so that TestBrowserReact's clean-up of react-*.png keeps
// their screenshots.

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// startReactBrowser starts the app with the built React client and a browser.
func startReactBrowser(t *testing.T, flow string) *browserEnv {
	t.Helper()
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	return startBrowser(t, app, flow)
}

// waitText waits until some element matching sel contains text.
func (tb *tab) waitText(what, sel, text string) {
	tb.b.t.Helper()
	tb.waitJS(what, `[...document.querySelectorAll(`+jsString(sel)+`)].some((e) => e.innerText.includes(`+jsString(text)+`))`)
}

// has says whether some element matching sel contains text now.
func (tb *tab) has(sel, text string) bool {
	tb.b.t.Helper()
	return tb.eval("look for "+text, `[...document.querySelectorAll(`+jsString(sel)+`)].some((e) => e.innerText.includes(`+jsString(text)+`))`)
}

// reactSend sends a test PNG to someone through the React Send screen and
// waits for the Sent screen.
func reactSend(tb *tab, to string) {
	tb.b.t.Helper()
	tb.visit("/react/#/send?to="+to, "input[type=file][name=image]")
	tb.do("choose the image", chromedp.SetUploadFiles(chromedp.CSS(`input[type=file][name=image]`), []string{writeTestPNG(tb.b.t, 640, 400)}))
	tb.waitJS("the chosen file is named", `document.querySelector('[data-testid=chosen-file]')?.innerText.includes('holiday.png')`)
	if w := tb.imageWidth(`img[alt="Preview of the chosen image"]`); w != 640 {
		tb.b.t.Errorf("the preview of the chosen image: naturalWidth %d, want 640", w)
	}
	tb.do("send the image", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	tb.waitText("the sent screen says it was sent", "[role=status]", "Sent to "+to+".")
	tb.waitJS("the sent list shows it", `document.querySelector('main a[href^="#/messages/"]') !== null`)
}

// TestBrowserReactPasswordReset: "Forgot your password?" on the login
// screen, a code by email, a password-policy error that keeps the code, a
// wrong code that clears it (and the old notice with it), then the new
// password works.
func TestBrowserReactPasswordReset(t *testing.T) {
	b := startReactBrowser(t, "reactflow-reset")
	alice := b.newTab("alice", false)
	reactSignUp(alice, "alice", false)
	alice.do("log out", chromedp.Click(chromedp.CSS(`header button`)))
	alice.waitText("the logged-out notice", "[role=status]", "You are logged out.")

	alice.do("follow Forgot your password?", chromedp.Click(chromedp.CSS(`a[href^="#/forgot"]`)))
	alice.waitJS("the forgot screen", `location.hash.startsWith('#/forgot') && document.querySelector('input[name=username]') !== null`)
	if alice.has("main", "You are logged out.") {
		t.Errorf("the logged-out notice followed alice to the forgot screen")
	}
	alice.check("forgot", "forgot")
	alice.do("ask for a code",
		chromedp.SendKeys(chromedp.CSS("input[name=username]"), "alice"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	alice.waitJS("the reset screen", `location.hash === '#/reset?username=alice' && document.querySelector('input[name=code]') !== null`)
	alice.waitText("the code-sent notice", "[role=status]", "If that account exists, we emailed it a code.")
	code := b.app.codeFor("alice@example.com")

	alice.do("enter the code and a short password",
		chromedp.SendKeys(chromedp.CSS("input[name=code]"), code),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "short"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	alice.waitText("the password error", "[role=alert]", "Passwords need at least 10 characters.")
	if v := alice.value("input[name=code]"); v != code {
		t.Errorf("after a password error the code field holds %q, want the code kept", v)
	}

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	alice.do("enter a wrong code and a good password",
		chromedp.SendKeys(chromedp.CSS("input[name=code]"), strings.Repeat(kb.Backspace, 6)+wrong),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), " is longer now"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	alice.waitText("the wrong-code error", "[role=alert]", "That code did not work")
	if v := alice.value("input[name=code]"); v != "" {
		t.Errorf("after a wrong code the code field holds %q, want it cleared", v)
	}
	if alice.has("main", "we emailed it a code") {
		t.Errorf("the old code-sent notice still sits above the wrong-code error")
	}
	alice.check("reset", "reset")

	alice.do("enter the right code",
		chromedp.SendKeys(chromedp.CSS("input[name=code]"), code),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	alice.waitJS("the login screen", `location.hash.startsWith('#/login') && document.querySelector('input[name=password]') !== null`)
	alice.waitText("the password-changed notice", "[role=status]", "Password changed. Log in with the new one.")
	alice.do("log in with the new password",
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "short is longer now"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
	)
	alice.waitJS("the inbox", `location.hash === '#/inbox' && document.querySelector('nav[aria-label=Main]') !== null`)
	alice.checkConsole()
}

// TestBrowserReactMessage: the message screen's Download link and Reply
// with an image, and deleting through a dialog that says it is gone for both.
func TestBrowserReactMessage(t *testing.T) {
	b := startReactBrowser(t, "reactflow-message")
	alice, bob := b.newTab("alice", false), b.newTab("bob", false)
	reactSignUp(alice, "alice", false)
	reactSignUp(bob, "bob", false)
	reactSend(alice, "bob")
	href := evalAs[string](alice, "read the message's address", `document.querySelector('main a[href^="#/messages/"]').getAttribute('href')`)
	id := strings.TrimPrefix(href, "#/messages/")

	bob.visit("/react/"+href, "article img")
	want := "/api/messages/" + id + "/image?download=1"
	if got := evalAs[string](bob, "read Download", `[...document.querySelectorAll('article a')].find((a) => a.innerText.trim() === 'Download')?.getAttribute('href') ?? ''`); got != want {
		t.Errorf("Download links to %q, want %q", got, want)
	}
	got := evalAs[string](bob, "fetch the download", `fetch(`+jsString(want)+`).then((r) => r.status + ' ' + r.headers.get('Content-Type') + ' ' + r.headers.get('Content-Disposition'))`, chromedp.EvalAwaitPromise)
	if !strings.HasPrefix(got, "200 image/png attachment;") || !strings.Contains(got, "holiday.png") {
		t.Errorf("the Download link answers %q, want 200 image/png as an attachment named holiday.png", got)
	}

	bob.do("reply with an image", chromedp.Click(chromedp.CSS(`a[href="#/send?to=alice"]`)))
	bob.waitJS("the send screen", `location.hash === '#/send?to=alice' && document.querySelector('input[name=to]') !== null`)
	if v := bob.value("input[name=to]"); v != "alice" {
		t.Errorf("Reply with an image: the To field holds %q, want alice", v)
	}

	bob.visit("/react/"+href, "article img")
	bob.do("ask to delete", chromedp.Click(chromedp.CSS(`article button.bg-red-600`)))
	bob.waitJS("the dialog", `document.querySelector('[role=dialog][aria-modal=true]') !== null`)
	dialog := bob.text("[role=dialog]")
	for _, s := range []string{"Delete this image for both of you?", "alice and you will no longer be able to see it. This cannot be undone.", "Delete", "Cancel"} {
		if !strings.Contains(dialog, s) {
			t.Errorf("the delete dialog says %q, want %q in it", dialog, s)
		}
	}
	if !bob.eval("focus", `document.activeElement?.innerText === 'Cancel'`) {
		t.Errorf("the delete dialog does not put the focus on Cancel")
	}
	bob.check("delete dialog", "delete-dialog")
	bob.do("cancel", chromedp.Click(chromedp.CSS(`[role=dialog] button.bg-surface`)))
	bob.waitJS("the dialog closes", `document.querySelector('[role=dialog]') === null`)
	if bob.eval("where", `!location.hash.startsWith('#/messages/')`) {
		t.Fatalf("Cancel left the message")
	}

	bob.do("ask to delete again", chromedp.Click(chromedp.CSS(`article button.bg-red-600`)))
	bob.waitJS("the dialog", `document.querySelector('[role=dialog]') !== null`)
	bob.do("confirm", chromedp.Click(chromedp.CSS(`[role=dialog] button.bg-red-600`)))
	bob.waitJS("back in the inbox", `location.hash === '#/inbox'`)
	bob.waitText("the deleted notice", "[role=status]", "The image was deleted.")
	if code := evalAs[int](bob, "fetch the message", `fetch('/api/messages/`+id+`').then((r) => r.status)`, chromedp.EvalAwaitPromise); code != http.StatusGone {
		t.Errorf("the deleted message answers %d, want 410 (it says who deleted it)", code)
	}
	alice.checkConsole()
	bob.checkConsole()
}

// TestBrowserReactConversation: the inbox shows alice once, with her newest
// image's thumbnail; her entry opens the conversation, the images both ways
// with bob's own on the right and its status; a thumbnail opens the message.
// Needs the server's /api/conversations/{username} and message thumbnails.
func TestBrowserReactConversation(t *testing.T) {
	b := startReactBrowser(t, "reactflow-conversation")
	alice, bob := b.newTab("alice", false), b.newTab("bob", false)
	reactSignUp(alice, "alice", false)
	reactSignUp(bob, "bob", false)
	reactSend(alice, "bob")
	reactSend(bob, "alice")
	reactSend(alice, "bob")

	bob.visit("/react/#/inbox", `main a[href="#/conversations/alice"]`)
	if n := evalAs[int](bob, "count the entries", `document.querySelectorAll('main ul[aria-label=Conversations] > li').length`); n != 1 {
		t.Errorf("bob's inbox has %d entries, want 1 (alice)", n)
	}
	bob.waitJS("the thumbnail loads", `document.querySelector('main a[href="#/conversations/alice"] img')?.naturalWidth > 0`)
	bob.check("inbox", "inbox")

	bob.do("open the conversation", chromedp.Click(chromedp.CSS(`main a[href="#/conversations/alice"]`)))
	bob.waitJS("the conversation", `document.querySelectorAll('ol[aria-label="Images with alice"] > li').length === 3`)
	sides := evalAs[string](bob, "read the sides", `[...document.querySelectorAll('ol[aria-label="Images with alice"] > li')].map((li) => li.dataset.mine).join(',')`)
	if sides != "false,true,false" {
		t.Errorf("the conversation's sides, oldest first: %s, want false,true,false (alice, bob, alice)", sides)
	}
	if got := bob.text(`ol[aria-label="Images with alice"] > li[data-mine=true]`); !strings.Contains(got, "Delivered") && !strings.Contains(got, "Opened") {
		t.Errorf("bob's own image shows no status: %q", got)
	}
	bob.waitJS("the thumbnails load", `[...document.querySelectorAll('ol[aria-label="Images with alice"] img')].every((i) => i.complete && i.naturalWidth > 0)`)
	if !bob.eval("Reply", `document.querySelector('main [data-testid=composer]') !== null && document.querySelector('main a[href="#/send?to=alice"]') === null`) {
		t.Errorf("the conversation has no composer, or still sends replies away to the Send page")
	}
	bob.check("conversation", "conversation")

	bob.do("open the newest image in the viewer", chromedp.Click(chromedp.CSS(`ol[aria-label="Images with alice"] > li:last-child a`)))
	bob.waitJS("the viewer opens", viewerOpen)
	bob.do("follow Details", chromedp.Click(chromedp.CSS("[data-viewer-open]")))
	bob.waitJS("the message screen", `location.hash.startsWith('#/messages/') && document.querySelector('article img') !== null`)
	if w := bob.imageWidth("article img"); w != 640 {
		t.Errorf("the opened image's naturalWidth = %d, want 640", w)
	}
	alice.checkConsole()
	bob.checkConsole()
}
