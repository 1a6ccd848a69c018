package server

// The conversation's composer in the React client: the same steps as the
// server pages (TestBrowserComposerHTMX, TestBrowserComposerQuoteHTMX,
// TestBrowserComposerLandsHTMX), through POST /api/messages.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"imageapp/app/imageapptest"
)

// TestBrowserReactComposer: the conversation opens at the first image not
// yet opened; the composer at its foot shows the image in the thread while
// it uploads, with its progress, and Cancel stores nothing; Reply on an
// image quotes it above the composer, and the sent reply is confirmed in
// place, stored quoting it and linking to it.
func TestBrowserReactComposer(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist; c.MaxUploadBytes = 8 << 20 })
	var slow atomic.Bool
	h := app.app.Handler()
	app.server.Close()
	app.server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/messages" && slow.Load() {
			r.Body = &slowBody{ReadCloser: r.Body}
		}
		h.ServeHTTP(rw, r)
	}))
	b := startBrowser(t, app, "reactflow-composer")
	bob := b.newTab("bob", false)
	app.signUp("alice")
	reactSignUp(bob, "bob", false)
	var ids []string
	for i := range 8 {
		ids = append(ids, app.sendNamed("alice", "bob", fmt.Sprintf("Picture %d", i), fmt.Sprintf("p%d.png", i)))
	}
	bobUser, err := app.backend.Users.UserByUsername(context.Background(), "bob")
	must(t, err)
	for _, id := range ids[:3] {
		_, err := app.app.Messaging().Open(context.Background(), bobUser, id)
		must(t, err)
	}
	bob.do("a phone's height", chromedp.EmulateViewport(375, 700))
	reactOpenConversation(bob)
	bob.waitJS("the composer", `document.querySelector('[data-testid=composer]') !== null`)
	time.Sleep(300 * time.Millisecond) // the scroll
	inView(bob, "the first unread image", ids[3])

	// Cancel: the pending image goes, nothing is stored.
	before := app.messageCount()
	big := writeFile(t, "large.png", imageapptest.NoisePNGOfSize(6<<20, 2))
	bob.do("choose a 6 MiB image", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=composer] input[type=file]`), []string{big}))
	slow.Store(true)
	bob.do("send", chromedp.Click(chromedp.CSS(`[data-testid=composer] button[type=submit]`)))
	bob.waitJS("the image shows in the thread while it uploads", `(() => {
		const li = document.querySelector('ol li[data-pending]');
		const p = li?.querySelector('progress');
		return li && li.querySelector('img')?.naturalWidth > 0 && p.value > 0 && p.value < 1;
	})()`)
	bob.do("cancel", chromedp.Click(chromedp.CSS(`[data-testid=composer] button:not([type=submit])`)))
	bob.waitJS("the pending image is gone", `!document.querySelector('li[data-pending]') && document.querySelector('[data-testid=composer]').innerText.includes('Upload cancelled')`)
	slow.Store(false)
	time.Sleep(500 * time.Millisecond) // the server's side of the cut-off upload
	if n := app.messageCount(); n != before {
		t.Errorf("%d messages after a cancelled send; want %d", n, before)
	}

	// Reply quotes the image; the reply shows at once and is confirmed in place.
	bob.do("reply to the newest", chromedp.Click(chromedp.CSS(`li:has(#m-`+ids[7]+`) button[aria-label="Reply to this image"]`)))
	bob.waitJS("the quote in the composer", `document.querySelector('[data-testid=composer-quote] img')?.naturalWidth > 0`)
	bob.eval("record the pending bubble", `(window.sawPending = false, new MutationObserver(() => {
		if (document.querySelector('li[data-pending]')) window.sawPending = true;
	}).observe(document.body, {subtree: true, childList: true}), true)`)
	bob.do("write a caption", chromedp.SendKeys(chromedp.CSS(`[data-testid=composer] textarea`), "This one"))
	bob.do("choose an image", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=composer] input[type=file]`), []string{writeTestPNG(t, 300, 200)}))
	bob.do("send", chromedp.Click(chromedp.CSS(`[data-testid=composer] button[type=submit]`)))
	bob.waitJS("the reply is confirmed in the thread", `(() => {
		const lis = [...document.querySelectorAll('ol li')];
		const last = lis[lis.length - 1];
		return !document.querySelector('[data-pending]') && last?.querySelector('a[id^="m-"]') && last.innerText.includes('This one') &&
			last.querySelector('a[data-testid=quote][href="#/messages/`+ids[7]+`"] img');
	})()`)
	if !bob.eval("the pending bubble showed", `window.sawPending`) {
		t.Errorf("the reply did not show in the thread while it was sent")
	}
	if !bob.eval("a fresh composer", `document.querySelector('[data-testid=composer] input[type=file]').files.length === 0 && document.querySelector('[data-testid=composer] textarea').value === ''`) {
		t.Errorf("the composer still holds the sent image or caption")
	}
	if bob.eval("the quote stays", `document.querySelector('[data-testid=composer-quote]') !== null`) {
		t.Errorf("the composer still quotes after the reply was sent")
	}
	reply := evalAs[string](bob, "the reply's id", `[...document.querySelectorAll('ol a[id^="m-"]')].pop().id.slice(2)`)
	stored, err := app.backend.Messages.Message(context.Background(), reply)
	if err != nil || stored.QuoteID != ids[7] {
		t.Fatalf("the reply %q is stored quoting %+v (%v); want %s", reply, stored, err, ids[7])
	}
	if !strings.HasPrefix(bob.text(`li:has(#m-`+reply+`) [data-testid=quote]`), "In reply to") {
		t.Errorf("the reply's quote reads %q", bob.text(`li:has(#m-`+reply+`) [data-testid=quote]`))
	}
	// The original deleted, the reply says so.
	alice, err := app.backend.Users.UserByUsername(context.Background(), "alice")
	must(t, err)
	must(t, app.app.Messaging().Delete(context.Background(), alice, ids[7]))
	bob.visit("/react/#/inbox", "main h1")
	bob.visit("/react/#/conversations/alice", `#m-`+reply)
	bob.waitJS("the quote is gone", `document.querySelector('li:has(#m-`+reply+`) [data-testid=quote]')?.innerText === 'Original image is gone'`)
	if bob.eval("a link to the deleted image", `!!document.querySelector('a[href="#/messages/`+ids[7]+`"]')`) {
		t.Errorf("the thread still links to the deleted image")
	}
	bob.do("reply again", chromedp.Click(chromedp.CSS(`li:has(#m-`+ids[6]+`) button[aria-label="Reply to this image"]`)))
	bob.waitJS("the quote in the composer", `document.querySelector('[data-testid=composer-quote] img')?.naturalWidth > 0`)
	bob.check("conversation with the composer and a quoted reply", "composer")
	bob.setColorScheme("dark")
	bob.check("conversation with the composer and a quoted reply (dark)", "composer-dark")
	bob.setColorScheme("")
	bob.checkConsole()
}
