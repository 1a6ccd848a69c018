package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"testing"

	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

func TestBrowserPreviewsShowWhatPeopleSee(t *testing.T) {
	previewsFlow(t, "previews-htmx", false, false)
}
func TestBrowserPreviewsShowWhatPeopleSeeNoJS(t *testing.T) {
	previewsFlow(t, "previews-nojs", true, false)
}
func TestBrowserReactPreviewsShowWhatPeopleSee(t *testing.T) {
	previewsFlow(t, "previews-react", false, true)
}

// previewsFlow: a portrait photo as a phone stores it (its sensor's
// landscape pixels, EXIF orientation 6) has an upright preview, its red
// corner where the browser shows it in the full image; an 8000×600
// panorama has a preview that is neither a sliver nor a smear. Both in
// bob's conversation with alice, as the pages and the React client show it.
func previewsFlow(t *testing.T, flow string, jsOff, react bool) {
	var app *testApp
	var b *browserEnv
	if react {
		b = startReactBrowser(t, flow)
		app = b.app
	} else {
		app = startApp(t, t.TempDir())
		b = startBrowser(t, app, flow)
	}
	alice, bob := b.newTab("alice", jsOff), b.newTab("bob", jsOff)
	if react {
		reactSignUp(alice, "alice", false)
		reactSignUp(bob, "bob", false)
	} else {
		pagesSignUp(alice, "alice", false)
		pagesSignUp(bob, "bob", false)
	}
	// The sensor's pixels: landscape, red in their top-left corner. Turned
	// by orientation 6 (90° clockwise), that corner is the top right.
	sensor := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := range 600 {
		for x := range 800 {
			c := color.RGBA{40, 90, 160, 255}
			if x < 200 && y < 150 {
				c = color.RGBA{220, 30, 30, 255}
			}
			sensor.Set(x, y, c)
		}
	}
	app.sendImage("alice", "bob", "Portrait from my phone", imageapptest.JPEGWithOrientation(sensor, 6))
	app.sendImage("alice", "bob", "The whole bay", imageapptest.NoisePNG(8000, 600, 3))

	sel := `#conversation img[src^="data:image/jpeg"]`
	if react {
		bob.visit("/react/#/conversations/alice", `ol[aria-label="Images with alice"] img`)
		sel = `ol[aria-label="Images with alice"] img`
		bob.waitJS("the thumbnails load", `[...document.querySelectorAll('`+sel+`')].length === 2 && [...document.querySelectorAll('`+sel+`')].every((i) => i.complete && i.naturalWidth > 0)`)
	} else {
		bob.visit("/conversations/alice", sel)
	}
	var got []struct {
		W, H           int
		TopRight, TopL []int
	}
	raw := evalAs[[]byte](bob, "read the previews", `(() => [...document.querySelectorAll('`+sel+`')].map((img) => {
		const c = document.createElement('canvas');
		c.width = img.naturalWidth; c.height = img.naturalHeight;
		const g = c.getContext('2d'); g.drawImage(img, 0, 0);
		const px = (x, y) => [...g.getImageData(x, y, 1, 1).data].slice(0, 3);
		return {w: img.naturalWidth, h: img.naturalHeight, topRight: px(img.naturalWidth - 4, 4), topL: px(4, 4)};
	}))()`)
	if err := json.Unmarshal(raw, &got); err != nil || len(got) != 2 {
		t.Fatalf("the conversation's previews: %s (%v); want two", raw, err)
	}
	portrait, panorama := got[0], got[1]
	if portrait.H <= portrait.W {
		t.Errorf("the phone's portrait photo has a %d×%d preview; want it upright (taller than wide)", portrait.W, portrait.H)
	}
	if !reddish(portrait.TopRight) || reddish(portrait.TopL) {
		t.Errorf("the portrait's preview has %v at its top right and %v at its top left; want the red corner at the top right, as the browser shows the photo", portrait.TopRight, portrait.TopL)
	}
	if panorama.W > 2*panorama.H || panorama.H < 60 {
		t.Errorf("the panorama's preview is %d×%d; want at most 2:1 and no sliver", panorama.W, panorama.H)
	}
	bob.check("conversation with previews", "conversation-previews")
}

func reddish(rgb []int) bool { return len(rgb) == 3 && rgb[0] > 150 && rgb[1] < 100 && rgb[2] < 100 }

// sendImage sends img with a caption through the service and waits for its preview.
func (a *testApp) sendImage(from, to, caption string, img []byte) {
	a.t.Helper()
	sender, err := a.backend.Users.UserByUsername(context.Background(), from)
	must(a.t, err)
	_, err = a.app.Messaging().Send(context.Background(), sender, messaging.SendInput{To: to, Caption: caption, Body: bytes.NewReader(img)})
	must(a.t, err)
	a.previewsMade()
}
