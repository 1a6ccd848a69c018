package server

// Browser test of expiry and view-once in the React client: the Send screen's Keep choice, the "Opens once" and "Gone in …"
// badges, and a view-once image opened once from the message screen. Same
// harness as browser_react_screens_test.go; the flow is named reactflow-* so that
// TestBrowserReact's clean-up of react-*.png keeps its screenshots.

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// reactSendKept sends a test PNG with a caption through the React Send
// screen, choosing keep (a value of the Keep select), and waits for the
// Sent screen.
func reactSendKept(tb *tab, to, keep, caption string) {
	tb.b.t.Helper()
	tb.visit("/react/#/send?to="+to, "select[name=keep]")
	// A controlled React select changes on its change event.
	got := evalAs[string](tb, "choose Keep: "+keep, `(() => {
		const s = document.querySelector('select[name=keep]');
		s.value = `+jsString(keep)+`;
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return s.value;
	})()`)
	if got != keep {
		tb.b.t.Fatalf("the Keep select has no %q choice (holds %q)", keep, got)
	}
	tb.do("choose the image and write a caption",
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file][name=image]`), []string{writeTestPNG(tb.b.t, 640, 400)}),
		chromedp.SendKeys(chromedp.CSS("textarea[name=caption]"), caption),
	)
	tb.waitJS("the chosen file is named", `document.querySelector('[data-testid=chosen-file]')?.innerText.includes('holiday.png')`)
	tb.do("send the image", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	tb.waitText("the sent screen says it was sent", "[role=status]", "Sent to "+to+".")
	tb.waitJS("the sent list shows it", `document.querySelector('main a[href^="#/messages/"]') !== null`)
}

// TestBrowserReactRetention: alice sends bob one image kept for an hour and
// one that opens once; the lists say so; bob sees no image until he presses
// "Open it now", then sees it, its only time: reloading says it is gone.
func TestBrowserReactRetention(t *testing.T) {
	b := startReactBrowser(t, "reactflow-retention")
	alice, bob := b.newTab("alice", false), b.newTab("bob", false)
	reactSignUp(alice, "alice", false)
	reactSignUp(bob, "bob", false)

	alice.visit("/react/#/send?to=bob", "select[name=keep]")
	if got := alice.text("#keep-hint"); !strings.Contains(got, "gone for good for both of you") {
		t.Errorf("the Keep hint says %q", got)
	}
	alice.check("send with Keep", "send")
	reactSendKept(alice, "bob", "1h", "For an hour")
	reactSendKept(alice, "bob", "once", "Just this once")
	alice.waitText("Sent marks the view-once image", `main ul[aria-label="Sent messages"] li`, "Opens once")
	alice.waitText("Sent marks the expiring image", `main ul[aria-label="Sent messages"] li`, "Gone in")
	alice.check("sent", "sent")
	// Newest first: the view-once image is the first row.
	href := evalAs[string](alice, "read the view-once message's address", `document.querySelector('main a[href^="#/messages/"]').getAttribute('href')`)

	bob.visit("/react/#/conversations/alice", `ol[aria-label="Images with alice"]`)
	bob.waitJS("both images", `document.querySelectorAll('ol[aria-label="Images with alice"] > li').length === 2`)
	if got := bob.text(`ol[aria-label="Images with alice"] > li:first-child`); !strings.Contains(got, "Gone in") {
		t.Errorf("the 1-hour image's bubble says %q, want a Gone in … badge", got)
	}
	if got := bob.text(`ol[aria-label="Images with alice"] > li:last-child`); !strings.Contains(got, "Opens once") {
		t.Errorf("the view-once image's bubble says %q, want Opens once", got)
	}
	bob.check("conversation", "conversation")

	alice.visit("/react/"+href, "[data-testid=view-once]")
	if got := alice.text("article"); !strings.Contains(got, "Only bob can open it, once; then it is gone for good. You cannot open it.") {
		t.Errorf("alice's view of her view-once image says %q", got)
	}

	bob.visit("/react/"+href, "[data-testid=view-once]")
	if got := bob.text("article"); !strings.Contains(got, "This image opens once.") {
		t.Errorf("bob's message screen says %q, want This image opens once.", got)
	}
	if bob.eval("look for an image", `document.querySelector('main img') !== null`) {
		t.Errorf("the view-once image shows before bob opens it")
	}
	if bob.has("article", "Download") {
		t.Errorf("a view-once image offers Download")
	}
	bob.check("view-once", "view-once")

	bob.do("open it now", chromedp.Click(chromedp.CSS(`[data-testid=view-once] button`)))
	bob.waitText("the image, once", "h1", "From alice, once")
	bob.waitJS("the image is there", `document.querySelector('article img') !== null`)
	if w := bob.imageWidth("article img"); w != 640 {
		t.Errorf("the view-once image's naturalWidth = %d, want 640", w)
	}
	got := bob.text("article")
	for _, s := range []string{"Just this once", "This image is already deleted: when you leave this page it is gone for good."} {
		if !strings.Contains(got, s) {
			t.Errorf("the opened view-once image's screen says %q, want %q in it", got, s)
		}
	}
	bob.check("viewed once", "viewed-once")

	bob.do("reload", chromedp.Reload())
	bob.waitText("the server says it was viewed once", "[role=alert]", "This image was viewed once and is gone.")
	if bob.eval("look for an image", `document.querySelector('main img') !== null`) {
		t.Errorf("the view-once image shows again after a reload")
	}
	alice.checkConsole()
	bob.checkConsole()
}
