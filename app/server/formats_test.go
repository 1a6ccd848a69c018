package server

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"imageapp/app/imagecheck"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	must(t, err)
	return b
}

// TestAnAVIFIsSentWithoutItsMetadata: an AVIF from a phone, with GPS,
// camera and serial number in its Exif item, XMP, and a private box, is
// sent, stored and opened as an AVIF with all of them gone and its image
// data intact; it downloads as .avif and gets a caption-only preview.
func TestAnAVIFIsSentWithoutItsMetadata(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	upload := readTestdata(t, "exif-gps.avif")
	gps := slices.Concat(binary.BigEndian.AppendUint32(nil, 51), binary.BigEndian.AppendUint32(nil, 1),
		binary.BigEndian.AppendUint32(nil, 30), binary.BigEndian.AppendUint32(nil, 1)) // 51° 30'
	secrets := [][]byte{gps, []byte("SecretCam"), []byte("SN-0042-SECRET"), []byte("GPSLatitude"), []byte("private-camera-data")}
	for _, s := range secrets {
		if !bytes.Contains(upload, s) {
			t.Fatalf("the test image lacks %q", s)
		}
	}

	id := sendCaptioned(t, alice, "bob", "Lake", "IMG_0042.jpg", upload)
	app.previewsMade()

	r := bob.get("/api/messages/" + id + "/image")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/avif" {
		t.Fatalf("open: %d %q; want 200 image/avif", r.status, r.header.Get("Content-Type"))
	}
	stored := []byte(r.body)
	for _, s := range secrets {
		if bytes.Contains(stored, s) {
			t.Errorf("%q survived into the stored image", s)
		}
	}
	if len(stored) != len(upload) {
		t.Errorf("stored %d bytes of %d; the AVIF's boxes must keep their sizes", len(stored), len(upload))
	}
	c, err := imagecheck.Inspect(bytes.NewReader(stored), imagecheck.DefaultMaxPixels)
	if err != nil || c.ContentType != "image/avif" || c.Width != 48 || c.Height != 32 {
		t.Errorf("the stored image is no longer a 48x32 AVIF: %+v %v", c, err)
	}

	for _, route := range []string{"/messages/", "/api/messages/"} {
		cd := bob.get(route + id + "/image?download=1").header.Get("Content-Disposition")
		if !strings.Contains(cd, `filename="IMG_0042.avif"`) {
			t.Errorf("%s…/image?download=1: Content-Disposition %q; want it saved as IMG_0042.avif", route, cd)
		}
	}

	var inbox struct {
		Messages []struct {
			ID, ContentType, Thumbnail, Snippet string
		} `json:"messages"`
	}
	decode(t, bob.get("/api/messages?box=inbox"), &inbox)
	if len(inbox.Messages) != 1 || inbox.Messages[0].Thumbnail != "" || inbox.Messages[0].Snippet != "Lake" {
		t.Errorf("the inbox lists %+v; want the AVIF with its caption and no thumbnail (caption-only preview)", inbox.Messages)
	}
}

// TestHEICAndAnimatedAVIFAreRefusedSayingWhatToDo: the refusal has the
// same words in JSON and on the page without JavaScript, the words the
// clients' own checks use.
func TestHEICAndAnimatedAVIFAreRefusedSayingWhatToDo(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	app.signUp("bob")
	avif := readTestdata(t, "exif-gps.avif")
	animated := slices.Concat(avif[:8], []byte("avis"), avif[12:]) // the major brand of an image sequence
	for name, c := range map[string]struct {
		file []byte
		want string
	}{
		"an iPhone's HEIC": {readTestdata(t, "red.heic"), imagecheck.HEICMessage},
		"an animated AVIF": {animated, imagecheck.AnimatedAVIFMessage},
	} {
		r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "IMG_0001.HEIC", c.file))
		var reply struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(r.body), &reply); err != nil {
			t.Fatalf("%s: the refusal is not JSON: %v %s", name, err, r.body)
		}
		if r.status != http.StatusUnsupportedMediaType || reply.Error.Code != "unsupported_type" || reply.Error.Message != c.want {
			t.Errorf("%s over the API: %d %+v; want 415 %q", name, r.status, reply.Error, c.want)
		}
		page := alice.postMultipart("/send", field("to", "bob"), file("image", "IMG_0001.HEIC", c.file))
		if page.status != http.StatusUnsupportedMediaType || !strings.Contains(html.UnescapeString(page.body), c.want) {
			t.Errorf("%s on the page: %d; want 415 and %q in the page", name, page.status, c.want)
		}
	}
}

// TestBrowserChecksHEICAndAVIFAsTheServerDoes: with JavaScript on, a HEIC
// photo is refused before any upload with the server's words, even named
// only by its extension as browsers off a Mac give it; an AVIF is sent.
func TestBrowserChecksHEICAndAVIFAsTheServerDoes(t *testing.T) {
	app := startApp(t, t.TempDir())
	watch := watchSends(app)
	b := startBrowser(t, app, "formats")
	alice := b.newTab("alice", false)
	pagesSignUp(alice, "alice", false)
	app.signUp("bob")
	alice.visit("/send?to=bob", "#send-form")

	heic := writeFile(t, "IMG_0001.HEIC", readTestdata(t, "red.heic"))
	alice.do("choose a HEIC photo", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{heic}))
	alice.waitJS("the form says what to do", `document.querySelector('#send-error [role=alert]')?.innerText.includes(`+jsString(imagecheck.HEICMessage)+`)`)
	if n := watch.posts.Load(); n != 0 {
		t.Errorf("%d uploads reached the server; a HEIC photo must be refused before uploading", n)
	}

	avif := writeFile(t, "lake.avif", readTestdata(t, "exif-gps.avif"))
	alice.do("choose an AVIF", chromedp.SetUploadFiles(chromedp.CSS("#image"), []string{avif}))
	alice.waitJS("the error is gone", `!document.querySelector('#send-error [role=alert]')`)
	alice.do("send", chromedp.Click(chromedp.CSS(`#send-form button[type=submit]`)))
	alice.waitJS("the panel says it was sent", `document.querySelector('#send-panel [role=status]')?.innerText.includes('Sent to bob')`)
	if n := app.messageCount(); n != 1 {
		t.Errorf("%d messages stored, want the AVIF", n)
	}
	alice.checkConsole()
}
