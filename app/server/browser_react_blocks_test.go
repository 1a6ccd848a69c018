package server

// Blocking in the React client: the same steps and words as
// the server pages (TestBrowserBlockHTMX). Same harness and needs as
// TestBrowserReact; the flow is named reactflow-* so that TestBrowserReact's
// clean-up of react-*.png keeps its screenshots.

import (
	"testing"

	"github.com/chromedp/chromedp"
)

const (
	reactBlockStep   = `[data-testid=block-step]`
	reactBlockedCard = `section[aria-labelledby="blocked-heading"]`
	reactAliceImages = `ol[aria-label="Images with alice"] > li`
)

// TestBrowserReactBlocks: bob blocks alice from their conversation (the
// consequence stated before the button), sees the banner, does not get her
// next image, finds her under Account's "Blocked people" and unblocks her;
// her images reach him again, and the banner's Unblock works too.
func TestBrowserReactBlocks(t *testing.T) {
	b := startReactBrowser(t, "reactflow-blocks")
	bob := b.newTab("bob", false)
	b.app.signUp("alice")
	reactSignUp(bob, "bob", false)
	b.app.sendCaptioned("alice", "bob", "hi bob")

	reactBlock(t, bob)
	bob.check("blocked conversation", "blocked")

	b.app.sendCaptioned("alice", "bob", "sent while blocked")
	reactOpenConversation(bob)
	if n := reactCount(bob, reactAliceImages); n != 1 {
		t.Errorf("bob's conversation with alice shows %d images after she sent one while blocked, want 1", n)
	}
	if n := evalAs[int](bob, "ask the API", `fetch('/api/messages?box=inbox').then((r) => r.json()).then((j) => j.messages.length)`, chromedp.EvalAwaitPromise); n != 1 {
		t.Errorf("bob's inbox holds %d messages, want 1: the withheld image is listed", n)
	}

	reactUnblockFromAccount(t, bob)

	b.app.sendCaptioned("alice", "bob", "after unblocking")
	reactOpenConversation(bob)
	bob.waitJS("her new image arrives, the withheld one stays withheld", `document.querySelectorAll(`+jsString(reactAliceImages)+`).length === 2`)
	if bob.has("main", "You block alice") {
		t.Errorf("the banner is still there after unblocking")
	}

	// Blocked again, the banner's Unblock brings the step back.
	reactBlock(t, bob)
	bob.do("unblock from the banner", chromedp.Click(chromedp.CSS(`[data-testid=blocked-banner] button`)))
	bob.waitText("the unblocked notice", "[role=status]", "Unblocked. Their new images reach you again.")
	bob.waitJS("the step is back", `document.querySelector(`+jsString(reactBlockStep)+`) !== null`)
	bob.checkConsole()
}

// reactBlock opens the conversation with alice and blocks her through the step.
func reactBlock(t *testing.T, bob *tab) {
	t.Helper()
	reactOpenConversation(bob)
	bob.do("open the block step", chromedp.Click(chromedp.CSS(reactBlockStep+` summary`)))
	bob.waitJS("the step opens", `document.querySelector(`+jsString(reactBlockStep)+`).open`)
	step := bob.text(reactBlockStep)
	if !contains(step, "alice will not be able to send you images, and will not be told", "what was withheld stays withheld", "Block alice") {
		t.Errorf("the block step says %q; want the consequence and the button", step)
	}
	if !bob.eval("the consequence comes first", `(() => {
		const s = document.querySelector(`+jsString(reactBlockStep)+`);
		return Boolean(s.querySelector('p').compareDocumentPosition(s.querySelector('button')) & Node.DOCUMENT_POSITION_FOLLOWING);
	})()`) {
		t.Errorf("the block step's button comes before what blocking does")
	}
	bob.check("block step", "step")
	bob.do("block alice", chromedp.Click(chromedp.CSS(reactBlockStep+` button`)))
	bob.waitText("the blocked notice", "[role=status]", "Blocked. They can no longer send you images, and are not told.")
	bob.waitText("the banner", "[data-testid=blocked-banner]", "You block alice: images they send are withheld from you, and they are not told.")
	if bob.eval("the step is gone", `document.querySelector(`+jsString(reactBlockStep)+`) !== null`) {
		t.Errorf("the block step is still offered after blocking")
	}
}

// reactUnblockFromAccount finds alice under Account's "Blocked people" and
// unblocks her there.
func reactUnblockFromAccount(t *testing.T, bob *tab) {
	t.Helper()
	bob.do("go to Account", chromedp.Click(chromedp.CSS(`header a[href="#/account"]`)))
	bob.waitText("alice is listed", reactBlockedCard+` li`, "alice")
	if got := bob.text(reactBlockedCard); !contains(got, "Blocked people", "Unblock alice") {
		t.Errorf("the Blocked people card says %q", got)
	}
	bob.check("account (blocked)", "account")
	bob.do("unblock alice", chromedp.Click(chromedp.CSS(reactBlockedCard+` li button`)))
	bob.waitText("the unblocked notice", reactBlockedCard+` [role=status]`, "Unblocked. Their new images reach you again.")
	bob.waitText("nobody is blocked", reactBlockedCard, "You block nobody.")
	bob.check("account (unblocked)", "account-unblocked")
}

// reactOpenConversation (re)loads bob's conversation with alice.
func reactOpenConversation(bob *tab) {
	bob.b.t.Helper()
	bob.visit("/react/#/inbox", "main h1")
	bob.waitJS("the inbox", `location.hash === '#/inbox' && document.querySelector('main h1')?.innerText === 'Inbox'`)
	bob.visit("/react/#/conversations/alice", `main [data-testid=composer]`)
	bob.waitJS("the images load", `document.querySelector(`+jsString(reactAliceImages)+`) !== null && !document.querySelector('main')?.innerText.includes('Loading…')`)
}

func reactCount(tb *tab, sel string) int {
	tb.b.t.Helper()
	return evalAs[int](tb, "count "+sel, `document.querySelectorAll(`+jsString(sel)+`).length`)
}
