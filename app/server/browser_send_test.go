package server

// Browser tests of the send form on the server pages (views/send.templ,
// static/send.js), with JavaScript on and off: a refused send keeps what
// the person typed and chose; with JavaScript on the file is checked
// before it is uploaded, the upload shows its progress and can be
// cancelled, and a file can be pasted or dropped onto the page and
// previewed.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"imageapp/app/imageapptest"
)

// sendWatch counts the form's posts to /send and can slow their upload
// down, as a poor uplink would.
type sendWatch struct {
	posts atomic.Int32
	slow  atomic.Bool
}

// watchSends puts a sendWatch in front of the app: it serves the app anew
// behind it, before any request.
func watchSends(a *testApp) *sendWatch {
	w := &sendWatch{}
	h := a.app.Handler()
	a.server.Close()
	a.server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/send" {
			w.posts.Add(1)
			if w.slow.Load() {
				r.Body = &slowBody{ReadCloser: r.Body}
			}
		}
		h.ServeHTTP(rw, r)
	}))
	return w
}

// slowBody reads 16 KiB every 25 ms: about 650 kB/s, so a 6 MiB upload
// stays under way for seconds even after the socket buffers fill at once.
type slowBody struct{ io.ReadCloser }

func (s *slowBody) Read(p []byte) (int, error) {
	time.Sleep(25 * time.Millisecond)
	return s.ReadCloser.Read(p[:min(len(p), 16<<10)])
}

// writeFile writes data as name in a temp dir and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// setTo types name into the form's To field, in place of what was there.
func setTo(tb *tab, name string) {
	tb.b.t.Helper()
	tb.eval("empty the To field", `(document.getElementById('to').value = '', true)`)
	tb.do("type "+name+" in the To field", chromedp.SendKeys(chromedp.CSS("#to"), name))
}

// focusedSoon tells whether the element with id has the focus within a
// second: the browser moves it to an autofocus element after the page
// loads, with or without JavaScript.
func focusedSoon(tb *tab, id string) bool {
	tb.b.t.Helper()
	for range 20 {
		if tb.eval("the focus", `document.activeElement?.id === `+jsString(id)) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func (a *testApp) messageCount() int {
	a.t.Helper()
	var n int
	must(a.t, a.db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n))
	return n
}

// TestBrowserSendForm: the send form with JavaScript on.
func TestBrowserSendForm(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) { c.MaxUploadBytes = 8 << 20 })
	watch := watchSends(app)
	b := startBrowser(t, app, "sendjs")
	alice := b.newTab("alice", false)
	pagesSignUp(alice, "alice", false)
	app.signUp("bob")

	alice.visit("/send?to=bob", "#send-form")
	if got := alice.text("#send-note"); !strings.Contains(got, "with bob's own key") || !strings.Contains(got, "location and camera data are removed") {
		t.Errorf("the note by the button says %q", got)
	}
	sendTooLarge(alice, watch)
	sendRefused(alice, watch)
	sendCancelled(alice, watch)
	sendWithProgress(alice, watch)
	pasteAndDrop(alice)
	alice.checkConsole()
}

// sendTooLarge: a file over the limit, or not an image, is refused in the
// browser, before any upload, and the caption stays.
func sendTooLarge(alice *tab, watch *sendWatch) {
	t := alice.b.t
	t.Helper()
	alice.do("write a caption", chromedp.SendKeys(chromedp.CSS("#caption"), "Too big?"))
	big := writeFile(t, "big.png", make([]byte, 9<<20))
	alice.do("choose a 9 MiB file", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{big}))
	alice.waitJS("the form says it is too large", `document.querySelector('#send-error [role=alert]')?.innerText.includes('larger than the 8 MiB limit')`)
	if !alice.eval("the focus", `document.activeElement?.id === 'send-error'`) {
		t.Errorf("the focus is not on the error")
	}
	alice.check("send (too large)", "too-large")
	alice.do("try to send anyway", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	text := writeFile(t, "notes.txt", []byte("not an image"))
	alice.do("choose a text file", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{text}))
	alice.waitJS("the form says it is not an image", `document.querySelector('#send-error [role=alert]')?.innerText.includes('Only PNG, JPEG, GIF, WebP or AVIF images can be sent.')`)
	if n := watch.posts.Load(); n != 0 {
		t.Errorf("%d uploads reached the server; a file over the limit must be refused before uploading", n)
	}
	if v := alice.value("#caption"); v != "Too big?" {
		t.Errorf("the caption is %q after the refusal", v)
	}
	if alice.eval("the file input", `document.getElementById('image').files.length !== 0`) {
		t.Errorf("the refused file is still chosen, ready to be sent")
	}
}

// sendRefused: the server refuses a send (no such recipient); only the
// error changes: the caption and the chosen file stay, the focus goes to
// the error.
func sendRefused(alice *tab, watch *sendWatch) {
	t := alice.b.t
	t.Helper()
	setTo(alice, "nobody")
	alice.do("choose an image", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{writeTestPNG(t, 64, 48)}))
	alice.do("the preview", chromedp.WaitVisible(chromedp.CSS("#image-preview")))
	if got := alice.text("#image-name"); !strings.Contains(got, "holiday.png") || !strings.Contains(got, "KiB") {
		t.Errorf("the preview names %q, want the file's name and size", got)
	}
	if got := alice.text("#send-note"); !strings.Contains(got, "with nobody's own key") {
		t.Errorf("the note does not follow the recipient typed in: %q", got)
	}
	alice.check("send (chosen)", "chosen")
	alice.eval("mark the form", `(document.getElementById('send-form').dataset.mark = 'before', true)`)
	alice.do("send", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	alice.waitJS("the server's error shows", `document.querySelector('#send-error [role=alert]')?.innerText.includes('nobody')`)
	if n := watch.posts.Load(); n != 1 {
		t.Errorf("%d posts reached the server, want 1", n)
	}
	if !alice.eval("the form", `document.getElementById('send-form').dataset.mark === 'before'`) {
		t.Errorf("the form was replaced; only the error should be")
	}
	if v := alice.value("#caption"); v != "Too big?" {
		t.Errorf("the caption is %q after the server's refusal", v)
	}
	if !alice.eval("the file input", `document.getElementById('image').files[0]?.name === 'holiday.png'`) {
		t.Errorf("the chosen file is gone after the server's refusal")
	}
	if !alice.eval("the focus", `document.activeElement?.id === 'send-error'`) {
		t.Errorf("the focus is not on the error")
	}
	if alice.eval("the sending status", `getComputedStyle(document.getElementById('send-status')).display !== 'none'`) {
		t.Errorf("\"Encrypting and sending…\" still shows after the send failed")
	}
	alice.check("send (refused)", "refused")
}

// sendCancelled: a slow upload can be cancelled; nothing is sent and the
// form is ready again, with its caption and file.
func sendCancelled(alice *tab, watch *sendWatch) {
	t := alice.b.t
	t.Helper()
	app := alice.b.app
	big := writeFile(t, "large.png", imageapptest.NoisePNGOfSize(6<<20, 2))
	setTo(alice, "bob")
	alice.do("choose a 6 MiB image", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{big}))
	// Its preview moves the button as it renders: click once it has.
	if w := alice.imageWidth("#image-preview"); w <= 0 {
		t.Fatalf("the 6 MiB image's preview did not load (naturalWidth %d)", w)
	}
	watch.slow.Store(true)
	defer watch.slow.Store(false)
	alice.do("send", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	// Mid-upload, whatever part of the file the loopback's socket buffers
	// took at once: Cancel shows until 100 %.
	alice.waitJS("the upload is under way", `(() => { const p = document.getElementById('send-progress-bar'); return p.value > 0 && p.value < 100 && !document.getElementById('send-cancel').hidden; })()`)
	if !alice.eval("the sending status", `getComputedStyle(document.getElementById('send-status')).display !== 'none'`) {
		t.Errorf("\"Encrypting and sending…\" does not show while sending")
	}
	alice.do("cancel", chromedp.Click(chromedp.CSS("#send-cancel")))
	alice.waitJS("the form says it was cancelled", `document.querySelector('#send-error [role=alert]')?.innerText.includes('Upload cancelled')`)
	if !alice.eval("the form is ready", `document.getElementById('send-progress').hidden && !document.querySelector('#send-form button[type=submit]').disabled && document.getElementById('image').files.length === 1`) {
		t.Errorf("after a cancel the form is not ready to send again (progress hidden, button enabled, file kept)")
	}
	time.Sleep(500 * time.Millisecond) // the server's side of the cut-off upload
	if n := app.messageCount(); n != 0 {
		t.Errorf("%d messages stored after the upload was cancelled", n)
	}
}

// sendWithProgress: the upload shows its percent, up to 100, and then the
// panel says it was sent.
func sendWithProgress(alice *tab, watch *sendWatch) {
	t := alice.b.t
	t.Helper()
	watch.slow.Store(true)
	defer watch.slow.Store(false)
	alice.eval("record the percentages", `(window.seen = [], new MutationObserver(() => {
		const p = document.getElementById('send-percent'); if (p && !document.getElementById('send-progress').hidden) window.seen.push(p.textContent);
	}).observe(document.body, {subtree: true, childList: true, characterData: true}), true)`)
	alice.do("send", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	alice.waitJS("the upload is half-way", `document.getElementById('send-progress-bar').value >= 20`)
	if !alice.eval("the progress bar is labelled", `document.getElementById('send-progress-bar').labels[0]?.innerText === 'Uploading'`) {
		t.Errorf("the progress bar has no label")
	}
	alice.check("send (uploading)", "uploading")
	alice.waitJS("the panel says it was sent", `document.querySelector('#send-panel [role=status]')?.innerText.includes('Sent to bob')`)
	seen := evalAs[[]string](alice, "the percentages seen", `window.seen`)
	mid := false
	for _, s := range seen {
		n, _ := strconv.Atoi(strings.TrimSuffix(s, "%"))
		mid = mid || (n > 0 && n < 100)
	}
	if !mid || seen[len(seen)-1] != "100%" {
		t.Errorf("the progress went %v; want steps in between and 100%% at the end", seen)
	}
	if n := alice.b.app.messageCount(); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
	if alice.eval("the sending status", `getComputedStyle(document.getElementById('send-status')).display !== 'none'`) {
		t.Errorf("\"Encrypting and sending…\" shows on the fresh form")
	}
	alice.check("send (sent)", "sent")
}

// pasteAndDrop: an image pasted onto the page, or dropped onto it, is
// chosen and previewed; Remove takes it away.
func pasteAndDrop(alice *tab) {
	t := alice.b.t
	t.Helper()
	// A real PNG, drawn in the page, handed over as a clipboard's or a drag's.
	const file = `(name) => new Promise((resolve) => {
		const c = document.createElement('canvas'); c.width = 40; c.height = 30;
		c.getContext('2d').fillRect(0, 0, 20, 15);
		c.toBlob((b) => { const dt = new DataTransfer(); dt.items.add(new File([b], name, {type: 'image/png'})); resolve(dt); }, 'image/png');
	})`
	evalAs[bool](alice, "paste an image", `(`+file+`)('pasted.png').then((dt) => {
		document.getElementById('caption').focus();
		document.activeElement.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
		return true;
	})`, chromedp.EvalAwaitPromise)
	alice.waitJS("the pasted image is chosen and previewed", `document.getElementById('image').files[0]?.name === 'pasted.png' && !document.getElementById('image-preview').hidden && document.getElementById('image-name').innerText.includes('pasted.png')`)
	if w := alice.imageWidth("#image-preview"); w != 40 {
		t.Errorf("the preview's width is %d, want 40: it does not show the pasted image", w)
	}
	alice.do("remove it", chromedp.Click(chromedp.CSS("#image-remove")))
	if !alice.eval("the form after Remove", `document.getElementById('image').files.length === 0 && document.getElementById('image-chosen').hidden`) {
		t.Errorf("Remove left the image chosen or previewed")
	}
	evalAs[bool](alice, "drop an image", `(`+file+`)('dropped.png').then((dt) => {
		const on = document.querySelector('main h1');
		on.dispatchEvent(new DragEvent('dragenter', {dataTransfer: dt, bubbles: true, cancelable: true}));
		window.lit = document.getElementById('drop-zone').classList.contains('dragging');
		on.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
		return true;
	})`, chromedp.EvalAwaitPromise)
	alice.waitJS("the dropped image is chosen", `document.getElementById('image').files[0]?.name === 'dropped.png' && !document.getElementById('image-preview').hidden`)
	if !alice.eval("the drop zone lit up", `window.lit === true && !document.getElementById('drop-zone').classList.contains('dragging')`) {
		t.Errorf("the drop zone did not light up while a file was dragged over the page (or stayed lit)")
	}
	alice.eval("mark the panel", `(document.getElementById('send-panel').dataset.mark = 'before', true)`)
	alice.do("send it", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	alice.waitJS("a fresh panel says it was sent", `(() => { const p = document.getElementById('send-panel'); return !p.dataset.mark && p.querySelector('[role=status]')?.innerText.includes('Sent to bob'); })()`)
	if n := alice.b.app.messageCount(); n != 2 {
		t.Errorf("%d messages stored, want 2 (the dropped image the second)", n)
	}
}

// TestBrowserSendFormNoJS: without JavaScript a refused send comes back
// with the caption kept, a plain word that the image must be chosen again,
// and the focus on the error.
func TestBrowserSendFormNoJS(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) { c.MaxUploadBytes = 256 << 10 })
	b := startBrowser(t, app, "sendnojs")
	alice := b.newTab("alice", true)
	pagesSignUp(alice, "alice", false)
	app.signUp("bob")

	for _, tc := range []struct {
		name, to, file, want string
		status               int64
	}{
		{"refused", "nobody", writeTestPNG(t, 64, 48), "nobody", http.StatusNotFound},
		{"too-large", "bob", writeFile(t, "large.png", imageapptest.NoisePNGOfSize(400<<10, 3)), "256 KiB", http.StatusRequestEntityTooLarge},
	} {
		alice.visit("/send", "#send-form")
		caption := "Caption for " + tc.name
		alice.do("fill in the form",
			chromedp.SendKeys(chromedp.CSS("#to"), tc.to),
			chromedp.SendKeys(chromedp.CSS("#caption"), caption),
			chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{tc.file}))
		ctx, cancel := context.WithTimeout(alice.ctx, browserStep)
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
		cancel()
		if err != nil || resp == nil || resp.Status != tc.status {
			t.Fatalf("%s: post the form: %v %+v, want a page with status %d", tc.name, err, resp, tc.status)
		}
		if got := alice.text("#send-error"); !strings.Contains(got, tc.want) {
			t.Errorf("%s: the error says %q, want it to mention %q", tc.name, got, tc.want)
		}
		if v := alice.value("#caption"); v != caption {
			t.Errorf("%s: the caption is %q, want %q kept", tc.name, v, caption)
		}
		if got := alice.text("#image-again"); !strings.Contains(got, "Choose the image again") {
			t.Errorf("%s: the page does not say to choose the image again: %q", tc.name, got)
		}
		if !focusedSoon(alice, "send-error") {
			t.Errorf("%s: the focus is not on the error", tc.name)
		}
		alice.check("send ("+tc.name+")", tc.name)
	}
	if n := app.messageCount(); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}
