package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"imageapp/app/imageapptest"
)

func TestBrowserComposerLandsNoJS(t *testing.T) { composerLands(t, "composer-lands-nojs", true) }
func TestBrowserComposerLandsHTMX(t *testing.T) { composerLands(t, "composer-lands-htmx", false) }

// composerLands: a conversation opens at the first image the reader has not
// opened, else at the newest. Without JavaScript the inbox's link carries
// the anchor (#latest) the server puts there; with it, a visit without the
// anchor scrolls there too.
func composerLands(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	bob := b.newTab("bob", jsOff)
	app.signUp("alice")
	pagesSignUp(bob, "bob", false)
	var ids []string
	for i := range 10 {
		ids = append(ids, app.sendNamed("alice", "bob", fmt.Sprintf("Picture %d", i), fmt.Sprintf("p%d.png", i)))
	}
	bobUser, err := app.backend.Users.UserByUsername(context.Background(), "bob")
	must(t, err)
	for _, id := range ids[:4] {
		_, err := app.app.Messaging().Open(context.Background(), bobUser, id)
		must(t, err)
	}
	bob.do("a phone's height", chromedp.EmulateViewport(375, 700))

	bob.visit("/inbox", "#inbox")
	bob.submit("open the conversation", `a[href="/conversations/alice#latest"]`, "/conversations/alice")
	inView(bob, "from the inbox, the first unread image", ids[4])
	if !jsOff {
		bob.visit("/conversations/alice", "#conversation")
		inView(bob, "without an anchor, the first unread image", ids[4])
	}

	for _, id := range ids[4:] {
		_, err := app.app.Messaging().Open(context.Background(), bobUser, id)
		must(t, err)
	}
	bob.visit("/inbox", "#inbox")
	// The opens' live events reload the inbox: click once it shows them.
	bob.waitJS("the inbox shows all read", `!document.querySelector('a[href="/conversations/alice#latest"]').innerText.includes(' new')`)
	bob.submit("open the conversation, all read", `a[href="/conversations/alice#latest"]`, "/conversations/alice")
	inView(bob, "all read, the newest image", ids[9])
	if !jsOff {
		bob.visit("/conversations/alice", "#conversation")
		inView(bob, "all read, without an anchor, the newest image", ids[9])
		if !bob.eval("the composer is in view", `document.getElementById('send-form').getBoundingClientRect().top < innerHeight`) {
			t.Errorf("the newest image is in view but not the composer under it")
		}
	}
	bob.checkConsole()
}

// inView fails unless the page is scrolled down and the image with id is
// wholly in the viewport.
func inView(tb *tab, what, id string) {
	tb.b.t.Helper()
	raw := evalAs[[]byte](tb, what, `(() => {
		const r = document.getElementById('m-`+id+`').getBoundingClientRect();
		return {scrollY: Math.round(scrollY), top: Math.round(r.top), bottom: Math.round(r.bottom), height: innerHeight};
	})()`)
	var m struct{ ScrollY, Top, Bottom, Height int }
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.fatal(what, err)
	}
	if m.ScrollY <= 0 || m.Top < 0 || m.Bottom > m.Height {
		tb.b.t.Errorf("%s: image %s at %d..%d px of a %d px viewport, scrollY %d; want it in view, the page scrolled down",
			what, id, m.Top, m.Bottom, m.Height, m.ScrollY)
	}
}

// composerWatch counts (and can slow) the composer's posts, as sendWatch
// does the Send page's.
type composerWatch struct {
	posts atomic.Int32
	slow  atomic.Bool
}

func watchComposer(a *testApp) *composerWatch {
	w := &composerWatch{}
	h := a.app.Handler()
	a.server.Close()
	a.server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/conversations/") {
			w.posts.Add(1)
			if w.slow.Load() {
				r.Body = &slowBody{ReadCloser: r.Body}
			}
		}
		h.ServeHTTP(rw, r)
	}))
	return w
}

// TestBrowserComposerNoJS: without JavaScript the composer at the foot of
// the conversation posts, and the answer is the conversation anchored at
// the new image; a refused image comes back with the Send page's words and
// the caption kept.
func TestBrowserComposerNoJS(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "composer-nojs")
	bob := b.newTab("bob", true)
	app.signUp("alice")
	pagesSignUp(bob, "bob", false)
	for i := range 6 {
		app.sendNamed("alice", "bob", fmt.Sprintf("Picture %d", i), "p.png")
	}
	bob.do("a phone's height", chromedp.EmulateViewport(375, 700))
	bob.visit("/conversations/alice", "#send-form")

	text := writeFile(t, "notes.txt", []byte("not an image"))
	bob.do("write a caption", chromedp.SendKeys(chromedp.CSS("#caption"), "Is this one?"))
	bob.do("choose a text file", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{text}))
	resp := bob.post("send the text file", `#send-form button[type=submit]`)
	if resp != http.StatusUnsupportedMediaType && resp != http.StatusBadRequest {
		t.Errorf("a text file sent from the composer: status %d; want 415 or 400", resp)
	}
	if p := bob.path(); p != "/conversations/alice" {
		t.Errorf("after the refusal the page is %s; want the conversation", p)
	}
	if got := bob.text("#send-error"); !strings.Contains(got, "Only PNG, JPEG, GIF, WebP or AVIF images can be sent.") {
		t.Errorf("the composer's error says %q; want the Send page's words", got)
	}
	if v := bob.value("#caption"); v != "Is this one?" {
		t.Errorf("the caption is %q after the refusal; want it kept", v)
	}
	if n := app.messageCount(); n != 6 {
		t.Errorf("%d messages after a refused send; want 6", n)
	}

	bob.do("rewrite the caption", chromedp.SetValue(chromedp.CSS("#caption"), "A reply from the thread"))
	bob.do("keep it a day", chromedp.SetValue(chromedp.CSS("#keep"), "1d"))
	bob.do("choose an image", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeTestPNG(t, 300, 200)}))
	if resp := bob.post("send", `#send-form button[type=submit]`); resp != http.StatusOK {
		t.Fatalf("the send from the composer ended with status %d", resp)
	}
	hash := evalAs[string](bob, "the anchor", `location.hash`)
	if bob.path() != "/conversations/alice" || !strings.HasPrefix(hash, "#m-") {
		t.Fatalf("after sending the page is %s%s; want /conversations/alice#m-<id>", bob.path(), hash)
	}
	id := strings.TrimPrefix(hash, "#m-")
	if got := bob.text("#m-" + id); !contains(got, "Gone in", "Sent just now") {
		t.Errorf("the new image's bubble reads %q; want it sent, with its expiry", got)
	}
	inView(bob, "the sent image", id)
	// Its preview (thumbnail, caption) is made once the send has answered.
	bob.visit("/inbox", "#inbox")
	bob.visit("/conversations/alice", "#m-"+id+" img")
	if got := bob.text("#m-" + id); !contains(got, "A reply from the thread") {
		t.Errorf("the new image's bubble reads %q; want its caption", got)
	}
	if n := app.messageCount(); n != 7 {
		t.Errorf("%d messages after the send; want 7", n)
	}
	bob.check("conversation with the composer", "composer")
}

// post presses Enter on sel, a submit button (a click could land on the
// phone layout's bottom navigation over it), and returns the status of the
// page it leads to.
func (tb *tab) post(what, sel string) int {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.SendKeys(chromedp.CSS(sel), kb.Enter))
	if err == nil && resp == nil {
		err = fmt.Errorf("no page loaded")
	}
	if err != nil {
		tb.fatal(what, err)
	}
	return int(resp.Status)
}

// TestBrowserComposerHTMX: with JavaScript the image shows in the thread
// at once, with its upload's progress, and is confirmed in place without
// leaving the page; Cancel takes it out of the thread and stores nothing.
func TestBrowserComposerHTMX(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) { c.MaxUploadBytes = 8 << 20 })
	watch := watchComposer(app)
	b := startBrowser(t, app, "composer-htmx")
	bob := b.newTab("bob", false)
	app.signUp("alice")
	pagesSignUp(bob, "bob", false)
	app.sendNamed("alice", "bob", "Hello", "hello.png")
	bob.visit("/conversations/alice", "#send-form")

	// Cancel: the pending image goes, nothing is stored.
	big := writeFile(t, "large.png", imageapptest.NoisePNGOfSize(6<<20, 2))
	bob.do("choose a 6 MiB image", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{big}))
	if w := bob.imageWidth("#image-preview"); w <= 0 {
		t.Fatalf("the preview did not load (naturalWidth %d)", w)
	}
	watch.slow.Store(true)
	bob.do("send", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	bob.waitJS("the image shows in the thread while it uploads", `(() => {
		const li = document.querySelector('#conversation li[data-pending]');
		const p = li?.querySelector('progress');
		return li && li.querySelector('img')?.naturalWidth > 0 && p.value > 0 && p.value < 100;
	})()`)
	bob.do("cancel", chromedp.Click(chromedp.CSS("#send-cancel")))
	bob.waitJS("the pending image is gone", `!document.querySelector('#conversation li[data-pending]') && document.querySelector('#send-error [role=alert]')?.innerText.includes('Upload cancelled')`)
	watch.slow.Store(false)
	time.Sleep(500 * time.Millisecond) // the server's side of the cut-off upload
	if n := app.messageCount(); n != 1 {
		t.Errorf("%d messages after a cancelled send; want 1", n)
	}

	// A send: shown at once, then confirmed in place.
	bob.do("remove the large image", chromedp.Click(chromedp.CSS("#image-remove")))
	bob.eval("record the pending bubble", `(window.sawPending = false, new MutationObserver(() => {
		if (document.querySelector('#conversation li[data-pending]')) window.sawPending = true;
	}).observe(document.body, {subtree: true, childList: true}), true)`)
	bob.do("write a caption", chromedp.SendKeys(chromedp.CSS("#caption"), "Sent from the thread"))
	bob.do("choose an image", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeTestPNG(t, 300, 200)}))
	bob.do("send", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	bob.waitJS("the image is confirmed in the thread", `(() => {
		const lis = [...document.querySelectorAll('#conversation li')];
		const last = lis[lis.length - 1];
		return !document.querySelector('[data-pending]') && last?.querySelector('a[id^="m-"]') && last.innerText.includes('Sent from the thread');
	})()`)
	if !bob.eval("the pending bubble showed", `window.sawPending`) {
		t.Errorf("the image did not show in the thread while it was sent")
	}
	if p := bob.path(); p != "/conversations/alice" {
		t.Errorf("after sending the page is %s; want to stay in the conversation", p)
	}
	if v := bob.value("#caption"); v != "" {
		t.Errorf("the composer still holds %q after the send; want it fresh", v)
	}
	if n := app.messageCount(); n != 2 {
		t.Errorf("%d messages after the send; want 2", n)
	}
	bob.check("conversation with the composer", "composer")
	bob.checkConsole()
}

func TestBrowserComposerQuoteNoJS(t *testing.T) { composerQuote(t, "composer-quote-nojs", true) }
func TestBrowserComposerQuoteHTMX(t *testing.T) { composerQuote(t, "composer-quote-htmx", false) }

// composerQuote: Reply on an image in the thread sets the composer's quote
// (a preview above the reply); the sent reply stores the quoted image's ID
// and shows a link to it above itself. A reply to an image deleted in the
// meantime is refused, stores nothing and comes back without the quote;
// once the original is gone, the reply says "Original image is gone".
func composerQuote(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	bob := b.newTab("bob", jsOff)
	app.signUp("alice")
	pagesSignUp(bob, "bob", false)
	orig := app.sendNamed("alice", "bob", "The original", "orig.png")
	other := app.sendNamed("alice", "bob", "Another one", "other.png")
	bob.visit("/conversations/alice", "#send-form")
	if bob.eval("a quote before Reply", `!!document.querySelector('#composer-quote, #quote')`) {
		t.Errorf("the composer quotes an image before any Reply")
	}

	bob.submit("reply to the original", `#conversation a[href="/conversations/alice?quote=`+orig+`#send-form"]`, "/conversations/alice")
	if v := bob.value("#quote"); v != orig {
		t.Fatalf("the composer's quote is %q; want %s", v, orig)
	}
	if !bob.eval("the quoted preview", `document.querySelector('#composer-quote img')?.naturalWidth > 0`) {
		t.Errorf("the composer shows no preview of the image it quotes")
	}
	bob.do("write a caption", chromedp.SendKeys(chromedp.CSS("#caption"), "This one, yes"))
	bob.do("choose an image", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeTestPNG(t, 300, 200)}))
	var reply string
	if jsOff {
		if resp := bob.post("send the reply", `#send-form button[type=submit]`); resp != http.StatusOK {
			t.Fatalf("the reply ended with status %d", resp)
		}
		reply = strings.TrimPrefix(evalAs[string](bob, "the anchor", `location.hash`), "#m-")
	} else {
		bob.do("send the reply", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
		bob.waitJS("the reply is confirmed in the thread", `(() => {
			const lis = [...document.querySelectorAll('#conversation li')];
			const last = lis[lis.length - 1];
			return !document.querySelector('[data-pending]') && last?.querySelector('a[id^="m-"]') && last.querySelector('a.quote');
		})()`)
		reply = evalAs[string](bob, "the reply's id", `[...document.querySelectorAll('#conversation a[id^="m-"]')].pop().id.slice(2)`)
		if bob.eval("the quote stays", `!!document.querySelector('#composer-quote, #quote')`) {
			t.Errorf("the composer still quotes after the reply was sent")
		}
	}
	stored, err := app.backend.Messages.Message(context.Background(), reply)
	if err != nil || stored.QuoteID != orig {
		t.Fatalf("the reply %q is stored quoting %+v (%v); want %s", reply, stored, err, orig)
	}
	bob.visit("/conversations/alice", "#m-"+reply+" img")
	quoteLink := `#conversation li:has(#m-` + reply + `) a.quote[href="/messages/` + orig + `"]`
	if !bob.eval("the reply's quote", `document.querySelector('`+quoteLink+`')?.querySelector('img')?.naturalWidth > 0`) {
		t.Errorf("the reply shows no link to the image it quotes, with its preview")
	}
	bob.setColorScheme("dark")
	bob.check("conversation with a quoted reply (dark)", "composer-quote-dark")
	bob.setColorScheme("")

	// A Reply to an image deleted before the send: refused, nothing stored.
	bob.submit("reply to the other image", `#conversation a[href="/conversations/alice?quote=`+other+`#send-form"]`, "/conversations/alice")
	bob.check("the composer quoting an image", "composer-quote")
	alice, err := app.backend.Users.UserByUsername(context.Background(), "alice")
	must(t, err)
	must(t, app.app.Messaging().Delete(context.Background(), alice, other))
	must(t, app.app.Messaging().Delete(context.Background(), alice, orig))
	before := app.messageCount()
	bob.do("choose an image", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeTestPNG(t, 300, 200)}))
	if jsOff {
		if resp := bob.post("send the reply", `#send-form button[type=submit]`); resp != http.StatusBadRequest {
			t.Errorf("a reply to a deleted image: status %d; want 400", resp)
		}
	} else {
		bob.do("send the reply", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
		bob.waitJS("the refusal", `document.querySelector('#send-error [role=alert]')`)
	}
	if got := bob.text("#send-error"); !strings.Contains(got, "The image you are replying to is gone.") {
		t.Errorf("the composer's error says %q; want the quote gone", got)
	}
	if bob.eval("the quote stays", `!!document.querySelector('#composer-quote, #quote')`) {
		t.Errorf("the composer still quotes the deleted image")
	}
	if n := app.messageCount(); n != before {
		t.Errorf("%d messages after a refused reply; want %d", n, before)
	}
	bob.visit("/conversations/alice", "#m-"+reply)
	if got := bob.text(`#conversation li:has(#m-` + reply + `) .quote`); got != "Original image is gone" {
		t.Errorf("the reply to a deleted image reads %q above it; want Original image is gone", got)
	}
	if bob.eval("a link to the deleted image", `!!document.querySelector('a[href="/messages/`+orig+`"]')`) {
		t.Errorf("the thread still links to the deleted image")
	}
	bob.checkConsole()
}
