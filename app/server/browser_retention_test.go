package server

import (
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserViewOnceHTMX(t *testing.T) { viewOnceFlow(t, "viewonce-htmx", false) }

func TestBrowserViewOnceNoJS(t *testing.T) { viewOnceFlow(t, "viewonce-nojs", true) }

// viewOnceFlow: alice chooses "View once" on the send form; bob sees
// "Opens once", a page that says so with an Open button, the image once,
// and then nothing.
func viewOnceFlow(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	alice, bob := b.newTab("alice", jsOff), b.newTab("bob", jsOff)
	pagesSignUp(alice, "alice", false)
	pagesSignUp(bob, "bob", false)

	alice.visit("/send?to=bob", "#keep")
	alice.do("choose view once and an image",
		chromedp.SetValue(chromedp.CSS("#keep"), "once"),
		chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeTestPNG(t, 320, 200)}),
		chromedp.SendKeys(chromedp.CSS("#caption"), "Just this once"))
	alice.check("send (view once)", "send")
	if jsOff {
		alice.submit("send", `#send-panel button[type=submit]`, "/sent")
	} else {
		alice.do("send", chromedp.Click(chromedp.CSS(`#send-panel button[type=submit]`)))
		alice.waitJS("sent", `document.querySelector('#send-panel [role=status]')?.innerText.includes('Sent to bob')`)
	}

	bob.visit("/conversations/alice", `#conversation a[href^="/messages/"]`)
	if got := bob.text("#conversation"); !contains(got, "Opens once") || contains(got, "Just this once") {
		t.Errorf("bob's conversation shows %q; want 'Opens once' and not the caption", got)
	}
	bob.submit("open the message page", `#conversation a[href^="/messages/"]`, "")
	if got := bob.text("main"); !contains(got, "This image opens once.", "Open it now") {
		t.Errorf("the view-once page says %q", got)
	}
	if bob.eval("no image yet", `document.querySelector('main img') !== null`) {
		t.Error("the view-once page shows an image before Open")
	}
	bob.check("view-once page", "page")
	bob.submit("open it", `form[action$="/view"] button[type=submit]`, "")
	bob.do("the image shows", chromedp.WaitVisible(chromedp.CSS("figure img")))
	if w := bob.imageWidth("figure img"); w != 320 {
		t.Errorf("the viewed-once image is %d px wide; want 320", w)
	}
	if got := bob.text("main"); !contains(got, "Just this once", "already deleted") {
		t.Errorf("the viewed page says %q; want the caption and that it is deleted", got)
	}
	bob.check("viewed once", "viewed")
	bob.visit("/conversations/alice", "#conversation")
	if bob.eval("no bubble left", `document.querySelector('#conversation a[href^="/messages/"]') !== null`) {
		t.Error("the viewed-once image is still in the conversation")
	}
}
