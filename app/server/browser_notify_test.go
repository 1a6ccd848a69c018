package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// fakeNotifications replaces window.Notification in every document the tab
// opens with one that records what the page shows (window.__notes), keeps
// the browser's permission, and holds requestPermission's answer until the
// test calls window.__answer() (so the "asked" state can be seen).
const fakeNotifications = `(() => {
	const Real = window.Notification;
	if (!Real) return;
	window.__notes = [];
	class Recorded {
		constructor(title, opts) { Object.assign(this, {title, tag: opts && opts.tag, body: opts && opts.body, image: opts && opts.image}); window.__notes.push(this); }
		close() {}
		static get permission() { return Real.permission; }
		static requestPermission() { return new Promise((resolve) => { window.__answer = () => resolve(Real.requestPermission()); }); }
	}
	window.Notification = Recorded;
})()`

func (tb *tab) recordNotifications() {
	tb.b.t.Helper()
	if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fakeNotifications}); err != nil {
		tb.fatal("record notifications", err)
	}
}

// setNotifications sets the tab's browser context's notification
// permission for the app's origin.
func (tb *tab) setNotifications(setting browser.PermissionSetting) {
	tb.b.t.Helper()
	_, err := chromedp.CallBrowser(tb.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: setting,
		Origin: tb.b.app.server.URL, BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID,
	})
	if err != nil {
		tb.fatal("set the notification permission", err)
	}
}

type shownNote struct{ Title, Tag, Body, Image string }

func (tb *tab) notes() []shownNote {
	tb.b.t.Helper()
	raw := evalAs[string](tb, "the notifications", `JSON.stringify((window.__notes || []).map((n) => ({title: n.title, tag: n.tag || '', body: n.body || '', image: n.image || ''})))`)
	var out []shownNote
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		tb.fatal("read the notifications", err)
	}
	return out
}

const notifyCard = `#browser-notifications`

// TestBrowserNotifications: bob turns notifications on in settings (off,
// then asked, then on); each image alice sends then shows a system
// notification that names her and nothing else (not the caption), tagged
// with her name so hers replace each other; a click opens the conversation.
// On any other page (the conversation) they keep coming. A browser that
// blocks notifications is told how to allow them, and without JavaScript the
// card says it needs it.
func TestBrowserNotifications(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "notify")
	alice := app.signUp("alice")
	tb := b.newTab("bob", false)
	tb.recordNotifications()
	pagesSignUp(tb, "bob", false)

	tb.visit("/settings", notifyCard+` [data-notify-on]:not([hidden])`)
	if got := tb.text(notifyCard); !contains(got, "Notifications on this device", "Off.", "never the caption") {
		t.Errorf("the card says %q", got)
	}
	if n := len(tb.notes()); n != 0 {
		t.Errorf("%d notifications before turning them on", n)
	}
	tb.check("notifications (off)", "settings-notify-off")
	tb.setNotifications(browser.PermissionSettingGranted)
	tb.do("turn them on", chromedp.Click(chromedp.CSS(notifyCard+` [data-notify-on]`)))
	tb.waitJS("asked", `document.querySelector('[data-notify-card]').dataset.state === 'asked'`)
	tb.check("notifications (asked)", "settings-notify-asked")
	tb.eval("answer", `(window.__answer(), true)`)
	tb.waitJS("on", `document.querySelector('[data-notify-card]').dataset.state === 'on'`)
	tb.check("notifications (on)", "settings-notify-on")

	img := testPNG(t, 8, 8)
	alice.postMultipart("/api/messages", field("to", "bob"), field("caption", "a secret caption"), file("image", "x.png", img))
	alice.postMultipart("/api/messages", field("to", "bob"), file("image", "x.png", img))
	tb.waitJS("two notifications", `(window.__notes || []).length === 2`)
	for _, n := range tb.notes() {
		if n.Title != "New image from alice" || n.Tag != "from:alice" || n.Body != "" || n.Image != "" {
			t.Errorf("notification %+v; want the title \"New image from alice\", tag from:alice, no body or image", n)
		}
	}
	tb.eval("click the notification", `(window.__notes[0].onclick(), true)`)
	tb.do("the conversation", chromedp.WaitVisible(chromedp.CSS(`#conversation`)))
	if p := tb.path(); p != "/conversations/alice" {
		t.Errorf("a click on the notification opened %s; want /conversations/alice", p)
	}
	tb.waitJS("the stream is connected", `document.getElementById('live') && window.imageappNotify === true`)
	sendAPI(t, alice, "bob", img)
	tb.waitJS("a notification on the conversation page", `(window.__notes || []).length === 1`)

	tb.visit("/settings", notifyCard+` [data-notify-off]:not([hidden])`)
	tb.do("turn them off", chromedp.Click(chromedp.CSS(notifyCard+` [data-notify-off]`)))
	tb.waitJS("off", `document.querySelector('[data-notify-card]').dataset.state === 'off'`)
	tb.visit("/inbox", "#inbox")
	tb.waitJS("the stream is connected", `document.getElementById('live-status')?.dataset.live === 'true'`)
	tb.eval("watch the stream", `(document.body.addEventListener('inbox', () => { window.__inbox = true; }), true)`)
	sendAPI(t, alice, "bob", img)
	tb.waitJS("the image's event", `window.__inbox === true`)
	if n := tb.notes(); len(n) != 0 || tb.eval("notify.js", `window.imageappNotify === true`) {
		t.Errorf("turned off, the inbox still loads notify.js or shows %v", n)
	}
	tb.checkConsole()

	blocked := b.newTab("bob-blocked", false)
	pagesLogin(blocked, "bob", browserPassword)
	blocked.setNotifications(browser.PermissionSettingDenied)
	blocked.visit("/settings", notifyCard)
	blocked.waitJS("blocked", `document.querySelector('[data-notify-card]').dataset.state === 'blocked'`)
	if got := blocked.text(notifyCard); !strings.Contains(got, "Allow them in the browser's site settings") {
		t.Errorf("blocked, the card says %q", got)
	}
	blocked.check("notifications (blocked)", "settings-notify-blocked")

	nojs := b.newTab("bob-nojs", true)
	pagesLogin(nojs, "bob", browserPassword)
	nojs.visit("/settings", notifyCard)
	if got := nojs.text(notifyCard); !strings.Contains(got, "Notifications need JavaScript.") {
		t.Errorf("without JavaScript the card says %q", got)
	}
}

// TestBrowserReactNotifications: the same in the React client: the Account
// screen's card turns them on (off, asked, on); alice's image shows a
// notification that names her only, tagged with her name; a click opens the
// conversation; turned off, no more come. The choice is the browser's, so
// the server pages see it too (the same localStorage key).
func TestBrowserReactNotifications(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "react-notify")
	alice := app.signUp("alice")
	tb := b.newTab("bob", false)
	tb.recordNotifications()
	reactSignUp(tb, "bob", false)

	card := `section[aria-labelledby=browser-notifications-heading]`
	tb.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	tb.waitText("off", card, "Off.")
	tb.setNotifications(browser.PermissionSettingGranted)
	tb.do("turn them on", chromedp.Click(chromedp.CSS(card+` button`)))
	tb.waitJS("asked", `document.querySelector('`+card+`').dataset.state === 'asked'`)
	tb.eval("answer", `(window.__answer(), true)`)
	tb.waitText("on", card, "On: while a tab of ImageApp is open")
	tb.check("account (notifications on)", "account-notify-on")

	img := testPNG(t, 8, 8)
	alice.postMultipart("/api/messages", field("to", "bob"), field("caption", "a secret caption"), file("image", "x.png", img))
	tb.waitJS("a notification", `(window.__notes || []).length === 1`)
	if n := tb.notes()[0]; n.Title != "New image from alice" || n.Tag != "from:alice" || n.Body != "" || n.Image != "" {
		t.Errorf("notification %+v; want the title \"New image from alice\", tag from:alice, no body or image", n)
	}
	tb.eval("click the notification", `(window.__notes[0].onclick(), true)`)
	tb.waitJS("the conversation", `location.hash === '#/conversations/alice'`)

	tb.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	tb.waitText("on", card, "On:")
	tb.do("turn them off", chromedp.Click(chromedp.CSS(card+` button`)))
	tb.waitText("off", card, "Off.")
	tb.eval("forget the notifications", `(window.__notes.length = 0, true)`)
	tb.visit("/react/#/inbox", `nav[aria-label=Main]`)
	tb.waitJS("the stream is connected", `document.body.innerText.includes('New images appear here as they arrive.')`)
	tb.eval("note the title", `(window.__title = document.title, true)`)
	sendAPI(t, alice, "bob", img)
	tb.waitJS("the image's event (the unread count in the title)", `document.title !== window.__title`)
	time.Sleep(500 * time.Millisecond) // a notification would have come with the event
	if n := tb.notes(); len(n) != 0 {
		t.Errorf("turned off, notifications still come: %v", n)
	}
	tb.checkConsole()
}
