package server

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserRequestsHTMX(t *testing.T) { requestsFlow(t, "requests-htmx", false) }

func TestBrowserRequestsNoJS(t *testing.T) { requestsFlow(t, "requests-nojs", true) }

// requestsFlow: bob turns message requests on; strangers' images wait
// behind the inbox's link (live with JS); on /requests he accepts alice,
// deletes carol's (asked first: a dialog with JS, a page without); dave's
// conversation shows a placeholder and the banner, where he blocks dave.
func requestsFlow(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	bob := b.newTab("bob", jsOff)
	app.signUp("alice")
	app.signUp("carol")
	app.signUp("dave")
	pagesSignUp(bob, "bob", false)

	bob.visit("/settings#privacy", "#privacy-message_requests")
	bob.do("tick message requests", chromedp.Click(chromedp.CSS(`#privacy-message_requests`)))
	bob.submit("save privacy", `#privacy form button[type=submit]`, "/settings")
	if !bob.eval("the box stays ticked", `document.getElementById('privacy-message_requests').checked`) {
		t.Fatal("message requests are not on after saving")
	}
	bob.check("privacy card", "privacy-requests")

	app.sendCaptioned("alice", "bob", "alice-secret")
	app.sendCaptioned("carol", "bob", "carol-secret")
	bob.visit("/inbox", "#requests-link")
	if got := bob.text("#requests-link"); !contains(got, "Message requests (2)") {
		t.Errorf("the inbox's link says %q", got)
	}
	app.sendCaptioned("dave", "bob", "dave-secret")
	if jsOff {
		bob.visit("/inbox", "#requests-link")
	}
	bob.waitJS("the link counts dave", `document.getElementById('requests-link').innerText.includes('(3)')`)
	if got := bob.text("main"); contains(got, "secret") {
		t.Errorf("the inbox shows a request's caption: %q", got)
	}
	bob.check("inbox with requests", "requests-inbox")

	bob.submit("open the requests", "#requests-link", "/requests")
	if got := bob.text("main"); !contains(got, "alice", "carol", "dave", "1 image") || contains(got, "secret") {
		t.Errorf("/requests says %q", got)
	}
	bob.check("requests list", "requests-list")
	if !jsOff {
		// A new request shows up on the open list; a question open in it
		// stays open through the next one (the reload waits), and deletes both.
		app.signUp("erin")
		app.sendCaptioned("erin", "bob", "erin-secret")
		bob.waitJS("erin's request arrives live", `document.getElementById('requests').innerText.includes('erin')`)
		bob.do("ask to delete erin's", chromedp.Click(chromedp.CSS(`form[data-dialog][action="/requests/erin/delete"] button`)))
		bob.waitJS("the dialog opens", `!!document.querySelector('dialog[open]')`)
		app.sendCaptioned("erin", "bob", "erin-secret-2")
		time.Sleep(1500 * time.Millisecond) // the live event comes within a second; the dialog must outlive it
		if !bob.eval("the dialog is still open", `!!document.querySelector('#requests dialog[open]')`) {
			t.Fatal("a live request closed the open question")
		}
		bob.submit("delete erin's", `dialog[open] form[action="/requests/erin/delete"]:not([data-dialog]) button`, "/requests")
		if got := bob.text("main"); !contains(got, "Deleted.") || contains(got, "erin") {
			t.Errorf("after deleting erin's two, /requests says %q", got)
		}
	}
	bob.submit("accept alice", `form[action="/requests/alice/accept"] button`, "/requests")
	if got := bob.text("main"); !contains(got, "Accepted. Their images are in your inbox.") || contains(got, "alice") {
		t.Errorf("after accepting alice /requests says %q", got)
	}

	askAndConfirm(bob, "delete carol's", "/requests/carol/delete", "requests-delete-question", "/requests")
	if got := bob.text("main"); !contains(got, "Deleted.") || contains(got, "carol") {
		t.Errorf("after deleting carol's /requests says %q", got)
	}

	bob.visit("/conversations/dave", "#request-banner")
	if got := bob.text("main"); !contains(got, "dave is not someone you know. Accept to see their images.", "Message request", "PNG image") ||
		containsAny(got, "dave-secret", "Reply with an image") {
		t.Errorf("dave's conversation says %q", got)
	}
	if bob.eval("the placeholder links to the image", `!!document.querySelector('#conversation a[href^="/messages/"]')`) {
		t.Error("the request's placeholder links to the message")
	}
	bob.check("request conversation", "requests-conversation")
	askAndConfirm(bob, "block dave", "/requests/dave/block", "requests-block-question", "/conversations/dave")
	if got := bob.text("main"); !contains(got, "Blocked and deleted. They are not told.", "You block dave") {
		t.Errorf("after blocking dave the conversation says %q", got)
	}
	bob.visit("/requests", "main")
	if got := bob.text("main"); !contains(got, "No message requests.") {
		t.Errorf("with none left /requests says %q", got)
	}
	bob.check("no requests", "requests-empty")
}

// askAndConfirm presses the button of the form posting to action, answers
// the question (a dialog with JS, a page without) with its red button, and
// expects to land on back.
func askAndConfirm(tb *tab, what, action, shot, back string) {
	tb.b.t.Helper()
	ask := `form[data-dialog][action="` + action + `"] button`
	confirm := `form[action="` + action + `"]:not([data-dialog]) button`
	if tb.jsOff {
		tb.submit(what+": ask", ask, action)
		if got := tb.text("main"); !contains(got, "deleted for good") {
			tb.b.t.Errorf("%s: the question says %q", what, got)
		}
		tb.check(what+" question", shot)
		tb.submit(what, confirm, back)
		return
	}
	tb.do(what+": ask", chromedp.Click(chromedp.CSS(ask)))
	tb.waitJS("the dialog opens", `!!document.querySelector('dialog[open]')`)
	if got := tb.text("dialog[open]"); !contains(got, "deleted for good", "Cancel") {
		tb.b.t.Errorf("%s: the dialog says %q", what, got)
	}
	tb.check(what+" dialog", shot)
	tb.submit(what, `dialog[open] `+confirm, back)
}

func containsAny(s string, parts ...string) bool {
	for _, p := range parts {
		if contains(s, p) {
			return true
		}
	}
	return false
}
