package server

import (
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"imageapp/app/imageapptest"
)

// TestSendFormStatesTheLimits: the send form carries the upload limits as
// data- attributes, the same numbers and types /api/me states, for its
// script to check a file before uploading it; and its caption comes before
// its file, so a browser posts it first (the server has it when the file
// fails).
func TestSendFormStatesTheLimits(t *testing.T) {
	a := startApp(t, t.TempDir(), func(c *Config) { c.MaxUploadBytes = 3 << 20 })
	alice := a.signUp("alice")
	var me struct {
		Limits struct {
			MaxUploadBytes int64    `json:"max_upload_bytes"`
			ImageTypes     []string `json:"image_types"`
		} `json:"limits"`
	}
	decode(t, alice.get("/api/me"), &me)
	page := alice.get("/send").body
	for _, want := range []string{
		`data-max-bytes="` + strconv.FormatInt(me.Limits.MaxUploadBytes, 10) + `"`,
		`data-types="` + strings.Join(me.Limits.ImageTypes, ",") + `"`,
		`data-max-label="3 MiB"`,
		`accept="` + strings.Join(me.Limits.ImageTypes, ",") + `"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the send form lacks %s (from /api/me's limits)", want)
		}
	}
	if c, f := strings.Index(page, `name="caption"`), strings.Index(page, `name="image"`); c < 0 || f < 0 || c > f {
		t.Errorf("the caption field (at %d) must come before the file field (at %d)", c, f)
	}
	if !strings.Contains(page, "location and camera data are removed") || !strings.Contains(page, "not end-to-end encrypted") {
		t.Errorf("the form does not say what happens to the image")
	}
}

// TestSendFormKeepsCaptionWithoutJS: a send the server refuses (an unknown
// recipient, a file over the limit) comes back, without JavaScript, with
// the caption still typed in and a plain word that the image must be
// chosen again.
func TestSendFormKeepsCaptionWithoutJS(t *testing.T) {
	a := startApp(t, t.TempDir(), func(c *Config) { c.MaxUploadBytes = 64 << 10 })
	alice := a.signUp("alice")
	a.signUp("bob")
	for _, tc := range []struct {
		name, to string
		img      []byte
		status   int
	}{
		{"an unknown recipient", "nobody", testPNG(t, 8, 8), http.StatusNotFound},
		{"a file over the limit", "bob", imageapptest.NoisePNGOfSize(100<<10, 1), http.StatusRequestEntityTooLarge},
		{"a file that is not an image", "bob", []byte("just text, not an image"), http.StatusUnsupportedMediaType},
	} {
		caption := "Sea & <sun> for " + tc.name
		// Field order as the form has it: to, caption, image.
		r := alice.postMultipart("/send", field("to", tc.to), field("caption", caption), file("image", "a.png", tc.img))
		if r.status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, r.status, tc.status)
		}
		if !strings.Contains(r.body, ">"+html.EscapeString(caption)+"</textarea>") {
			t.Errorf("%s: the page lost the caption", tc.name)
		}
		if !strings.Contains(r.body, "Choose the image again") {
			t.Errorf("%s: the page does not say to choose the image again", tc.name)
		}
	}
	if r := alice.get("/send"); strings.Contains(r.body, "Choose the image again") {
		t.Errorf("a fresh form asks to choose the image again")
	}
}
