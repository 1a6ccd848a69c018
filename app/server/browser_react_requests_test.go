package server

// Message requests in the React client: the same steps and words as the
// server pages. Same harness and needs as TestBrowserReact; the flow is named
// reactflow-* so that TestBrowserReact's clean-up of react-*.png keeps its
// screenshots.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	reactPrivacyCard   = `section[aria-labelledby="privacy-heading"]`
	reactRequestBanner = `[data-testid=request-banner]`
	reactRequestsLink  = `[data-testid=requests-link]`
)

// TestBrowserReactRequests: bob turns on "Only accept images from people I
// know"; alice, a stranger, sends him an image through the API. His open
// inbox gets "Message requests (1)" by itself and no entry for her; the
// Requests screen lists her; the conversation shows a placeholder (no
// thumbnail, no caption, no way to open it), the banner and no Reply; the
// image does not open (403). He accepts in the banner and the image opens.
func TestBrowserReactRequests(t *testing.T) {
	b := startReactBrowser(t, "reactflow-requests")
	bob := b.newTab("bob", false)
	alice := b.app.signUp("alice")
	reactSignUp(bob, "bob", false)

	reactTurnOnRequests(t, bob)

	bob.visit("/react/#/inbox", "main h1")
	bob.waitJS("the live inbox", `document.querySelector('[data-testid=live-status]')?.innerText.includes('as they arrive')`)
	r := alice.postMultipart("/api/messages", field("to", "bob"), field("caption", "secret caption"), file("image", "cat.png", testPNG(t, 240, 160)))
	if r.status != http.StatusCreated {
		t.Fatalf("alice's send: %d %s", r.status, r.body)
	}
	bob.waitJSWithin("the requests link arrives by itself", 3*time.Second, `document.querySelector(`+jsString(reactRequestsLink)+`)?.innerText.includes('Message requests (1)')`)
	if bob.eval("alice is in the inbox list", `document.querySelector('main a[href="#/conversations/alice"]') !== null`) {
		t.Errorf("alice's request is listed in bob's inbox")
	}
	if bob.eval("an unread badge", `document.querySelector('nav[aria-label=Main] [aria-label$=" unread"]') !== null`) {
		t.Errorf("the request counts as unread in the header: %q", bob.text("header"))
	}
	bob.check("inbox with a request", "inbox")

	reactRequestsScreen(t, bob)
	reactRequestConversation(t, bob)

	bob.do("accept alice", chromedp.Click(chromedp.CSS(reactRequestBanner+` [role=group] button`)))
	bob.waitText("the accepted notice", "[role=status]", "Accepted. Their images are in your inbox.")
	bob.waitJS("her image shows", `document.querySelector('ol[aria-label="Images with alice"] a img') !== null`)
	if !bob.has("main ol", "secret caption") || bob.has("main", "is not someone you know") {
		t.Errorf("after accepting, the conversation says %q", bob.text("main"))
	}
	bob.waitJS("the composer is back", `document.querySelector('main [data-testid=composer]') !== null`)
	bob.check("accepted conversation", "accepted")

	bob.do("open the image in the viewer", chromedp.Click(chromedp.CSS(`ol[aria-label="Images with alice"] a`)))
	bob.waitJS("the viewer opens", viewerOpen)
	bob.do("follow Details", chromedp.Click(chromedp.CSS("[data-viewer-open]")))
	bob.waitJS("the message screen", `location.hash.startsWith('#/messages/') && document.querySelector('article img') !== null`)
	if w := bob.imageWidth("article img"); w != 240 {
		t.Errorf("the accepted image's naturalWidth = %d, want 240: it did not open", w)
	}
	bob.checkConsole()
}

// reactTurnOnRequests ticks "Only accept images from people I know" on the Account screen and saves.
func reactTurnOnRequests(t *testing.T, bob *tab) {
	t.Helper()
	bob.visit("/react/#/account", reactPrivacyCard+` input[name=message_requests]`)
	if got := bob.text(reactPrivacyCard); !contains(got, "Only accept images from people I know", "Images from others wait as message requests until you accept them.") {
		t.Errorf("the privacy card says %q", got)
	}
	bob.do("tick the box", chromedp.Click(chromedp.CSS(reactPrivacyCard+` input[name=message_requests]`)))
	bob.do("save", chromedp.Click(chromedp.CSS(reactPrivacyCard+` button[type=submit]`)))
	bob.waitText("saved", reactPrivacyCard+` [role=status]`, "Privacy settings saved.")
	bob.check("privacy with requests on", "privacy")
}

// reactRequestsScreen follows the inbox's link: alice is listed with one
// image; Block… asks first (they are not told), and Cancel keeps her.
func reactRequestsScreen(t *testing.T, bob *tab) {
	t.Helper()
	bob.do("follow the requests link", chromedp.Click(chromedp.CSS(reactRequestsLink)))
	bob.waitText("alice is listed", `ul[aria-label="Message requests"] li`, "alice")
	if got := bob.text(`ul[aria-label="Message requests"]`); !contains(got, "alice", "1 image", "Accept", "Delete…", "Block…") {
		t.Errorf("the requests list says %q", got)
	}
	bob.check("requests", "requests")
	bob.do("press Block…", chromedp.Click(chromedp.CSS(`ul[aria-label="Message requests"] li button:nth-child(3)`)))
	bob.waitText("the question", "[role=dialog]", "alice will no longer be able to send you images, and is not told.")
	bob.check("block question", "block-question")
	bob.do("cancel", chromedp.Click(chromedp.CSS(`[role=dialog] button:not(.bg-red-600)`)))
	bob.waitJS("the dialog closes", `document.querySelector('[role=dialog]') === null`)
}

// reactRequestConversation opens the conversation with alice: a placeholder
// that shows nothing of the image, the banner, no Reply; the image itself is
// refused.
func reactRequestConversation(t *testing.T, bob *tab) {
	t.Helper()
	bob.visit("/react/#/conversations/alice", reactRequestBanner)
	bob.waitText("the placeholder", `ol[aria-label="Images with alice"] li`, "Message request · PNG")
	if got := bob.text(reactRequestBanner); !strings.Contains(got, "alice is not someone you know. Accept to see their images.") {
		t.Errorf("the banner says %q", got)
	}
	if bob.has("main", "secret caption") || bob.eval("an image or link", `document.querySelector('ol[aria-label="Images with alice"] img, ol[aria-label="Images with alice"] a') !== null`) {
		t.Errorf("the request shows something of itself: %q", bob.text("main"))
	}
	if bob.eval("Reply is offered", `document.querySelector('a[href="#/send?to=alice"], main [data-testid=composer]') !== null`) {
		t.Errorf("a reply (the composer or the Send page) is offered while the request waits")
	}
	bob.check("conversation with a request", "conversation")

	// By its address, the image is refused, with the way to decide.
	id := evalAs[string](bob, "read the request's id", `fetch('/api/conversations/alice').then((r) => r.json()).then((j) => j.messages[0].id)`, chromedp.EvalAwaitPromise)
	bob.visit("/react/#/messages/"+id, `main [role=alert]`)
	if got := bob.text("main"); !contains(got, "This image is a message request from alice", "Message requests") {
		t.Errorf("opening the request by its address says %q", got)
	}
	if bob.eval("an image", `document.querySelector('main img') !== null`) {
		t.Errorf("the refused request shows an image")
	}
	bob.check("refused request", "refused")
	bob.visit("/react/#/conversations/alice", reactRequestBanner)
}
