package server

import (
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserBlockHTMX(t *testing.T) { blockFlow(t, "block-htmx", false) }

func TestBrowserBlockNoJS(t *testing.T) { blockFlow(t, "block-nojs", true) }

// blockFlow: bob blocks alice from their conversation (the consequence is
// stated before the button), sees the banner, then finds her on the
// settings page and unblocks her.
func blockFlow(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	bob := b.newTab("bob", jsOff)
	app.signUp("alice")
	pagesSignUp(bob, "bob", false)
	app.sendCaptioned("alice", "bob", "hi bob")

	bob.visit("/conversations/alice", "#conversation")
	bob.do("open the block step", chromedp.Click(chromedp.CSS(`#block-step summary`)))
	if got := bob.text("#block-step"); !contains(got, "will not be able to send you images", "will not be told") {
		t.Errorf("the block step says %q; want the consequence stated", got)
	}
	bob.check("block step", "step")
	bob.submit("block", `form[action="/people/alice/block"] button`, "/conversations/alice")
	if got := bob.text("main"); !contains(got, "You block alice", "Blocked.") {
		t.Errorf("after blocking the page says %q", got)
	}
	bob.check("blocked conversation", "blocked")
	bob.visit("/settings", "#blocked-heading")
	if got := bob.text(`section[aria-labelledby="blocked-heading"]`); !contains(got, "alice", "Unblock alice") {
		t.Errorf("the settings' blocked list says %q", got)
	}
	bob.check("settings (blocked)", "settings")
	bob.submit("unblock", `form[action="/people/alice/unblock"] button`, "/settings")
	if got := bob.text(`section[aria-labelledby="blocked-heading"]`); !contains(got, "You block nobody.") {
		t.Errorf("after unblocking the list says %q", got)
	}
}
