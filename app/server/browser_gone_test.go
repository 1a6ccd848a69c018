package server

// Browser tests of a gone message: after a delete, Back and reload say what
// happened, in the server pages (JavaScript on and off) and in React.
// Screenshots land in .cache/artifacts/browser/gone-*.png and reactgone-*.png.

import (
	"errors"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserGonePages: bob deletes an image from alice; with JavaScript
// on, Back returns to its page, which says "You deleted this image."; with
// it off, reloading its address says so; alice's copy of the address says
// "bob deleted this image.", and neither says "Not found".
func TestBrowserGonePages(t *testing.T) {
	for _, c := range []struct {
		flow  string
		jsOff bool
	}{{"gone-js", false}, {"gone-nojs", true}} {
		t.Run(c.flow, func(t *testing.T) {
			app := startApp(t, t.TempDir())
			b := startBrowser(t, app, c.flow)
			alice, bob := b.newTab("alice", c.jsOff), b.newTab("bob", c.jsOff)
			pagesSignUp(alice, "alice", false)
			pagesSignUp(bob, "bob", false)
			id := app.sendDirect("alice", "bob", 1)[0]

			bob.visit("/messages/"+id, "figure img")
			if c.jsOff {
				bob.submit("press Delete", `form[action$="/delete"] button[type=submit]`, "/messages/"+id+"/delete")
				bob.submit("delete for both", `main input[name=confirm][value=yes] ~ button[type=submit]`, "/inbox")
				bob.do("reload the message's address", chromedp.Navigate(app.server.URL+"/messages/"+id))
			} else {
				bob.do("press Delete", chromedp.Click(chromedp.CSS(`form[data-dialog] button[type=submit]`)))
				bob.waitJS("the dialog opens", `document.getElementById('delete-dialog').open`)
				bob.submit("delete for both", `#delete-dialog input[name=confirm][value=yes] ~ button[type=submit]`, "/inbox")
				bob.do("go back", chromedp.NavigateBack())
				bob.waitJS("back on the message's address", `location.pathname === `+jsString("/messages/"+id))
			}
			wantGone(bob, "You deleted this image.")
			bob.check("gone", "gone")
			if !c.jsOff {
				bob.do("reload", chromedp.Reload())
				wantGone(bob, "You deleted this image.")
			}
			alice.visit("/messages/"+id, "main h1")
			wantGone(alice, "bob deleted this image.")
			alice.checkConsole()
			bob.checkConsole()
		})
	}
}

// TestBrowserReactGone: in React, bob deletes an image; Back returns to its
// screen, which says "You deleted this image.", and so does a reload.
func TestBrowserReactGone(t *testing.T) {
	b := startReactBrowser(t, "reactgone")
	alice, bob := b.newTab("alice", false), b.newTab("bob", false)
	reactSignUp(alice, "alice", false)
	reactSignUp(bob, "bob", false)
	reactSend(alice, "bob")
	id := evalAs[string](bob, "the message's ID", `fetch('/api/messages?box=inbox').then((r) => r.json()).then((j) => j.messages[0].id)`, chromedp.EvalAwaitPromise)

	bob.visit("/react/#/messages/"+id, "main img")
	clickButton(bob, "main", "Delete")
	bob.waitJS("the confirmation", `document.querySelector('[role=dialog]') !== null`)
	clickButton(bob, "[role=dialog]", "Delete")
	bob.waitJS("the inbox", `location.hash.startsWith('#/inbox')`)
	bob.do("go back", chromedp.NavigateBack())
	bob.waitText("the screen says what happened", "main [role=alert]", "You deleted this image.")
	wantReactGone(bob)
	bob.check("gone", "gone")
	bob.do("reload", chromedp.Reload())
	bob.waitText("the reloaded screen says what happened", "main [role=alert]", "You deleted this image.")
	wantReactGone(bob)

	alice.visit("/react/#/messages/"+id, "main h1")
	alice.waitText("alice's screen says who deleted it", "main [role=alert]", "bob deleted this image.")
	alice.checkConsole()
	bob.checkConsole()
}

// wantGone checks that the page says sentence under "Image gone", and not
// "Not found".
func wantGone(tb *tab, sentence string) {
	tb.b.t.Helper()
	if got := tb.text("main"); !strings.Contains(got, "Image gone") || !strings.Contains(got, sentence) || strings.Contains(got, "Not found") {
		tb.b.t.Errorf("%s's page of the deleted message says %q; want %q under 'Image gone'", tb.name, got, sentence)
	}
}

func wantReactGone(tb *tab) {
	tb.b.t.Helper()
	if got := tb.text("main h1"); got != "Image gone" {
		tb.b.t.Errorf("the React screen's heading is %q; want 'Image gone'", got)
	}
}

// clickButton clicks the first button in scope whose text is label.
func clickButton(tb *tab, scope, label string) {
	tb.b.t.Helper()
	if !tb.eval("press "+label, `(() => {
		const b = [...document.querySelectorAll(`+jsString(scope+" button")+`)].find((e) => e.innerText.trim() === `+jsString(label)+`);
		if (!b) return false;
		b.click();
		return true;
	})()`) {
		tb.fatal("press "+label, errors.New("no such button"))
	}
}
