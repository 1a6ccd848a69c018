package server

// Browser tests of the server pages' times, delete confirmation, message
// actions, mobile navigation and first visit, with JavaScript on and off. Screenshots land in
// .cache/artifacts/browser/pages-js-*.png and pages-nojs-*.png.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserPagesJS: with JavaScript on, in a browser set to Tokyo's time
// zone: times in Tokyo's time (rewritten in the browser on the first page,
// from the server once it has the tz cookie); delete asks in a dialog that
// says it deletes for both; the nav is a bottom tab bar at 375 px.
func TestBrowserPagesJS(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "pages-js")
	alice, bob := b.newTab("alice", false), b.newTab("bob", false)
	for _, tb := range []*tab{alice, bob} {
		if _, err := chromedp.Call(tb.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}); err != nil {
			t.Fatalf("set the time zone: %v", err)
		}
	}
	pagesSignUp(alice, "alice", false)
	pagesSignUp(bob, "bob", false)
	ids := app.sendDirect("alice", "bob", 2)

	// The server already has bob's zone from the pages he went through.
	bob.visit("/messages/"+ids[0], "figure img")
	sent := sentTime(bob)
	if got, want := bob.text("article header time"), sent.In(tokyo(t)).Format("2 Jan 2006, 15:04 MST"); got != want {
		t.Errorf("bob's message page says it was sent %q, want Tokyo's %q", got, want)
	}
	// A first visit (no tz cookie yet): the server writes UTC, time.js
	// rewrites it in the browser's zone.
	bob.eval("forget the tz cookie", `(document.cookie = 'tz=; max-age=0; path=/'), true`)
	bob.visit("/messages/"+ids[0], "figure img")
	bob.waitJS("time.js rewrites the time", `document.querySelector('article header time').dataset.tz === 'Asia/Tokyo'`)
	if got, want := bob.text("article header time"), sent.In(tokyo(t)).Format("2 Jan 2006, 15:04")+" GMT+9"; got != want {
		t.Errorf("on a first visit the time reads %q, want %q", got, want)
	}
	if !bob.eval("the tz cookie", `document.cookie.includes('tz=Asia/Tokyo')`) {
		t.Errorf("time.js did not set the tz cookie: %q", evalAs[string](bob, "cookies", `document.cookie`))
	}
	// A time swapped in later (htmx) in another zone is rewritten too.
	bob.eval("swap in a UTC time", `(document.querySelector('main').insertAdjacentHTML('beforeend',
		'<p id="swapped"><time datetime="2026-01-02T03:04:00Z" data-tz="UTC" data-style="full">2 Jan 2026, 03:04 UTC</time></p>'), true)`)
	bob.waitJS("time.js rewrites the swapped-in time", `document.querySelector('#swapped time').innerText === '2 Jan 2026, 12:04 GMT+9'`)
	bob.eval("remove it", `(document.getElementById('swapped').remove(), true)`)
	bob.check("message", "message")

	// The nav at 375 px: a tab bar fixed to the bottom, every main link in one
	// row, each at least 44 px; the unread badge in the Inbox tab.
	bob.visit("/inbox", "#inbox")
	checkMobileNav(bob)
	bob.check("inbox", "inbox")

	// alice (the sender) sees it labelled as opened; her delete asks in a
	// dialog that names bob, and Cancel keeps the message.
	alice.visit("/messages/"+ids[0], "figure img")
	if got := alice.text("article header"); !strings.Contains(got, "Sent "+sent.In(tokyo(t)).Format("2 Jan 2006, 15:04 MST")) || !strings.Contains(got, "Opened ") {
		t.Errorf("alice's page says %q; want when it was sent (Tokyo time) and that it was opened", got)
	}
	alice.do("press Delete", chromedp.Click(chromedp.CSS(`form[data-dialog] button[type=submit]`)))
	alice.waitJS("the dialog opens", `document.getElementById('delete-dialog').open`)
	if p := alice.path(); p != "/messages/"+ids[0] {
		t.Errorf("pressing Delete left the page for %s", p)
	}
	if got := alice.text("#delete-dialog"); !strings.Contains(got, "Delete this image for both of you?") || !strings.Contains(got, "bob and you will no longer be able to see it. This cannot be undone.") {
		t.Errorf("the dialog says %q", got)
	}
	if !alice.eval("focus on Cancel", `document.activeElement?.innerText === 'Cancel'`) {
		t.Errorf("the dialog does not start on Cancel")
	}
	alice.check("delete dialog", "delete-dialog")
	alice.do("press Cancel", chromedp.Click(chromedp.CSS(`#delete-dialog form[method=dialog] button`)))
	alice.waitJS("the dialog closes", `!document.getElementById('delete-dialog').open`)
	alice.do("press Delete again", chromedp.Click(chromedp.CSS(`form[data-dialog] button[type=submit]`)))
	alice.waitJS("the dialog opens again", `document.getElementById('delete-dialog').open`)
	alice.submit("delete for both", `#delete-dialog input[name=confirm][value=yes] ~ button[type=submit]`, "/sent")
	if got := alice.text("main"); !strings.Contains(got, "The image was deleted.") {
		t.Errorf("after the delete the sent page says %q", got)
	}
	bob.visit("/inbox", "#inbox")
	if bob.eval("the deleted message", fmt.Sprintf(`document.querySelector('a[href="/messages/%s"]') !== null`, ids[0])) {
		t.Errorf("bob still has the message alice deleted")
	}
	alice.checkConsole()
	bob.checkConsole()
}

// TestBrowserPagesNoJS: with JavaScript off: the first visit says what
// ImageApp is; times say UTC; Delete asks on a page of its own (Cancel goes
// back, Delete deletes); the recipient can download and reply; the nav is a
// bottom tab bar at 375 px, its account menu a <details>.
func TestBrowserPagesNoJS(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "pages-nojs")
	bob := b.newTab("bob", true)

	bob.visit("/", `form[action="/login"]`)
	if got := bob.text("main"); !strings.Contains(got, "ImageApp sends private images to people you know.") || !strings.Contains(got, "Not end-to-end") {
		t.Errorf("the first page does not say what ImageApp is: %q", got)
	}
	if !bob.eval("the favicon", `document.querySelector('link[rel=icon][type="image/svg+xml"]') !== null`) {
		t.Errorf("no SVG favicon")
	}
	bob.check("first visit", "first-visit")

	app.signUp("alice")
	pagesSignUp(bob, "bob", false)
	id := app.sendDirect("alice", "bob", 1)[0]

	bob.visit("/inbox", "#inbox")
	checkMobileNav(bob)
	bob.check("inbox", "inbox")
	bob.do("open the account menu", chromedp.Click(chromedp.CSS("header details summary")))
	if !bob.eval("Log out shows", `document.querySelector('header details[open] form[action="/logout"] button')?.offsetParent !== null`) {
		t.Errorf("the account menu does not open without JavaScript")
	}
	bob.check("account menu", "account-menu")

	bob.visit("/messages/"+id, "figure img")
	sent := sentTime(bob)
	if got, want := bob.text("article header time"), sent.UTC().Format("2 Jan 2006, 15:04")+" UTC"; got != want {
		t.Errorf("with JavaScript off and no tz cookie the time reads %q, want %q", got, want)
	}
	if !bob.eval("the download link", fmt.Sprintf(`document.querySelector('a[href="/messages/%s/image?download=1"]')?.innerText === 'Download'`, id)) {
		t.Errorf("no Download link")
	}
	bob.check("message", "message")

	bob.submit("press Delete", `form[action$="/delete"] button[type=submit]`, "/messages/"+id+"/delete")
	if got := bob.text("main"); !strings.Contains(got, "Delete this image for both of you?") || !strings.Contains(got, "alice and you will no longer be able to see it. This cannot be undone.") {
		t.Errorf("the confirmation page says %q", got)
	}
	bob.check("delete confirmation", "delete-confirm")
	bob.submit("press Cancel", `main a[href="/messages/`+id+`"]`, "/messages/"+id)
	bob.submit("press Delete again", `form[action$="/delete"] button[type=submit]`, "/messages/"+id+"/delete")
	bob.submit("delete for both", `main input[name=confirm][value=yes] ~ button[type=submit]`, "/inbox")
	if got := bob.text("main"); !strings.Contains(got, "The image was deleted.") {
		t.Errorf("after the delete the inbox says %q", got)
	}
	if bob.eval("the deleted message", fmt.Sprintf(`document.querySelector('a[href="/messages/%s"]') !== null`, id)) {
		t.Errorf("the deleted message is still in the inbox")
	}

	// A reply goes to the send form with the sender filled in.
	id = app.sendDirect("alice", "bob", 1)[0]
	bob.visit("/messages/"+id, "figure img")
	bob.submit("reply", `a[href="/send?to=alice"]`, "/send")
	if v := bob.value("#to"); v != "alice" {
		t.Errorf("the reply's To field = %q, want alice", v)
	}
}

// checkMobileNav: at 375 px the main links are one row fixed to the bottom
// of the screen, each at least 44 px, the Inbox tab holding the badge; at
// 1280 px they sit in the top bar.
func checkMobileNav(tb *tab) {
	t := tb.b.t
	t.Helper()
	tb.do("375 px", chromedp.EmulateViewport(375, 800))
	raw := evalAs[string](tb, "measure the tabs", `(() => {
		const nav = document.querySelector('nav[aria-label=Main]').getBoundingClientRect();
		const links = [...document.querySelectorAll('nav[aria-label=Main] a')].map((a) => {
			const r = a.getBoundingClientRect();
			return a.innerText.split('\n')[0].trim() + ':' + Math.round(r.top) + ':' + Math.round(r.width) + 'x' + Math.round(r.height);
		});
		return Math.round(nav.bottom) + '/' + window.innerHeight + ' ' + links.join(' ');
	})()`)
	fields := strings.Fields(raw)
	if len(fields) != 5 || fields[0] != "800/800" {
		t.Errorf("at 375 px the nav is not four tabs at the bottom of the screen: %s", raw)
	}
	top := ""
	for _, f := range fields[1:] {
		var y, w, h int
		label, size, _ := strings.Cut(f, ":")
		if _, err := fmt.Sscanf(size, "%d:%dx%d", &y, &w, &h); err != nil {
			t.Errorf("measure %q: %v", f, err)
			continue
		}
		if w < 44 || h < 44 {
			t.Errorf("at 375 px the %s tab is %dx%d px, under 44 px", label, w, h)
		}
		if top == "" {
			top = fmt.Sprint(y)
		} else if fmt.Sprint(y) != top {
			t.Errorf("at 375 px the tabs wrap: %s", raw)
		}
	}
	if !tb.eval("the badge", `document.querySelector('nav[aria-label=Main] a[href="/inbox"] #nav-unread') !== null`) {
		t.Errorf("the unread badge is not in the Inbox tab")
	}
	tb.do("1280 px", chromedp.EmulateViewport(1280, 900))
	if !tb.eval("the nav at 1280 px", `document.querySelector('nav[aria-label=Main]').getBoundingClientRect().bottom <= document.querySelector('header').getBoundingClientRect().bottom`) {
		t.Errorf("at 1280 px the nav is not in the top bar")
	}
}

// sentTime is the message page's sent time, from its <time datetime>.
func sentTime(tb *tab) time.Time {
	tb.b.t.Helper()
	v := evalAs[string](tb, "the sent time", `document.querySelector('article header time').getAttribute('datetime')`)
	sent, err := time.Parse(time.RFC3339, v)
	if err != nil {
		tb.b.t.Fatalf("the sent time %q: %v", v, err)
	}
	return sent
}

func tokyo(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
