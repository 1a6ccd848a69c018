package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

type sentReplyJSON struct {
	Message struct {
		ID        string  `json:"id"`
		ViewOnce  bool    `json:"view_once"`
		ExpiresAt *string `json:"expires_at"`
	} `json:"message"`
}

func sendKeep(t *testing.T, c *client, to, keep string, img []byte, keepLast bool) (response, sentReplyJSON) {
	t.Helper()
	parts := []part{field("to", to), field("keep", keep), file("image", "p.png", img)}
	if keepLast { // a script may put the field after the file
		parts = []part{field("to", to), file("image", "p.png", img), field("keep", keep)}
	}
	r := c.postMultipart("/api/messages", parts...)
	var out sentReplyJSON
	if r.status == http.StatusCreated {
		must(t, json.Unmarshal([]byte(r.body), &out))
	}
	return r, out
}

// TestViewOnceOverHTTP: a view-once image shows "opens once" and a POST
// button; no GET reveals it; the POST shows it once, then it is gone.
func TestViewOnceOverHTTP(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	img := testPNG(t, 30, 20)
	for _, path := range []string{"page", "api"} {
		_, sent := sendKeep(t, alice, "bob", "once", img, path == "api")
		id := sent.Message.ID
		if !sent.Message.ViewOnce {
			t.Fatalf("the send reply says view_once %v", sent.Message.ViewOnce)
		}
		page := bob.get("/messages/" + id)
		if !strings.Contains(page.body, "This image opens once.") || !strings.Contains(page.body, `action="/messages/`+id+`/view"`) ||
			strings.Contains(page.body, "/messages/"+id+"/image") {
			t.Fatalf("bob's page of a view-once image: want the notice and a POST form, no image link:\n%s", page.body)
		}
		for _, p := range []string{"/messages/" + id + "/image", "/api/messages/" + id + "/image", "/messages/" + id + "/view"} {
			if r := bob.get(p); r.status == http.StatusOK {
				t.Errorf("GET %s answered 200: a GET must never use up the one view", p)
			}
		}
		if r := alice.postForm("/messages/"+id+"/view", nil); r.status != http.StatusNotFound {
			t.Errorf("the sender's view: %d; want 404", r.status)
		}
		var shown []byte
		if path == "page" {
			r := bob.postForm("/messages/"+id+"/view", nil)
			m := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindStringSubmatch(r.body)
			if r.status != http.StatusOK || m == nil {
				t.Fatalf("POST /messages/%s/view: %d, no image in the page", id, r.status)
			}
			shown, _ = base64.StdEncoding.DecodeString(m[1])
		} else {
			r := bob.postJSON("/api/messages/"+id+"/view", nil)
			var v struct {
				Message struct{ ID string }
				Image   string
			}
			if err := json.Unmarshal([]byte(r.body), &v); err != nil || r.status != http.StatusOK || v.Message.ID != id {
				t.Fatalf("POST /api/messages/%s/view: %d %.200s (%v)", id, r.status, r.body, err)
			}
			shown, _ = base64.StdEncoding.DecodeString(strings.TrimPrefix(v.Image, "data:image/png;base64,"))
		}
		if !bytes.Equal(shown, img) {
			t.Errorf("%s view showed %d bytes; want the %d sent", path, len(shown), len(img))
		}
		for _, r := range []response{bob.postForm("/messages/"+id+"/view", nil), bob.get("/api/messages/" + id)} {
			if r.status != http.StatusGone || !strings.Contains(r.body, "viewed once and is gone") {
				t.Errorf("after its one view: %s %d; want 410 'viewed once'", r.url, r.status)
			}
		}
	}
}

// TestExpiryOverHTTP: keep=1h (even after the file) sets expires_at; an
// hour on, neither party can open it or find it in a list.
func TestExpiryOverHTTP(t *testing.T) {
	clk := newClock()
	app := startApp(t, t.TempDir(), withClock(clk))
	alice, bob := app.signUp("alice"), app.signUp("bob")
	_, sent := sendKeep(t, alice, "bob", "1h", testPNG(t, 8, 8), true)
	at, err := time.Parse(time.RFC3339, deref(sent.Message.ExpiresAt))
	if err != nil || at.Sub(clk.Now()) < 59*time.Minute || at.Sub(clk.Now()) > 61*time.Minute {
		t.Fatalf("expires_at %v (%v); want an hour from now", sent.Message.ExpiresAt, err)
	}
	if r := bob.get("/api/messages/" + sent.Message.ID); r.status != http.StatusOK {
		t.Fatalf("before the hour: %d", r.status)
	}
	if r, _ := sendKeep(t, alice, "bob", "forever", testPNG(t, 8, 8), false); r.status != http.StatusBadRequest || !strings.Contains(r.body, "1h, 1d, 7d or once") {
		t.Errorf("keep=forever: %d %s; want 400 naming the choices", r.status, r.body)
	}
	clk.Add(time.Hour + time.Second)
	// The first to ask learns it expired, and that shreds it, leaving a
	// tombstone: both of them keep learning that it expired.
	if r := bob.get("/api/messages/" + sent.Message.ID); r.status != http.StatusGone || !strings.Contains(r.body, `"code":"expired"`) {
		t.Errorf("after the hour: %d %s; want 410 'expired'", r.status, r.body)
	}
	if r := alice.get("/api/messages/" + sent.Message.ID); r.status != http.StatusGone || !strings.Contains(r.body, "This image expired") {
		t.Errorf("after the hour, the sender: %d %s; want 410 'expired'", r.status, r.body)
	}
	if r := bob.get("/api/messages?box=inbox"); strings.Contains(r.body, sent.Message.ID) {
		t.Error("the expired message is still listed")
	}
	if r := bob.get("/conversations/alice"); strings.Contains(r.body, sent.Message.ID) {
		t.Error("the expired message is still in the conversation")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestShreddedKeyLeavesTheDatabaseFile: a deleted message's wrapped data
// key is overwritten in the SQLite file (secure_delete), not left in a
// free page for anyone with a copy of the file and the master key.
func TestShreddedKeyLeavesTheDatabaseFile(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	_, sent := sendKeep(t, alice, "bob", "keep", testPNG(t, 8, 8), false)
	var wrapped []byte
	must(t, app.db.QueryRow(`SELECT wrapped_key FROM messages WHERE id = ?`, sent.Message.ID).Scan(&wrapped))
	if r := bob.delete("/api/messages/" + sent.Message.ID); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d", r.status)
	}
	if _, err := app.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"imageapp.db", "imageapp.db-wal"} {
		raw, err := os.ReadFile(filepath.Join(app.dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, wrapped) {
			t.Errorf("%s still holds the deleted message's wrapped key", name)
		}
	}
}
