package server

import (
	"html"
	"imageapp/static"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDeleteAsksFirst: a delete posted without confirm=yes (the message
// page's button with JavaScript off) deletes nothing and answers with a
// page that says it deletes the image for both people, with the buttons to
// go on or go back; confirm=yes deletes in one request (scripts).
func TestDeleteAsksFirst(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	id := sendAPI(t, alice, "bob", testPNG(t, 8, 8))

	for _, who := range []struct {
		c           *client
		other, back string
		form        url.Values
	}{
		{bob, "alice", "/inbox", url.Values{"back": {"/inbox"}}},
		{alice, "bob", "/sent", nil},
	} {
		r := who.c.postForm("/messages/"+id+"/delete", who.form)
		body := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(r.body, "")) // the text, names in spans of their own
		if r.status != http.StatusOK || !strings.Contains(body, "Delete this image for both of you?") ||
			!strings.Contains(body, who.other+" and you will no longer be able to see it. This cannot be undone.") {
			t.Fatalf("a delete without confirm=yes: %d %.400s", r.status, body)
		}
		if !strings.Contains(r.body, `name="confirm" value="yes"`) || !strings.Contains(r.body, `<a href="/messages/`+id+`"`) ||
			!strings.Contains(r.body, `name="back" value="`+who.back+`"`) {
			t.Errorf("the confirmation page lacks its Delete form or its Cancel link: %.2000s", r.body)
		}
		if r := bob.get("/messages/" + id); r.status != http.StatusOK {
			t.Fatalf("the message is gone after a delete without confirm=yes: %d", r.status)
		}
	}
	r := bob.postForm("/messages/"+id+"/delete", url.Values{"confirm": {"yes"}})
	if r.status != http.StatusOK || r.url != "/inbox" || !strings.Contains(r.body, "The image was deleted.") {
		t.Fatalf("a delete with confirm=yes: %d at %s", r.status, r.url)
	}
	if r := alice.get("/messages/" + id); r.status != http.StatusGone || !strings.Contains(r.body, "bob deleted this image.") {
		t.Errorf("after bob deleted it alice gets %d; want 410 saying bob deleted it", r.status)
	}
}

// TestMessageDownload: ?download=1 on the image saves it under the file
// name the sender's file had (quoted safely, and exactly as filename*),
// still never cached; without it the image shows inline.
func TestMessageDownload(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	img := testPNG(t, 8, 8)
	r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", `Sé 100%; day.png`, img))
	var sent struct{ Message struct{ ID string } }
	decode(t, r, &sent)
	id := sent.Message.ID

	page := bob.get("/messages/" + id)
	if !strings.Contains(page.body, `href="/messages/`+id+`/image?download=1"`) {
		t.Errorf("the message page has no Download link to ?download=1")
	}
	got := bob.get("/messages/" + id + "/image?download=1")
	want := `attachment; filename="S_ 100__ day.png"; filename*=UTF-8''S%C3%A9%20100%25%3B%20day.png`
	if cd := got.header.Get("Content-Disposition"); cd != want {
		t.Errorf("Content-Disposition = %q, want %q", cd, want)
	}
	if got.body != string(img) || got.header.Get("Cache-Control") != "no-store" {
		t.Errorf("the download: %d bytes, Cache-Control %q", len(got.body), got.header.Get("Cache-Control"))
	}
	if cd := bob.get("/messages/" + id + "/image").header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") {
		t.Errorf("without ?download=1 the image is %q, want inline", cd)
	}
	carol := app.signUp("carol")
	if r := carol.get("/messages/" + id + "/image?download=1"); r.status != http.StatusNotFound {
		t.Errorf("carol downloads bob's image: %d", r.status)
	}
}

// TestMessagePageActions: the recipient can reply to the sender; the
// sender sees when it was sent and whether and when it was opened, each
// labelled.
func TestMessagePageActions(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	id := sendAPI(t, alice, "bob", testPNG(t, 8, 8))

	if body := pageText(alice.get("/messages/" + id).body); !strings.Contains(body, "Sent ") || !strings.Contains(body, "Delivered") {
		t.Errorf("alice's page before bob opened it: %q", body)
	}
	r := bob.get("/messages/" + id)
	if !strings.Contains(r.body, `href="/send?to=alice"`) || !strings.Contains(r.body, "Reply with an image") {
		t.Errorf("bob's page has no reply link to /send?to=alice")
	}
	if body := pageText(alice.get("/messages/" + id).body); !strings.Contains(body, "Opened just now") {
		t.Errorf("alice's page after bob opened it: %q", body)
	}
	if r := alice.get("/messages/" + id); strings.Contains(r.body, "Reply with an image") {
		t.Errorf("the sender is offered to reply to herself")
	}
}

// TestMessageTimesInReaderZone: times are in the zone the tz cookie names,
// and say UTC when there is none (or it is not a zone).
func TestMessageTimesInReaderZone(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	app.signUp("bob")
	id := sendAPI(t, alice, "bob", testPNG(t, 8, 8))

	page := alice.get("/messages/" + id)
	m := regexp.MustCompile(`<time datetime="([^"]+)" data-tz="([^"]+)" data-style="full">([^<]+)</time>`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("the message page has no full <time>: %.3000s", page.body)
	}
	sent, err := time.Parse(time.RFC3339, m[1])
	must(t, err)
	if want := sent.UTC().Format("2 Jan 2006, 15:04 UTC"); m[2] != "UTC" || m[3] != want {
		t.Errorf("without a tz cookie: data-tz %q, text %q; want UTC, %q", m[2], m[3], want)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	must(t, err)
	for value, want := range map[string]string{
		"Asia/Tokyo":   `data-tz="Asia/Tokyo" data-style="full">` + sent.In(tokyo).Format("2 Jan 2006, 15:04 MST"),
		"Local":        `data-tz="UTC" data-style="full">` + sent.UTC().Format("2 Jan 2006, 15:04 UTC"),
		"../../etc":    `data-tz="UTC" data-style="full">`,
		"Mars/Olympus": `data-tz="UTC" data-style="full">`,
	} {
		u, _ := url.Parse(app.server.URL)
		alice.http.Jar.SetCookies(u, []*http.Cookie{{Name: "tz", Value: value, Path: "/"}})
		if r := alice.get("/messages/" + id); !strings.Contains(r.body, want) {
			t.Errorf("with tz=%s the page lacks %q", value, want)
		}
	}
}

// TestFirstVisitPage: the login page says what ImageApp is and what it
// promises, and every page names an SVG favicon served with a year's cache.
func TestFirstVisitPage(t *testing.T) {
	app := startApp(t, t.TempDir())
	r := app.client().get("/")
	if r.url != "/login" {
		t.Fatalf("/ led to %s", r.url)
	}
	text := pageText(r.body)
	for _, promise := range []string{"sends private images", "each recipient's own key", "Not end-to-end",
		"Location and camera details are removed", "Only the sender and the recipient can open"} {
		if !strings.Contains(text, promise) {
			t.Errorf("the login page does not say %q: %q", promise, text)
		}
	}
	// The favicon is inline (a data: URL: no request on a first visit), and
	// served as a file too, for whoever asks for it by name.
	if !regexp.MustCompile(`<link rel="icon" type="image/svg\+xml" href="data:image/svg\+xml,%3Csvg`).MatchString(r.body) {
		t.Fatalf("the page has no inline SVG favicon")
	}
	icon := app.client().get(static.Path("favicon.svg"))
	if icon.status != http.StatusOK || icon.header.Get("Content-Type") != "image/svg+xml" ||
		!strings.Contains(icon.header.Get("Cache-Control"), "max-age=31536000") || !strings.HasPrefix(icon.body, "<svg") {
		t.Errorf("the favicon: %d %q %q %.40q", icon.status, icon.header.Get("Content-Type"), icon.header.Get("Cache-Control"), icon.body)
	}
}

// pageText is a page's text, roughly: tags dropped, entities decoded,
// spaces collapsed.
func pageText(body string) string {
	s := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// TestAssetHeaders: a stylesheet or a script carries nosniff but not the
// headers only a document obeys (they would cost every first visit ~1.3
// KiB for nothing); an SVG, which can be opened as a document, keeps them.
func TestAssetHeaders(t *testing.T) {
	app := startApp(t, t.TempDir())
	c := app.client()
	for _, name := range []string{"app.css", static.Site, "forms.js"} {
		r := c.get(static.Path(name))
		if r.status != http.StatusOK || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, nosniff %q", name, r.status, r.header.Get("X-Content-Type-Options"))
		}
		for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Cross-Origin-Opener-Policy"} {
			if v := r.header.Get(h); v != "" {
				t.Errorf("%s carries %s: %q", name, h, v)
			}
		}
	}
	icon := c.get(static.Path("favicon.svg"))
	if csp := icon.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || icon.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("the SVG lost a document's headers: CSP %q", csp)
	}
	if page := c.get("/login"); page.header.Get("Content-Security-Policy") == "" || page.header.Get("Cross-Origin-Opener-Policy") == "" {
		t.Error("a page lost its document headers")
	}
}
