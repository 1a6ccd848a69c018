package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestADownloadIsNamedForWhatItReallyIs: a real PNG sent as invoice.html,
// drawing.svg, setup.exe or CON downloads with a .png name (and a device
// name made safe) from the page route and from its JSON twin alike, so the
// browser never saves it as a page, a script or a program.
func TestADownloadIsNamedForWhatItReallyIs(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	img := testPNG(t, 8, 8)
	for sent, want := range map[string]string{
		"invoice.html": "invoice.png",
		"drawing.svg":  "drawing.png",
		"setup.exe":    "setup.png",
		"CON":          "_CON.png",
		"lpt1.txt":     "_lpt1.png",
	} {
		id := sendCaptioned(t, alice, "bob", "", sent, img)
		for _, route := range []string{"/messages/", "/api/messages/"} {
			r := bob.get(route + id + "/image?download=1")
			cd := r.header.Get("Content-Disposition")
			if r.status != http.StatusOK || !strings.Contains(cd, `filename="`+want+`"`) || !strings.HasSuffix(cd, "''"+want) {
				t.Errorf("%s…/image?download=1 of a PNG sent as %q: %d, Content-Disposition %q; want it saved as %q",
					route, sent, r.status, cd, want)
			}
		}
	}
}
