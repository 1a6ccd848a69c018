package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserPrivacyNoJS(t *testing.T) { privacyFlow(t, "privacy-nojs", true) }

func TestBrowserPrivacyHTMX(t *testing.T) { privacyFlow(t, "privacy-htmx", false) }

// privacyFlow: bob turns read receipts off and leaves the directory on the
// settings page; alice's sent page, conversation and message page then
// say "Delivered" after bob opened her image, and the people page does not
// list bob.
func privacyFlow(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	alice, bob := b.newTab("alice", jsOff), b.newTab("bob", jsOff)
	pagesSignUp(alice, "alice", false)
	pagesSignUp(bob, "bob", false)
	app.sendCaptioned("alice", "bob", "Sunset at the lake")

	bob.visit("/settings", "#privacy")
	if !bob.eval("both boxes start checked", `document.querySelector('#privacy-read_receipts').checked && document.querySelector('#privacy-listed').checked`) {
		t.Error("a new account's privacy boxes are not both checked")
	}
	bob.do("untick both boxes",
		chromedp.Click(chromedp.CSS("#privacy-read_receipts")),
		chromedp.Click(chromedp.CSS("#privacy-listed")))
	bob.submit("save", `#privacy button[type=submit]`, "/settings")
	if got := bob.text("main"); !strings.Contains(got, "Privacy settings saved.") {
		t.Errorf("after saving, the settings page says %q", got)
	}
	if bob.eval("the boxes show what was saved", `document.querySelector('#privacy-read_receipts').checked || document.querySelector('#privacy-listed').checked`) {
		t.Error("after saving both off, a privacy box is still checked")
	}
	bob.check("settings", "settings-privacy")

	bob.visit("/conversations/alice", "#conversation a[href^='/messages/']")
	openMessage(bob, "open alice's image", "#conversation a[href^='/messages/']")

	alice.visit("/sent", "main ul")
	if got := alice.text("main"); !strings.Contains(got, "Delivered") || strings.Contains(got, "Opened") {
		t.Errorf("bob has read receipts off; alice's sent page says %q", got)
	}
	alice.check("sent", "sent-delivered")
	alice.visit("/conversations/bob", "#conversation")
	if got := alice.text("#conversation"); !strings.Contains(got, "Delivered") || strings.Contains(got, "Opened") {
		t.Errorf("bob has read receipts off; alice's conversation says %q", got)
	}
	alice.check("conversation", "conversation-delivered")
	alice.visit("/users", "main")
	if alice.eval("bob is listed", `document.querySelector('a[aria-label="Send an image to bob"]') !== null`) {
		t.Error("hidden bob is on alice's people page")
	}
}

// TestBrowserReactPrivacy: the same settings on the React Account screen.
func TestBrowserReactPrivacy(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first (.ci/test does)", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "react-privacy")
	alice, bob := b.newTab("alice", false), b.newTab("bob", false)
	reactSignUp(alice, "alice", false)
	reactSignUp(bob, "bob", false)
	app.sendCaptioned("alice", "bob", "Sunset at the lake")

	bob.do("open Account", chromedp.Click(chromedp.CSS(`a[href="#/account"]`)))
	bob.waitJS("the privacy boxes", `document.querySelector('#privacy-heading') && document.querySelectorAll('section[aria-labelledby=privacy-heading] input[type=checkbox]').length === 3`)
	bob.do("untick read receipts", chromedp.Click(chromedp.CSS(`main input[name=read_receipts]`)))
	bob.do("save", chromedp.Click(chromedp.CSS(`section[aria-labelledby=privacy-heading] button[type=submit]`)))
	bob.waitJS("it is saved", `document.querySelector('main').innerText.includes('Privacy settings saved.')`)
	bob.check("account", "account-privacy")

	u, err := app.backend.Users.UserByUsername(t.Context(), "bob")
	if err != nil || !u.NoReadReceipts || u.Hidden {
		t.Fatalf("after saving, bob's stored settings = receipts off %v, hidden %v (%v); want receipts off, listed", u.NoReadReceipts, u.Hidden, err)
	}
	evalAs[string](bob, "open the conversation", `location.hash = '#/conversations/alice'`)
	bob.waitJS("the conversation", `document.querySelector('main a[href^="#/messages/"]') !== null`)
	bob.do("open alice's image in the viewer", chromedp.Click(chromedp.CSS(`main a[href^="#/messages/"]`)))
	bob.waitJS("the viewer opens", viewerOpen)
	bob.do("follow Details", chromedp.Click(chromedp.CSS("[data-viewer-open]")))
	bob.waitJS("the message", `document.querySelector('article img') !== null`)

	alice.do("go to Sent", chromedp.Click(chromedp.CSS(`nav[aria-label=Main] a[href="#/sent"]`)))
	alice.waitJS("the sent list", `document.querySelector('main ul[aria-label="Sent messages"]') !== null`)
	if got := alice.text(`main ul[aria-label="Sent messages"]`); !strings.Contains(got, "Delivered") || strings.Contains(got, "Opened") {
		t.Errorf("bob has read receipts off; alice's React sent list says %q", got)
	}
	alice.check("sent", "sent-delivered")
	alice.checkConsole()
	bob.checkConsole()
}
