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

// TestAnExportNamesEachImageForWhatItReallyIs: in the export's zip, a PNG
// sent as invoice.html is a .png entry, and no entry takes its name or
// extension from what the sender called the file.
func TestAnExportNamesEachImageForWhatItReallyIs(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	sendCaptioned(t, alice, "bob", "", "invoice.html", testPNG(t, 8, 8))
	sendCaptioned(t, alice, "bob", "", "CON", testPNG(t, 9, 9))

	r := bob.postForm("/api/me/export", nil)
	if r.status != http.StatusOK {
		t.Fatalf("export: %d %.200s", r.status, r.body)
	}
	files, _ := openExport(t, []byte(r.body))
	images := 0
	for name := range files {
		if name == "index.json" || name == "decrypt-record.json" {
			continue
		}
		images++
		if !strings.HasPrefix(name, "received/") || !strings.HasSuffix(name, ".png") || strings.Contains(strings.ToLower(name), "invoice") || strings.Contains(name, "CON") {
			t.Errorf("the zip has %q; want received/<time>_<id>.png", name)
		}
	}
	if images != 2 {
		t.Errorf("the zip holds %d images; want 2", images)
	}
}
