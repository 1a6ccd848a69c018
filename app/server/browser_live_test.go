package server

import (
	"strings"
	"testing"
	"time"

	"imageapp/app/valkey/valkeytest"
)

// TestBrowserLiveFallback: when the shared store that carries live events
// goes away, the inbox page says so, and a new image still shows up, by the
// 15 s refresh that runs only while the stream is not connected.
func TestBrowserLiveFallback(t *testing.T) {
	store := valkeytest.Start(t)
	app := startApp(t, t.TempDir(), func(c *Config) { c.ValkeyURL = store.URL })
	app.signUp("alice")
	b := startBrowser(t, app, "fallback")
	bob := b.newTab("bob", false)
	pagesSignUp(bob, "bob", false)

	bob.visit("/inbox", "#inbox")
	bob.waitJS("the page says its updates are live", `document.getElementById('live-status')?.dataset.live === 'true'`)
	bob.eval("count the inbox's refreshes",
		`window.refreshes = 0, document.addEventListener('htmx:before:request', (e) => { if (e.detail.ctx.request.headers['HX-Source'] === 'div#inbox') window.refreshes++ }), true`)

	store.Stop()
	bob.waitJS("the page says live updates are unavailable", `document.getElementById('live-status')?.dataset.live === 'false'`)
	if got := bob.text("#live-status"); !strings.Contains(got, "refreshes every 15 seconds") {
		t.Errorf("the status says %q", got)
	}
	bob.check("inbox (updates unavailable)", "inbox-unavailable")

	sent := time.Now()
	app.sendDirect("alice", "bob", 1)
	bob.waitJS("the fallback refresh brings the new image", `document.querySelector('#inbox a[href="/conversations/alice#latest"]') !== null`)
	t.Logf("with the store down the image showed %v after the send (refresh every 15 s)", time.Since(sent).Round(time.Millisecond))
	if !bob.eval("the title", `document.title === '(1) Inbox · ImageApp'`) {
		t.Errorf("the fallback refresh did not update the title: %q", evalAs[string](bob, "the title", `document.title`))
	}
	if !bob.eval("the refreshes", `window.refreshes >= 1`) {
		t.Error("the image came without a refresh of the list")
	}
	bob.checkConsole()
}
