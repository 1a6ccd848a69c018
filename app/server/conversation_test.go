package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
)

// countCalls starts the app with every call of the port operation op
// counted (imageapptest.Decrypt: every key unwrap).
func countCalls(t *testing.T, op imageapptest.Op) (*testApp, *atomic.Int64) {
	var n atomic.Int64
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) {
		imageapptest.Wrap(p).Set(func(ctx context.Context, called imageapptest.Op, next func() error) error {
			if called == op {
				n.Add(1)
			}
			return next()
		}, nil)
	})
	return app, &n
}

func sendWithCaption(t *testing.T, from *client, to, caption string) {
	t.Helper()
	r := from.postMultipart("/api/messages", field("to", to), field("caption", caption), file("image", "p.png", testPNG(t, 300, 200)))
	if r.status != http.StatusCreated {
		t.Fatalf("send to %s: %d %s", to, r.status, r.body)
	}
}

// TestConversations: the inbox is one row per person with the newest
// image's preview; a person's page shows both ways, newest last, with a
// reply button; the JSON twin says the same; previews are sealed at rest.
func TestConversations(t *testing.T) {
	app, decrypts := countCalls(t, imageapptest.Decrypt)
	alice, bob, carol := app.signUp("alice"), app.signUp("bob"), app.signUp("carol")
	sendWithCaption(t, alice, "bob", "zebra-first")
	sendWithCaption(t, bob, "alice", "zebra-back")
	sendWithCaption(t, alice, "bob", "zebra-second")
	sendWithCaption(t, carol, "bob", "zebra-carol")

	decrypts.Store(0)
	inbox := bob.get("/inbox")
	if inbox.status != http.StatusOK {
		t.Fatalf("inbox: %d", inbox.status)
	}
	for _, want := range []string{`href="/conversations/alice#latest"`, `href="/conversations/carol#latest"`, "zebra-second", "2 new", "zebra-carol"} {
		if !strings.Contains(inbox.body, want) {
			t.Errorf("bob's inbox lacks %q", want)
		}
	}
	if strings.Contains(inbox.body, "zebra-first") {
		t.Error("bob's inbox shows alice's older image too; one row a person shows the newest")
	}
	if n := strings.Count(inbox.body, `src="data:image/jpeg;base64,`); n != 2 {
		t.Errorf("bob's inbox shows %d thumbnails; want 2, one a person", n)
	}
	if n := decrypts.Load(); n > 1 {
		t.Errorf("an inbox page cost %d key unwraps; want at most 1, whatever its rows", n)
	}

	page := bob.get("/conversations/alice")
	first, back, second := strings.Index(page.body, "zebra-first"), strings.Index(page.body, "zebra-back"), strings.Index(page.body, "zebra-second")
	if page.status != http.StatusOK || first < 0 || !(first < back && back < second) {
		t.Fatalf("bob's conversation with alice: %d, captions at %d, %d, %d; want all three, newest last", page.status, first, back, second)
	}
	if !strings.Contains(page.body, `id="send-form"`) || !strings.Contains(page.body, `name="to" value="alice"`) {
		t.Error("the conversation page has no composer addressed to alice")
	}
	if strings.Contains(page.body, "zebra-carol") {
		t.Error("bob's conversation with alice shows carol's image")
	}

	decrypts.Store(0)
	r := bob.get("/api/conversations/ALICE")
	var reply struct {
		With     struct{ Username string }
		Messages []struct {
			From      struct{ Username string }
			Thumbnail string
			Snippet   string
		}
	}
	if err := json.Unmarshal([]byte(r.body), &reply); err != nil || r.status != http.StatusOK {
		t.Fatalf("GET /api/conversations/ALICE: %d %s (%v)", r.status, r.body, err)
	}
	var got []string
	for _, m := range reply.Messages {
		got = append(got, m.From.Username+":"+m.Snippet)
		jpeg, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(m.Thumbnail, "data:image/jpeg;base64,"))
		if _, format, derr := image.DecodeConfig(bytes.NewReader(jpeg)); err != nil || derr != nil || format != "jpeg" {
			t.Errorf("thumbnail of %q is no JPEG data URL: %.40q", m.Snippet, m.Thumbnail)
		}
	}
	if reply.With.Username != "alice" || strings.Join(got, " ") != "alice:zebra-first bob:zebra-back alice:zebra-second" {
		t.Errorf("conversation JSON with %q: %v", reply.With.Username, got)
	}
	if n := decrypts.Load(); n > 1 {
		t.Errorf("a conversation page cost %d key unwraps; want at most 1", n)
	}

	for path, want := range map[string]int{"/api/conversations/nobody": 404, "/conversations/nobody": 404, "/api/conversations/bob": 404} {
		if r := bob.get(path); r.status != want {
			t.Errorf("GET %s: %d; want %d", path, r.status, want)
		}
	}

	// At rest the previews are ciphertext: no JPEG, no caption in the row.
	rows, err := app.db.Query(`SELECT preview, sender_preview FROM messages`)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var p, sp []byte
		must(t, rows.Scan(&p, &sp))
		for _, sealed := range [][]byte{p, sp} {
			if len(sealed) == 0 || bytes.Contains(sealed, []byte{0xff, 0xd8, 0xff}) || bytes.Contains(sealed, []byte("zebra")) {
				t.Errorf("a stored preview is empty or readable: %.40q", sealed)
			}
		}
	}
	must(t, rows.Err())
}

// TestInboxUnreadFilter: like the React client's All / Unread, the inbox
// page can show only people with new images.
func TestInboxUnreadFilter(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	app.signUp("carol")
	sendWithCaption(t, alice, "bob", "zebra-read")
	id := app.sendDirect("carol", "bob", 1)[0]
	var page struct{ Messages []struct{ ID string } }
	r := bob.get("/api/messages?box=inbox")
	must(t, json.Unmarshal([]byte(r.body), &page))
	for _, m := range page.Messages {
		if m.ID != id {
			bob.get("/api/messages/" + m.ID) // opens alice's image
		}
	}
	all, unread := bob.get("/inbox"), bob.get("/inbox?show=unread")
	if !strings.Contains(all.body, `href="/conversations/alice#latest"`) || !strings.Contains(all.body, `href="/conversations/carol#latest"`) {
		t.Error("the whole inbox lacks alice or carol")
	}
	if strings.Contains(unread.body, `href="/conversations/alice#latest"`) || !strings.Contains(unread.body, `href="/conversations/carol#latest"`) {
		t.Error("the unread inbox should list carol (new) and not alice (opened)")
	}
	if !strings.Contains(unread.body, `href="/inbox?show=unread" aria-current="page"`) {
		t.Error("the unread filter is not marked current")
	}
}
