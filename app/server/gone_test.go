package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestGoneMessagesSayWhatHappenedOverHTTP: after a delete, the message
// page, its image and its JSON answer 410 with what happened, in the words
// of whoever asks; a third person gets exactly the 404 of an ID that never
// existed.
func TestGoneMessagesSayWhatHappenedOverHTTP(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob, eve := app.signUp("alice"), app.signUp("bob"), app.signUp("eve")
	_, sent := sendKeep(t, alice, "bob", "keep", testPNG(t, 8, 8), false)
	id := sent.Message.ID
	if r := bob.postForm("/messages/"+id+"/delete", url.Values{"confirm": {"yes"}}); r.status != http.StatusSeeOther && r.status != http.StatusOK {
		t.Fatalf("bob deletes: %d %.200s", r.status, r.body)
	}

	for _, v := range []struct {
		who  *client
		name string
		want string
	}{{bob, "bob", "You deleted this image."}, {alice, "alice", "bob deleted this image."}} {
		page := v.who.get("/messages/" + id)
		if page.status != http.StatusGone || !strings.Contains(page.body, v.want) || strings.Contains(page.body, "Not found") {
			t.Errorf("%s's message page: %d; want 410 saying %q, not 'Not found':\n%.600s", v.name, page.status, v.want, page.body)
		}
		for _, p := range []string{"/messages/" + id + "/image", "/api/messages/" + id + "/image"} {
			if r := v.who.get(p); r.status != http.StatusGone {
				t.Errorf("%s GET %s: %d; want 410", v.name, p, r.status)
			}
		}
		r := v.who.get("/api/messages/" + id)
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(r.body), &e); err != nil || r.status != http.StatusGone || e.Error.Code != "deleted" || e.Error.Message != v.want {
			t.Errorf("%s GET /api/messages/%s: %d %s (%v); want 410 code deleted, %q", v.name, id, r.status, r.body, err, v.want)
		}
	}

	// No oracle: to anybody else, a deleted message and an ID that never
	// existed answer alike, byte for byte in JSON.
	never := "m" + strings.Repeat("0", len(id)-1)
	for _, p := range []string{"/api/messages/%s", "/api/messages/%s/image"} {
		gone, none := eve.get(strings.Replace(p, "%s", id, 1)), eve.get(strings.Replace(p, "%s", never, 1))
		if gone.status != http.StatusNotFound || gone.status != none.status || gone.body != none.body {
			t.Errorf("eve GET %s: %d %s; an unknown ID: %d %s; want the same 404", p, gone.status, gone.body, none.status, none.body)
		}
	}
	gone, none := eve.get("/messages/"+id), eve.get("/messages/"+never)
	// The live stream's resume point is the clock at render, so it is left out.
	since := regexp.MustCompile(`since=[0-9]+`)
	a, b := since.ReplaceAllString(strings.ReplaceAll(gone.body, id, ""), ""), since.ReplaceAllString(strings.ReplaceAll(none.body, never, ""), "")
	if gone.status != http.StatusNotFound || a != b {
		at := 0
		for at < len(a) && at < len(b) && a[at] == b[at] {
			at++
		}
		t.Errorf("eve's message page of a deleted message: %d; want the page of an unknown ID; they part at byte %d:\n%.300s\n---\n%.300s", gone.status, at, a[max(at-100, 0):], b[max(at-100, 0):])
	}
}
