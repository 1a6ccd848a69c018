package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"imageapp/app/messaging"
)

func TestBrowserLongTextHTMX(t *testing.T)  { longTextFlow(t, "layout-htmx", false, false) }
func TestBrowserLongTextNoJS(t *testing.T)  { longTextFlow(t, "layout-nojs", true, false) }
func TestBrowserReactLongText(t *testing.T) { longTextFlow(t, "layout-react", false, true) }

// What people type that breaks layouts: the longest username there can be, a
// caption that is one 200-character word, a long file name, and a caption in
// a right-to-left script.
var (
	longUsername = "Maximilian_Alexander_Wolfeschleg" // 32 characters, the most a username has
	longCaption  = strings.Repeat("Supercalifragilistic", 10)
	longFilename = strings.Repeat("IMG_20260704_sunset_over_the_lake_", 4) + "edited.png"
	rtlCaption   = "שקיעה על האגם, התמונה האהובה עליי מהחופשה"
)

// longTextFlow: bob's inbox, his conversation with someone whose username is
// as long as it can be, the message with a 200-character word as its caption
// and a long file name, the people page and the sent page fit a 375 px phone
// and a 1280 px laptop without scrolling sideways, in the light and the dark
// scheme; text that is cut short carries the full text in its title; every
// element showing a username, caption or file name has dir="auto"; axe passes
// in both schemes (with JavaScript). Screenshots of the conversation and the
// message at both widths in both schemes.
func longTextFlow(t *testing.T, flow string, jsOff, react bool) {
	app := startApp(t, t.TempDir(), func(c *Config) {
		if react {
			c.ReactDir = filepath.Join(repoRoot(t), "react", "dist")
		}
	})
	b := startBrowser(t, app, flow)
	bob := b.newTab("bob", jsOff)
	if react {
		reactSignUp(bob, "bob", false)
	} else {
		pagesSignUp(bob, "bob", false)
	}
	app.signUp(longUsername)
	app.sendNamed(longUsername, "bob", rtlCaption, "lake.png")
	id := app.sendNamed(longUsername, "bob", longCaption, longFilename)
	app.sendNamed("bob", longUsername, "", longFilename)

	pages := []struct{ name, path, react, wait string }{
		{"inbox", "/inbox", "/react/#/inbox", `a[href*="conversations/` + longUsername + `"]`},
		{"conversation", "/conversations/" + longUsername, "/react/#/conversations/" + longUsername, `a[href*="messages/` + id + `"]`},
		{"message", "/messages/" + id, "/react/#/messages/" + id, `img[src*="` + id + `"]`},
		{"users", "/users", "/react/#/users", `a[aria-label="Send an image to ` + longUsername + `"]`},
		{"sent", "/sent", "/react/#/sent", `a[href*="messages/"]`},
	}
	for _, p := range pages {
		if react {
			bob.visit(p.react, p.wait)
		} else {
			bob.visit(p.path, p.wait)
		}
		shots := p.name == "conversation" || p.name == "message"
		for _, w := range browserWidths {
			bob.do(fmt.Sprintf("set the width to %d px", w), chromedp.EmulateViewport(w, 900))
			bob.fitsWidth(p.name, w)
			bob.truncatedHaveTitles(p.name, w)
			if p.name == "conversation" {
				bob.bubblesHugTheirImages(w)
			}
			if shots {
				for _, scheme := range []string{"light", "dark"} {
					bob.setColorScheme(scheme)
					bob.looksLike(p.name, scheme)
					bob.screenshot(fmt.Sprintf("%s-%s-%d", p.name, scheme, w))
				}
				bob.setColorScheme("")
			}
		}
		bob.userTextIsolated(p.name, longUsername, longCaption, longFilename, rtlCaption)
		if !jsOff {
			bob.axeCheck(p.name + " with long text")
		}
	}
	bob.checkConsole()
}

// sendNamed sends a small image with a caption and a file name through the
// service and returns its id.
func (a *testApp) sendNamed(from, to, caption, filename string) string {
	a.t.Helper()
	sender, err := a.backend.Users.UserByUsername(context.Background(), from)
	must(a.t, err)
	m, err := a.app.Messaging().Send(context.Background(), sender, messaging.SendInput{
		To: to, Caption: caption, Filename: filename, Body: bytes.NewReader(testPNG(a.t, 240, 160))})
	must(a.t, err)
	a.previewsMade()
	return m.ID
}

// fitsWidth fails if the page scrolls sideways at width w, and names the
// elements that stick out.
func (tb *tab) fitsWidth(screen string, w int64) {
	tb.b.t.Helper()
	var m struct {
		ScrollWidth, InnerWidth int
		Wide                    []string
	}
	raw := evalAs[[]byte](tb, "measure the page", `(() => {
		const vw = window.innerWidth;
		const wide = [...document.body.querySelectorAll('*')]
			.filter((e) => e.getBoundingClientRect().right > vw + 0.5)
			.slice(-5)
			.map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).slice(0, 5).join('.') : ''));
		return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: vw, wide};
	})()`)
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.fatal("measure the page", err)
	}
	if m.ScrollWidth > m.InnerWidth {
		tb.b.t.Errorf("%s %s at %d px: the page is %d px wide, wider than the window (%d px); too wide: %v",
			tb.b.flow, screen, w, m.ScrollWidth, m.InnerWidth, m.Wide)
	}
}

// looksLike fails unless the page's main text and what it sits on follow
// the colour scheme: dark on light, or light on dark.
func (tb *tab) looksLike(screen, scheme string) {
	tb.b.t.Helper()
	var got struct{ Background, Text float64 } // lightness, 0 to 1
	raw := evalAs[[]byte](tb, "read the colours", `(() => {
		const main = document.querySelector('main');
		let bg = 'rgba(0, 0, 0, 0)';
		for (let e = main; e && /rgba\(0, 0, 0, 0\)|transparent/.test(bg); e = e.parentElement) bg = getComputedStyle(e).backgroundColor;
		const lightness = (c) => {
			const n = c.match(/[\d.]+/g).map(Number);
			return /^okl/.test(c) ? n[0] : (0.2126 * n[0] + 0.7152 * n[1] + 0.0722 * n[2]) / 255;
		};
		return {background: lightness(bg), text: lightness(getComputedStyle(main).color)};
	})()`)
	if err := json.Unmarshal(raw, &got); err != nil {
		tb.fatal("read the colours", err)
	}
	dark := got.Background < 0.35 && got.Text > 0.7
	light := got.Background > 0.9 && got.Text < 0.35
	if (scheme == "dark" && !dark) || (scheme == "light" && !light) {
		tb.b.t.Errorf("%s %s in the %s scheme: text of lightness %.2f on a background of %.2f", tb.b.flow, screen, scheme, got.Text, got.Background)
	}
}

// bubblesHugTheirImages fails if a conversation's bubble of one image is
// wider than its image and padding: a date or caption wider than the image
// left a blank strip beside it (the React bubble did).
func (tb *tab) bubblesHugTheirImages(w int64) {
	tb.b.t.Helper()
	var m struct {
		Measured int
		Wide     []string
	}
	raw := evalAs[[]byte](tb, "measure the bubbles", `(() => {
		const bubbles = [...document.querySelectorAll('a[id^="m-"]')].filter((a) => a.querySelectorAll('img').length === 1);
		const wide = bubbles
			.map((a) => [a, a.getBoundingClientRect().width - a.querySelector('img').getBoundingClientRect().width])
			.filter(([, extra]) => extra > 24)
			.map(([a, extra]) => a.id + ': ' + Math.round(extra) + ' px wider than its image');
		return {measured: bubbles.length, wide};
	})()`)
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.fatal("measure the bubbles", err)
	}
	if m.Measured == 0 {
		tb.b.t.Errorf("%s conversation at %d px: no bubble with an image to measure", tb.b.flow, w)
	}
	for _, e := range m.Wide {
		tb.b.t.Errorf("%s conversation at %d px: a bubble has a blank strip beside its image: %s", tb.b.flow, w, e)
	}
}

// truncatedHaveTitles fails if text cut short with an ellipsis does not carry
// its full text in a title (on itself or on an element around it).
func (tb *tab) truncatedHaveTitles(screen string, w int64) {
	tb.b.t.Helper()
	bad := evalAs[[]string](tb, "find truncated text", `[...document.body.querySelectorAll('*')]
		.filter((e) => getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth)
		.filter((e) => !(e.closest('[title]')?.getAttribute('title') ?? '').includes(e.textContent.trim().replace(/…$/, '')))
		.map((e) => e.tagName.toLowerCase() + ': ' + e.textContent.trim().slice(0, 40))`)
	for _, e := range bad {
		tb.b.t.Errorf("%s %s at %d px: text is cut short with no title holding all of it: %s", tb.b.flow, screen, w, e)
	}
}

// userTextIsolated fails unless every piece of the page that shows one of
// values (a username, caption or file name) sits in an element of its own
// with dir="auto", so a right-to-left caption reads right and never reorders
// the words around it.
func (tb *tab) userTextIsolated(screen string, values ...string) {
	tb.b.t.Helper()
	js, _ := json.Marshal(values)
	bad := evalAs[[]string](tb, "look for user text without dir=auto", `((values) => {
		const bad = [];
		const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			const text = n.textContent;
			if (!values.some((v) => text.includes(v.slice(0, 10)))) continue;
			const el = n.parentElement.closest('[dir]');
			const own = (el?.textContent ?? '').trim().replace(/…$/, '');
			if (el?.getAttribute('dir') !== 'auto' || !values.some((v) => v.includes(own))) {
				const at = n.parentElement;
				bad.push(at.tagName.toLowerCase() + (at.className ? '.' + String(at.className).trim().split(/\s+/).slice(0, 3).join('.') : '') + ': ' + text.trim().slice(0, 50));
			}
		}
		return bad;
	})(`+string(js)+`)`)
	for _, e := range bad {
		tb.b.t.Errorf("%s %s: user text is not in an element of its own with dir=\"auto\": %s", tb.b.flow, screen, e)
	}
}

// TestDarkPaletteIsTheSameInBothClients: the pages' CSS and React's mirror the
// palette the same way, so both clients look alike in the dark.
func TestDarkPaletteIsTheSameInBothClients(t *testing.T) {
	root := repoRoot(t)
	block := func(path string) string {
		raw, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		s := string(raw)
		start, end := strings.Index(s, "@theme {"), strings.Index(s, "/* --- end of the dark palette --- */")
		if start < 0 || end < start {
			t.Fatalf("%s has no dark palette (from @theme to its end marker)", path)
		}
		return s[start:end]
	}
	pages, react := block("static/src/app.css"), block("react/src/index.css")
	if pages != react {
		t.Errorf("the dark palettes of static/src/app.css and react/src/index.css differ; keep them in step")
	}
}
