package server

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
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

// pngWithEXIf is a PNG stored turned for EXIF orientation 6 (shown turned a
// quarter clockwise), with an eXIf chunk that also holds a GPS secret. As
// shown it is 80×60 with red top left and blue top right; as stored, 60×80
// with blue top left and red bottom left.
func pngWithEXIf(t *testing.T, secret string) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 60, 80))
	for y := range 80 {
		for x := range 60 {
			c := color.RGBA{128, 128, 128, 255}
			switch {
			case x < 30 && y < 40:
				c = color.RGBA{30, 40, 220, 255} // blue
			case x < 30:
				c = color.RGBA{220, 30, 30, 255} // red
			}
			m.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	must(t, png.Encode(&buf, m))
	le := binary.LittleEndian
	tiff := []byte("II*\x00")
	tiff = le.AppendUint32(tiff, 8)
	tiff = le.AppendUint16(tiff, 2)
	tiff = slices.Concat(tiff, le.AppendUint16(nil, 0x0112), le.AppendUint16(nil, 3), le.AppendUint32(nil, 1), le.AppendUint32(nil, 6))
	tiff = slices.Concat(tiff, le.AppendUint16(nil, 0x8825), le.AppendUint16(nil, 4), le.AppendUint32(nil, 1), le.AppendUint32(nil, 38))
	tiff = le.AppendUint32(tiff, 0)
	datum := append([]byte(secret), 0)
	tiff = le.AppendUint16(tiff, 1) // the GPS IFD at 38, its datum at 56
	tiff = slices.Concat(tiff, le.AppendUint16(nil, 0x0012), le.AppendUint16(nil, 2), le.AppendUint32(nil, uint32(len(datum))), le.AppendUint32(nil, 56))
	tiff = append(le.AppendUint32(tiff, 0), datum...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(tiff)))
	chunk = append(append(chunk, "eXIf"...), tiff...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	p := buf.Bytes()
	const afterIHDR = 8 + 8 + 13 + 4
	return slices.Concat(p[:afterIHDR], chunk, p[afterIHDR:])
}

// TestAPNGTurnedByItsEXIfHasAnUprightPreview: a PNG whose eXIf says it is
// turned (Chromium and Safari show it turned) keeps that orientation, loses
// its GPS, and its preview in the inbox is upright like the image.
func TestAPNGTurnedByItsEXIfHasAnUprightPreview(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	const secret = "GPS-SECRET-51.5N"
	id := sendCaptioned(t, alice, "bob", "", "turned.png", pngWithEXIf(t, secret))
	app.previewsMade()

	stored := []byte(bob.get("/api/messages/" + id + "/image").body)
	if bytes.Contains(stored, []byte(secret)) {
		t.Errorf("the GPS data survived into the stored PNG")
	}
	if !bytes.Contains(stored, []byte("eXIf")) {
		t.Errorf("the stored PNG lost its eXIf orientation, so it would show turned")
	}

	var inbox struct {
		Messages []struct{ Thumbnail string } `json:"messages"`
	}
	decode(t, bob.get("/api/messages?box=inbox"), &inbox)
	if len(inbox.Messages) != 1 {
		t.Fatalf("the inbox lists %d messages", len(inbox.Messages))
	}
	data, ok := strings.CutPrefix(inbox.Messages[0].Thumbnail, "data:image/jpeg;base64,")
	if !ok {
		t.Fatalf("the preview is %.40q; want a JPEG data URL", inbox.Messages[0].Thumbnail)
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	must(t, err)
	m, err := jpeg.Decode(bytes.NewReader(raw))
	must(t, err)
	b := m.Bounds()
	if b.Dx() <= b.Dy() {
		t.Fatalf("the preview is %v; want it landscape, as the image shows", b)
	}
	at := func(fx, fy int) (r, g, bl uint32) {
		r, g, bl, _ = m.At(b.Min.X+b.Dx()*fx/4, b.Min.Y+b.Dy()*fy/4).RGBA()
		return r >> 8, g >> 8, bl >> 8
	}
	if r, _, bl := at(1, 1); r < 150 || bl > 100 {
		t.Errorf("the preview's top left is not red (%d, _, %d): it lies on its side", r, bl)
	}
	if r, _, bl := at(3, 1); bl < 150 || r > 100 {
		t.Errorf("the preview's top right is not blue (%d, _, %d): it lies on its side", r, bl)
	}
}
