package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserComposerAlbumNoJS(t *testing.T) { composerAlbum(t, "composer-album-nojs", true) }
func TestBrowserComposerAlbumHTMX(t *testing.T) { composerAlbum(t, "composer-album-htmx", false) }

// composerAlbum: three files picked in the composer are sent as one album,
// which the thread shows as one item with its three images. With
// JavaScript, dropping files adds to the chosen ones, and an eleventh is
// refused with the limit, keeping what was chosen.
func composerAlbum(t *testing.T, flow string, jsOff bool) {
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, flow)
	bob := b.newTab("bob", jsOff)
	app.signUp("alice")
	pagesSignUp(bob, "bob", false)
	app.sendNamed("alice", "bob", "Hello", "hello.png")
	bob.visit("/conversations/alice", "#send-form")

	var picked []string
	for i := range 3 {
		picked = append(picked, writeFile(t, fmt.Sprintf("p%d.png", i), testPNG(t, 40+i, 30)))
	}
	bob.do("write a caption", chromedp.SendKeys(chromedp.CSS("#caption"), "Three from the beach"))
	bob.do("pick three images", chromedp.SetUploadFiles(chromedp.CSS("#image"), picked))
	if jsOff {
		if resp := bob.post("send", `#send-form button[type=submit]`); resp != http.StatusOK {
			t.Fatalf("the album from the composer ended with status %d", resp)
		}
		// Previews (thumbnails, the caption) are made once the send has answered.
		app.previewsMade()
		bob.visit("/conversations/alice", "#conversation li[data-album]")
	} else {
		bob.waitJS("the three are named", `document.getElementById('image-name').innerText.startsWith('3 images')`)
		bob.eval("drop eight more", `(() => {
			const dt = new DataTransfer();
			for (let i = 0; i < 8; i++) dt.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'more' + i + '.png', {type: 'image/png'}));
			document.querySelector('main').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
			return true;
		})()`)
		bob.waitJS("the eleventh is refused", `document.querySelector('#send-error [role=alert]')?.innerText.includes('Send at most 10 images at once; you chose 11.')`)
		if n := evalAs[int](bob, "the chosen files", `document.getElementById('image').files.length`); n != 3 {
			t.Errorf("%d files chosen after refusing the eleventh, want the 3 picked", n)
		}
		bob.do("send", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	}
	bob.waitJS("the album is one item of three images", `(() => {
		const albums = document.querySelectorAll('#conversation li[data-album]');
		return !document.querySelector('[data-pending]') && albums.length === 1 &&
			albums[0].querySelectorAll('a[id^="m-"]').length === 3 && albums[0].innerText.includes('Three from the beach');
	})()`)
	if n := evalAs[int](bob, "the thread's items", `document.querySelectorAll('#conversation li').length`); n != 2 {
		t.Errorf("the thread has %d items, want 2 (the first image and the album)", n)
	}
	if n := app.messageCount(); n != 4 {
		t.Errorf("%d messages stored, want 4", n)
	}
	bob.check("conversation with an album", "album")
	if !jsOff {
		bob.checkConsole()
	}
}

// TestBrowserReactComposerAlbum: in the React client, three files picked in
// the composer are sent as one album, shown in the thread as one item with
// its three images, each opening its own message.
func TestBrowserReactComposerAlbum(t *testing.T) {
	dist := filepath.Join(repoRoot(t), "react", "dist")
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the React client is not built (%v): run `cd react && npm ci && npm run build` first", err)
	}
	app := startApp(t, t.TempDir(), func(c *Config) { c.ReactDir = dist })
	b := startBrowser(t, app, "reactflow-album")
	bob := b.newTab("bob", false)
	app.signUp("alice")
	reactSignUp(bob, "bob", false)
	app.sendNamed("alice", "bob", "Hello", "hello.png")
	reactOpenConversation(bob)

	var picked []string
	for i := range 3 {
		picked = append(picked, writeFile(t, fmt.Sprintf("p%d.png", i), testPNG(t, 40+i, 30)))
	}
	bob.do("write a caption", chromedp.SendKeys(chromedp.CSS(`[data-testid=composer] textarea`), "Three from the beach"))
	bob.do("pick three images", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=composer] input[type=file]`), picked))
	bob.waitJS("the three are named", `document.querySelector('[data-testid=chosen-file]')?.innerText.startsWith('3 images')`)
	bob.do("send", chromedp.Click(chromedp.CSS(`[data-testid=composer] button[type=submit]`)))
	bob.waitJS("the album is one item of three images", `(() => {
		const albums = document.querySelectorAll('ol [data-album]');
		return !document.querySelector('[data-pending]') && albums.length === 1 &&
			albums[0].querySelectorAll('a[id^="m-"]').length === 3 && document.querySelectorAll('ol > li').length === 2;
	})()`)
	if n := app.messageCount(); n != 4 {
		t.Errorf("%d messages stored, want 4", n)
	}
	first := evalAs[string](bob, "the album's first image", `document.querySelector('ol [data-album] a[id^="m-"]').id.slice(2)`)
	stored, err := app.backend.Messages.Message(context.Background(), first)
	must(t, err)
	if stored.AlbumID == "" {
		t.Errorf("the album's first image %s is stored with no album", first)
	}
	bob.check("React conversation with an album", "album") // axe in both schemes, screenshots at 375 and 1280
	bob.checkConsole()
}
