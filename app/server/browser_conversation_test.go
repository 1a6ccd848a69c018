package server

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"imageapp/app/messaging"
)

func TestBrowserConversationHTMX(t *testing.T) { conversationFlow(t, "conversation-htmx", false) }

func TestBrowserConversationNoJS(t *testing.T) { conversationFlow(t, "conversation-nojs", true) }

// conversationFlow: bob's inbox is one row per person with the newest
// image's thumbnail; the row opens what he and alice exchanged, newest
// last, with a composer at its foot addressed to her.
func conversationFlow(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	alice, bob := b.newTab("alice", jsOff), b.newTab("bob", jsOff)
	pagesSignUp(alice, "alice", false)
	pagesSignUp(bob, "bob", false)
	app.sendCaptioned("alice", "bob", "Sunset at the lake")
	app.sendCaptioned("bob", "alice", "Lovely! Here is mine")
	app.sendCaptioned("alice", "bob", "And the morning after")

	bob.visit("/inbox", `a[href="/conversations/alice#latest"] img[src^="data:image/jpeg;base64,"]`)
	if got := bob.text(`a[href="/conversations/alice#latest"]`); !contains(got, "And the morning after", "2 new") {
		t.Errorf("bob's row for alice reads %q; want the newest caption and '2 new'", got)
	}
	bob.check("inbox", "inbox")
	bob.submit("open the conversation", `a[href="/conversations/alice#latest"]`, "/conversations/alice")
	captions := evalAs[[]string](bob, "read the bubbles", `[...document.querySelectorAll('#conversation li')].map(li => li.querySelector('p')?.textContent.trim())`)
	if want := []string{"Sunset at the lake", "Lovely! Here is mine", "And the morning after"}; !slices.Equal(captions, want) {
		t.Errorf("the conversation shows %q; want %q, newest last", captions, want)
	}
	if !bob.eval("his own image sits on the right", `(() => {
		const li = document.querySelectorAll('#conversation li')[1].getBoundingClientRect();
		const a = document.querySelectorAll('#conversation li')[1].querySelector('a[id^="m-"]').getBoundingClientRect();
		return Math.abs(a.right - li.right) < 1 && a.left > li.left + 20;
	})()`) {
		t.Error("bob's own image is not on the right")
	}
	bob.check("conversation", "conversation")
	if v := bob.value(`#send-form [name="to"]`); v != "alice" {
		t.Errorf("the conversation's composer is addressed to %q; want alice", v)
	}
}

// sendCaptioned sends a small image with a caption through the service.
func (a *testApp) sendCaptioned(from, to, caption string) {
	a.t.Helper()
	sender, err := a.backend.Users.UserByUsername(context.Background(), from)
	must(a.t, err)
	_, err = a.app.Messaging().Send(context.Background(), sender, messaging.SendInput{To: to, Caption: caption, Body: bytes.NewReader(testPNG(a.t, 240, 160))})
	must(a.t, err)
	a.previewsMade()
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
