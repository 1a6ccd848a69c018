package server

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"imageapp/app/messaging"
)

// The full-screen viewer (static/viewer.js, React's Viewer): bob's
// conversation with alice holds a photo, a tall phone screenshot, a
// view-once image and a panorama.

const viewerOpen = `document.querySelector('dialog[data-viewer-dialog][open]') !== null`

// viewerImages are the images alice sends bob, oldest first.
type viewerImages struct{ photo, tall, once, pano string }

func sendViewerImages(t *testing.T, app *testApp) viewerImages {
	return viewerImages{
		photo: app.sendKept("alice", "bob", "Beach", "", testPNG(t, 640, 400)),
		tall:  app.sendKept("alice", "bob", "Long chat", "", tallScreenshotPNG(t, 1170, 8000)),
		once:  app.sendKept("alice", "bob", "Just once", "once", testPNG(t, 300, 200)),
		pano:  app.sendKept("alice", "bob", "Panorama", "", panoramaPNG(t, 4000, 300)),
	}
}

// TestBrowserViewerPages: with JavaScript on, a click or Enter on an image
// of the conversation opens it full screen; + - 0 zoom, arrows go to the
// next and previous image (never fetching the view-once one), Esc and Back
// close and give the focus back; the message page's image opens it too.
func TestBrowserViewerPages(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "viewer-pages")
	app.signUp("alice")
	bob := b.newTab("bob", false)
	pagesSignUp(bob, "bob", false)
	ids := sendViewerImages(t, app)
	bubble := func(id string) string { return "#m-" + id }

	bob.visit("/conversations/alice", "#m-"+ids.pano)
	if n := evalAs[int](bob, "count the viewer's images", `document.querySelectorAll('#conversation a[data-viewer]').length`); n != 3 {
		t.Errorf("%d images of the conversation open in the viewer, want 3 (the view-once one opens by its page only)", n)
	}
	viewerChecks(bob, bubble, ids)
	if c := app.loginAs("bob", browserPassword); app.isUnread(c, ids.photo) || app.isUnread(c, ids.tall) || !app.isUnread(c, ids.once) {
		t.Errorf("the images bob saw in the viewer should be read, and only them: photo unread %v, tall unread %v, view-once unread %v",
			app.isUnread(c, ids.photo), app.isUnread(c, ids.tall), app.isUnread(c, ids.once))
	}

	// The message page's image opens the viewer too, alone.
	bob.visit("/messages/"+ids.pano, "figure a[data-viewer] img")
	bob.do("click the image", chromedp.Click(chromedp.CSS("figure a[data-viewer]")))
	bob.waitJS("the viewer opens", viewerOpen)
	if p := bob.path(); p != "/messages/"+ids.pano {
		t.Errorf("opening the viewer navigated to %s", p)
	}
	if bob.eval("the previous and next buttons", `[...document.querySelectorAll('dialog[data-viewer-dialog] button[aria-label$="image"]')].some(b => !b.hidden)`) {
		t.Errorf("the viewer of one image shows previous and next buttons")
	}
	bob.do("press Esc", chromedp.KeyEvent(kb.Escape))
	bob.waitJS("the viewer closes", `!(`+viewerOpen+`)`)
	if !bob.eval("the focus", `document.activeElement === document.querySelector('figure a[data-viewer]')`) {
		t.Errorf("after Esc the focus is not back on the message page's image but on %s", evalAs[string](bob, "the focus", `document.activeElement?.outerHTML.slice(0, 100) ?? ''`))
	}
	bob.checkConsole()
}

// TestBrowserViewerNoJS: without JavaScript the message page's image is a
// link to the image on its own, full size, under the image route's
// headers; the conversation's images lead to their message pages, and a
// view-once image's page has no link to its bytes.
func TestBrowserViewerNoJS(t *testing.T) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "viewer-nojs")
	app.signUp("alice")
	bob := b.newTab("bob", true)
	pagesSignUp(bob, "bob", false)
	ids := sendViewerImages(t, app)

	bob.visit("/conversations/alice", "#m-"+ids.tall)
	if href := evalAs[string](bob, "the bubble's link", `document.querySelector('#m-`+ids.tall+`').getAttribute('href')`); href != "/messages/"+ids.tall {
		t.Errorf("the tall screenshot's bubble links to %q, want its message page", href)
	}
	bob.submit("open the message", "#m-"+ids.tall, "/messages/"+ids.tall)
	link := `figure a[href="/messages/` + ids.tall + `/image"] img`
	if !bob.eval("the image's link", `document.querySelector(`+jsString(link)+`) !== null`) {
		t.Fatalf("the message page's image is not a link to /messages/%s/image", ids.tall)
	}
	bob.check("message", "message-tall")
	ctx, cancel := context.WithTimeout(bob.ctx, browserStep)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(link)))
	if err != nil || resp == nil {
		t.Fatalf("follow the image's link: %v", err)
	}
	if resp.Status != http.StatusOK || !strings.HasPrefix(fmt.Sprint(resp.Headers["Content-Type"]), "image/png") {
		t.Errorf("the image's link answered %d %v", resp.Status, resp.Headers["Content-Type"])
	}
	if csp := fmt.Sprint(resp.Headers["Content-Security-Policy"]); !strings.Contains(csp, "sandbox") {
		t.Errorf("the full-size image lacks the image route's sandboxing CSP: %q", csp)
	}
	if cc := fmt.Sprint(resp.Headers["Cache-Control"]); cc != "no-store" {
		t.Errorf("the full-size image's Cache-Control = %q, want no-store", cc)
	}
	if w := evalAs[int](bob, "the image's width", `document.querySelector('img')?.naturalWidth ?? 0`); w != 1170 {
		t.Errorf("the full-size view shows an image %d px wide, want 1170", w)
	}

	bob.visit("/messages/"+ids.once, "main")
	if bob.eval("a link to the view-once image", `document.querySelector('a[href*="/image"]') !== null`) {
		t.Errorf("the view-once message page links to the image's bytes")
	}
}

// TestBrowserViewerReact: the same in the React client.
func TestBrowserViewerReact(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "viewer-react")
	app.signUp("alice")
	bob := b.newTab("bob", false)
	reactSignUp(bob, "bob", false)
	ids := sendViewerImages(t, app)
	bubble := func(id string) string { return `a[href="#/messages/` + id + `"]` }

	evalAs[string](bob, "open the conversation", `location.hash = '#/conversations/alice'`)
	bob.waitJS("the conversation", `document.querySelector('a[href="#/messages/`+ids.pano+`"]') !== null`)
	viewerChecks(bob, bubble, ids)
	if c := app.loginAs("bob", browserPassword); app.isUnread(c, ids.photo) || app.isUnread(c, ids.tall) || !app.isUnread(c, ids.once) {
		t.Errorf("the images bob saw in the viewer should be read, and only them")
	}

	evalAs[string](bob, "open the message", `location.hash = '#/messages/`+ids.photo+`'`)
	bob.waitJS("the message screen", `document.querySelector('article a[href$="/image"] img') !== null`)
	bob.do("click the image", chromedp.Click(chromedp.CSS(`article a[href$="/image"]`)))
	bob.waitJS("the viewer opens", viewerOpen)
	bob.do("press Esc", chromedp.KeyEvent(kb.Escape))
	bob.waitJS("the viewer closes", `!(`+viewerOpen+`)`)
	if !bob.eval("the focus", `document.activeElement === document.querySelector('article a[href$="/image"]')`) {
		t.Errorf("after Esc the focus is not back on the message screen's image")
	}
	if !strings.HasPrefix(evalAs[string](bob, "the address", `location.hash`), "#/messages/") {
		t.Errorf("closing the viewer left the message screen")
	}
	bob.checkConsole()
}

// viewerChecks drives the viewer from an open conversation: bubble(id)
// selects an image's link.
func viewerChecks(tb *tab, bubble func(string) string, ids viewerImages) {
	t := tb.b.t
	t.Helper()
	at := func() string { return evalAs[string](tb, "the address", `location.pathname + location.hash`) }
	before := at()
	scale := func() float64 {
		return evalAs[float64](tb, "the image's scale", `Number(document.querySelector('dialog[data-viewer-dialog] img[data-viewer-image]').dataset.scale)`)
	}
	waitShown := func(what, id string) {
		t.Helper()
		tb.waitJS(what, `(() => { const i = document.querySelector('dialog[data-viewer-dialog] img[data-viewer-image]'); return i && i.getAttribute('src').includes('`+id+`/image') && i.isConnected && i.complete && i.naturalWidth > 0 && i.dataset.scale; })()`)
	}

	// A click opens the photo, whole, in a labelled modal dialog; the page stays.
	tb.do("click the photo", chromedp.Click(chromedp.CSS(bubble(ids.photo))))
	tb.waitJS("the viewer opens", viewerOpen)
	waitShown("the photo shows", ids.photo)
	if got := at(); got != before {
		t.Errorf("opening the viewer went to %s", got)
	}
	if !tb.eval("the dialog's role", `(() => { const d = document.querySelector('dialog[data-viewer-dialog]'); return d.getAttribute('aria-modal') === 'true' && d.getAttribute('aria-label').includes('Beach'); })()`) {
		t.Errorf("the viewer is not a modal dialog labelled with the image")
	}
	fit := scale()
	tb.do("press +", chromedp.KeyEvent("+"))
	if s := scale(); s <= fit {
		t.Errorf("+ left the scale at %v (fit %v)", s, fit)
	}
	tb.do("press + again and -", chromedp.KeyEvent("+"), chromedp.KeyEvent("-"))
	if s := scale(); s <= fit {
		t.Errorf("+ + - left the scale at %v, want above the fit %v", s, fit)
	}
	tb.do("press 0", chromedp.KeyEvent("0"))
	if s := scale(); s != fit {
		t.Errorf("0 set the scale to %v, want the fit %v", s, fit)
	}

	// → goes to the tall screenshot: it fills the width (at most 800 px),
	// from its top, and ↓ scrolls it.
	tb.do("press →", chromedp.KeyEvent(kb.ArrowRight))
	waitShown("the tall screenshot shows", ids.tall)
	for _, w := range browserWidths {
		tb.do(fmt.Sprintf("set the width to %d px", w), chromedp.EmulateViewport(w, 900))
		want := min(float64(w), 800)
		tb.waitJS("the viewer refits", fmt.Sprintf(`Math.abs(document.querySelector('dialog[data-viewer-dialog] img[data-viewer-image]').getBoundingClientRect().width - %v) < 1`, want))
		r := evalAs[[]float64](tb, "the tall image's box", `(() => { const r = document.querySelector('dialog[data-viewer-dialog] img[data-viewer-image]').getBoundingClientRect(); return [r.left, r.top - document.querySelector('[data-viewer-stage]').getBoundingClientRect().top, r.width]; })()`)
		if r[2] < want-1 || r[2] > want+1 || r[1] != 0 {
			t.Errorf("at %d px the tall screenshot is %v px wide, %v px below the top; want it %v wide from the top", w, r[2], r[1], want)
		}
	}
	tb.check("viewer (tall screenshot)")
	viewerShots(tb, "tall")
	top := evalAs[float64](tb, "the image's top", `document.querySelector('dialog[data-viewer-dialog] img[data-viewer-image]').getBoundingClientRect().top`)
	tb.do("press ↓", chromedp.KeyEvent(kb.ArrowDown))
	if now := evalAs[float64](tb, "the image's top", `document.querySelector('dialog[data-viewer-dialog] img[data-viewer-image]').getBoundingClientRect().top`); now >= top {
		t.Errorf("↓ did not scroll the tall screenshot (top %v, then %v)", top, now)
	}

	// The next is the panorama: the view-once image between is skipped, and
	// was never fetched, not even ahead of time.
	tb.do("press →", chromedp.KeyEvent(kb.ArrowRight))
	waitShown("the panorama shows", ids.pano)
	if got := tb.text("[data-viewer-counter]"); !strings.Contains(got, "3 of 3") {
		t.Errorf("the viewer's counter reads %q, want 3 of 3", got)
	}
	tb.check("viewer (panorama)")
	viewerShots(tb, "panorama")
	if tb.eval("a fetch of the view-once image", `performance.getEntriesByType('resource').some(e => e.name.includes('`+ids.once+`'))`) {
		t.Errorf("the viewer fetched the view-once image")
	}
	tb.do("press ← twice", chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft))
	waitShown("back at the photo", ids.photo)

	// Esc closes it and the focus returns to the photo's link.
	tb.do("press Esc", chromedp.KeyEvent(kb.Escape))
	tb.waitJS("the viewer closes", `!(`+viewerOpen+`)`)
	if !tb.eval("the focus", `document.activeElement === document.querySelector(`+jsString(bubble(ids.photo))+`)`) {
		t.Errorf("after Esc the focus is on %s, want the photo it was opened from", evalAs[string](tb, "the focus", `document.activeElement?.outerHTML.slice(0, 80) ?? ''`))
	}
	time.Sleep(100 * time.Millisecond) // Esc's history.back() lands
	if got := at(); got != before {
		t.Errorf("after Esc the page is %s, want %s", got, before)
	}

	// Enter on the tall screenshot opens it; Back closes it.
	tb.do("focus the tall screenshot", chromedp.Focus(chromedp.CSS(bubble(ids.tall))))
	tb.do("press Enter", chromedp.KeyEvent(kb.Enter))
	tb.waitJS("the viewer opens", viewerOpen)
	waitShown("the tall screenshot shows", ids.tall)
	evalAs[chromedp.Void](tb, "go back", `history.back()`)
	tb.waitJS("Back closes the viewer", `!(`+viewerOpen+`)`)
	if !tb.eval("the focus", `document.activeElement === document.querySelector(`+jsString(bubble(ids.tall))+`)`) {
		t.Errorf("after Back the focus is not on the tall screenshot it was opened from")
	}
	if got := at(); got != before {
		t.Errorf("Back to close the viewer left the conversation for %s", got)
	}
}

// openMessage opens the message page of the conversation's image at sel:
// with JavaScript on, a click opens the viewer and its Details link leads
// to the page; without, the image's link does.
func openMessage(tb *tab, what, sel string) {
	tb.b.t.Helper()
	if tb.jsOff {
		tb.submit(what, sel, "")
		return
	}
	tb.do(what+": open the viewer", chromedp.Click(chromedp.CSS(sel)))
	tb.waitJS(what+": the viewer opens", viewerOpen)
	// (A page load that chromedp.RunResponse does not see after the
	// viewer's history entry: wait for the message page instead.)
	tb.do(what+": follow Details", chromedp.Click(chromedp.CSS("[data-viewer-open]")), chromedp.WaitVisible(chromedp.CSS("main article header")))
	if p := tb.path(); !strings.HasPrefix(p, "/messages/") {
		tb.fatal(what, fmt.Errorf("Details led to %s", p))
	}
}

// viewerShots saves what the screen shows (the viewer covers the screen,
// not the page) at each width, as <flow>-viewer-<name>[-375].png.
func viewerShots(tb *tab, name string) {
	tb.b.t.Helper()
	for _, w := range browserWidths {
		tb.do(fmt.Sprintf("set the width to %d px", w), chromedp.EmulateViewport(w, 900))
		tb.waitJS("the viewer refits", `document.querySelector('dialog[data-viewer-dialog] img[data-viewer-image]')?.isConnected`)
		png := evalAsShot(tb)
		file := tb.b.flow + "-viewer-" + name
		if w != 1280 {
			file += fmt.Sprintf("-%d", w)
		}
		path := filepath.Join(tb.b.artifacts, file+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			tb.b.t.Fatal(err)
		}
		tb.b.t.Logf("screenshot: %s", path)
	}
}

func evalAsShot(tb *tab) []byte {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserStep)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.fatal("take a screenshot", err)
	}
	return png
}

// sendKept sends img from one user to another through the service with a
// caption and a keep-for ("once": view once) and returns its ID.
func (a *testApp) sendKept(from, to, caption, keep string, img []byte) string {
	a.t.Helper()
	sender, err := a.backend.Users.UserByUsername(context.Background(), from)
	must(a.t, err)
	m, err := a.app.Messaging().Send(context.Background(), sender, messaging.SendInput{To: to, Caption: caption, Keep: keep, Filename: "image.png", Body: bytes.NewReader(img)})
	must(a.t, err)
	a.previewsMade()
	return m.ID
}

// tallScreenshotPNG is a phone screenshot of a long chat: lines of dark
// "words" on white, in bubbles.
func tallScreenshotPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	white, bubble, ink := color.NRGBA{255, 255, 255, 255}, color.NRGBA{220, 235, 255, 255}, color.NRGBA{30, 41, 59, 255}
	for y := range h {
		block := y / 240 // a chat bubble every 240 rows
		line := y % 60   // a line of text every 60 rows
		left := block%2 == 0
		for x := range w {
			c := white
			inBubble := y%240 > 20 && (left && x > 40 && x < w*2/3 || !left && x > w/3 && x < w-40)
			if inBubble {
				c = bubble
				if line > 30 && line < 50 && x%90 < 70 {
					c = ink
				}
			}
			img.Set(x, y, c)
		}
	}
	return encodePNG(t, img)
}

// panoramaPNG is a landscape: sky, mountains, a lake.
func panoramaPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		ridge := h/2 + int(float64(h)/6*math.Sin(float64(x)/97)) + int(float64(h)/10*math.Sin(float64(x)/23))
		for y := range h {
			switch {
			case y < ridge:
				img.Set(x, y, color.NRGBA{uint8(120 + y*100/h), uint8(170 + y*60/h), 235, 255})
			case y < h*4/5:
				img.Set(x, y, color.NRGBA{60, uint8(90 + (x/50)%30), 70, 255})
			default:
				img.Set(x, y, color.NRGBA{40, 90, uint8(150 + (x+y)%40), 255})
			}
		}
	}
	return encodePNG(t, img)
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
