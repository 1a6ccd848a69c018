package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/views"
)

// albumReply is the answer to a send of several images.
type albumReply struct {
	Message struct {
		ID      string `json:"id"`
		AlbumID string `json:"album_id"`
	} `json:"message"`
	Album *struct {
		ID       string `json:"id"`
		Messages []struct {
			ID      string `json:"id"`
			AlbumID string `json:"album_id"`
		} `json:"messages"`
	} `json:"album"`
}

// storedNothing fails unless the app holds no message, no pending marker
// and no blob file: a refused album left nothing behind.
func (a *testApp) storedNothing() {
	a.t.Helper()
	var messages, pending int
	must(a.t, a.db.QueryRow(`SELECT count(*) FROM messages`).Scan(&messages))
	must(a.t, a.db.QueryRow(`SELECT count(*) FROM pending_blobs`).Scan(&pending))
	blobs, _ := filepath.Glob(filepath.Join(a.dir, "blobs", "*", "*"))
	if messages != 0 || pending != 0 || len(blobs) != 0 {
		a.t.Errorf("a refused send left %d messages, %d pending markers and blobs %v", messages, pending, blobs)
	}
}

// TestAlbumSend: three images in one send (to first, so each streams, and
// the caption after them) are three messages with three data keys and
// blobs under one album ID; the recipient gets one live event and one
// mail for them, and every list carries the album ID.
func TestAlbumSend(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	bobs := bob.stream("/api/events", nil)
	bobs.connected(true)

	r := alice.postMultipart("/api/messages", field("to", "bob"),
		file("image", "one.png", testPNG(t, 8, 8)), file("image", "two.png", testPNG(t, 9, 9)), file("image", "three.png", testPNG(t, 10, 10)),
		field("caption", "the beach"))
	if r.status != http.StatusCreated {
		t.Fatalf("album send: %d %s", r.status, r.body)
	}
	var sent albumReply
	must(t, json.Unmarshal([]byte(r.body), &sent))
	if sent.Album == nil || len(sent.Album.Messages) != 3 || sent.Album.ID == "" || sent.Message.ID != sent.Album.Messages[0].ID {
		t.Fatalf("the answer %s, want an album of 3 whose first is the message", r.body)
	}
	for _, m := range sent.Album.Messages {
		if m.AlbumID != sent.Album.ID {
			t.Errorf("message %s has album %q, want %q", m.ID, m.AlbumID, sent.Album.ID)
		}
	}

	rows, err := app.db.Query(`SELECT id, album_id, wrapped_key FROM messages ORDER BY created_at`)
	must(t, err)
	keys := map[string]bool{}
	var ids []string
	for rows.Next() {
		var id, album string
		var key []byte
		must(t, rows.Scan(&id, &album, &key))
		if album != sent.Album.ID {
			t.Errorf("stored message %s: album %q, want %q", id, album, sent.Album.ID)
		}
		keys[string(key)] = true
		ids = append(ids, id)
		if _, err := os.Stat(filepath.Join(app.dir, "blobs", id[:2], id)); err != nil {
			t.Errorf("blob of %s: %v", id, err)
		}
	}
	must(t, rows.Err())
	rows.Close()
	if len(ids) != 3 || len(keys) != 3 {
		t.Fatalf("stored %d messages with %d distinct data keys, want 3 and 3", len(ids), len(keys))
	}

	e := bobs.expect("inbox", 3*time.Second)
	var d struct {
		Kind, ID, From, Album string
		Images                int
	}
	must(t, json.Unmarshal([]byte(e.data), &d))
	if d.Kind != "message" || d.ID != sent.Message.ID || d.Album != sent.Album.ID || d.Images != 3 {
		t.Errorf("bob's event %s, want one message event for the album of 3", e.data)
	}
	bobs.quiet(1500 * time.Millisecond)
	app.logText() // the mail is sent after the answer
	if mails := app.notificationMails("bob@example.com"); len(mails) != 1 {
		t.Errorf("bob got %d notification mails for one album, want 1", len(mails))
	}

	var inbox struct {
		Messages []struct {
			ID      string `json:"id"`
			AlbumID string `json:"album_id"`
		} `json:"messages"`
	}
	decode(t, bob.get("/api/messages?box=inbox"), &inbox)
	if len(inbox.Messages) != 3 {
		t.Fatalf("bob's inbox lists %d, want 3", len(inbox.Messages))
	}
	for _, m := range inbox.Messages {
		if m.AlbumID != sent.Album.ID {
			t.Errorf("bob's inbox lists %s with album %q, want %q", m.ID, m.AlbumID, sent.Album.ID)
		}
	}
	var opened struct{ Message struct{ Caption string } }
	decode(t, bob.get("/api/messages/"+sent.Message.ID), &opened)
	if opened.Message.Caption != "the beach" {
		t.Errorf("the album's first image has caption %q, want the album's", opened.Message.Caption)
	}
}

// TestAlbumFilesFirst: a script that puts the files before "to" (curl -F
// image=@a -F image=@b -F to=bob) sends the album too; one image alone is
// answered as always, with no album.
func TestAlbumFilesFirst(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, _ := app.signUp("alice"), app.signUp("bob")
	r := alice.postMultipart("/api/messages", file("image", "a.png", testPNG(t, 8, 8)), file("image", "b.png", testPNG(t, 9, 9)), field("to", "bob"))
	var sent albumReply
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &sent) != nil || sent.Album == nil || len(sent.Album.Messages) != 2 {
		t.Fatalf("files-first album: %d %s", r.status, r.body)
	}
	r = alice.postMultipart("/api/messages", field("to", "bob"), file("image", "c.png", testPNG(t, 8, 8)))
	if r.status != http.StatusCreated || strings.Contains(r.body, "album") {
		t.Errorf("a single image's answer: %d %s, want no album in it", r.status, r.body)
	}
}

// TestAlbumRefusedImageStoresNothing: one image that is not one refuses
// the whole send, wherever it is, naming it; nothing is stored. Eleven
// images are one too many.
func TestAlbumRefusedImageStoresNothing(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, _ := app.signUp("alice"), app.signUp("bob")
	good := testPNG(t, 8, 8)
	for _, c := range []struct {
		name  string
		parts []part
		want  string
	}{
		{"second of three", []part{field("to", "bob"), file("image", "a.png", good), file("image", "notes.txt", []byte("not an image at all")), file("image", "c.png", good)},
			"Image 2 (notes.txt) was refused"},
		{"first of two", []part{field("to", "bob"), file("image", "notes.txt", []byte("not an image at all")), file("image", "b.png", good)},
			"Image 1 (notes.txt) was refused"},
		{"files first", []part{file("image", "a.png", good), file("image", "bad.png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)), field("to", "bob")},
			"Image 2 (bad.png) was refused"},
	} {
		r := alice.postMultipart("/api/messages", c.parts...)
		if r.status < 400 || r.status >= 500 || !strings.Contains(r.body, c.want) || !strings.Contains(r.body, "Nothing was sent.") {
			t.Errorf("%s: %d %s, want a refusal saying %q", c.name, r.status, r.body, c.want)
		}
		app.storedNothing()
	}

	parts := []part{field("to", "bob")}
	for i := range 11 {
		parts = append(parts, file("image", fmt.Sprintf("%d.png", i), good))
	}
	r := alice.postMultipart("/api/messages", parts...)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "at most 10 images") {
		t.Errorf("eleven images: %d %s, want a 400 saying at most 10", r.status, r.body)
	}
	app.storedNothing()
	// Ten, files first (spooled until "to" comes), is a whole album.
	r = alice.postMultipart("/api/messages", append(parts[1:11:11], field("to", "bob"))...)
	var sent albumReply
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &sent) != nil || sent.Album == nil || len(sent.Album.Messages) != 10 {
		t.Errorf("ten images, files first: %d %s", r.status, r.body)
	}
}

// TestAlbumCountsEveryImage: the recipient's quota and the sender's send
// budget count each image of an album, not the album once.
func TestAlbumCountsEveryImage(t *testing.T) {
	img := testPNG(t, 8, 8)
	app := startApp(t, t.TempDir(), func(c *Config) { c.QuotaBytes = int64(len(img)) + 1 })
	alice, _ := app.signUp("alice"), app.signUp("bob")
	r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img), file("image", "b.png", img), file("image", "c.png", img))
	if r.status != http.StatusInsufficientStorage || !strings.Contains(r.body, "Image 3 (c.png) was refused") {
		t.Errorf("an album over the quota: %d %s, want a 507 naming image 3", r.status, r.body)
	}
	app.storedNothing()

	app = startApp(t, t.TempDir(), func(c *Config) { c.SendPerMinute = 2 })
	alice, _ = app.signUp("alice"), app.signUp("bob")
	r = alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img), file("image", "b.png", img), file("image", "c.png", img))
	if r.status != http.StatusTooManyRequests {
		t.Errorf("three images on a budget of two sends: %d %s, want a 429", r.status, r.body)
	}
	app.storedNothing()
}

// quiet fails the test if an event (other than comments and retry hints)
// comes within wait.
func (s *sseStream) quiet(wait time.Duration) {
	s.t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				return
			}
			if e.name != "" && e.name != "comment" {
				s.t.Errorf("an event more than the album's one: %s %s", e.name, e.data)
			}
		case <-timer.C:
			return
		}
	}
}

// thirdWriteFails fails the third message write of the app.
type thirdWriteFails struct {
	imageapp.MessageStore
	writes *atomic.Int32
}

func (f thirdWriteFails) CreateMessage(ctx context.Context, m *imageapp.Message) error {
	if f.writes.Add(1) == 3 {
		return errors.New("test: the message store fails this write")
	}
	return f.MessageStore.CreateMessage(ctx, m)
}

// TestAlbumFailingMidwayLeavesNoHalf: when the third of four messages
// cannot be written, the two written are deleted again and every blob
// removed: the send fails and no part of the album stays listed.
func TestAlbumFailingMidwayLeavesNoHalf(t *testing.T) {
	writes := &atomic.Int32{}
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) {
		p.Messages = thirdWriteFails{MessageStore: p.Messages, writes: writes}
	})
	alice, bob := app.signUp("alice"), app.signUp("bob")
	img := testPNG(t, 8, 8)
	r := alice.postMultipart("/api/messages", field("to", "bob"),
		file("image", "a.png", img), file("image", "b.png", img), file("image", "c.png", img), file("image", "d.png", img))
	if r.status != http.StatusInternalServerError {
		t.Errorf("an album whose third write fails: %d %s, want a 500", r.status, r.body)
	}
	if writes.Load() != 3 {
		t.Errorf("%d writes, want 3 (none after the failure)", writes.Load())
	}
	app.storedNothing()
	var inbox struct{ Messages []any }
	decode(t, bob.get("/api/messages?box=inbox"), &inbox)
	if len(inbox.Messages) != 0 {
		t.Errorf("bob's inbox lists %d of a failed album", len(inbox.Messages))
	}
}

// TestAlbumComposerNoJS: the conversation's composer posted without
// JavaScript with three files lands back in the conversation, where the
// album is one item with its three images, and bob's inbox row says it is
// an album; a refused image comes back named, with nothing stored.
func TestAlbumComposerNoJS(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	good := testPNG(t, 8, 8)

	r := alice.postMultipart("/conversations/bob", field("to", "bob"), field("caption", "Three at once"),
		file("image", "a.png", good), file("image", "notes.txt", []byte("not an image at all")), file("image", "c.png", good))
	if r.status < 400 || r.status >= 500 || r.url != "/conversations/bob" || !strings.Contains(r.body, "Image 2 (notes.txt) was refused") {
		t.Errorf("a refused album from the composer: %d at %s, want the conversation naming image 2; body has %q", r.status, r.url, firstAlert(r.body))
	}
	app.storedNothing()

	r = alice.postMultipart("/conversations/bob", field("to", "bob"), field("caption", "Three at once"),
		file("image", "a.png", good), file("image", "b.png", testPNG(t, 9, 9)), file("image", "c.png", testPNG(t, 10, 10)))
	if r.status != http.StatusOK || r.url != "/conversations/bob" {
		t.Fatalf("an album from the composer: %d at %s, want the conversation", r.status, r.url)
	}
	if n := app.messageCount(); n != 3 {
		t.Fatalf("%d messages stored, want 3", n)
	}
	for who, c := range map[string]*client{"alice": alice, "bob": bob} {
		with := map[string]string{"alice": "bob", "bob": "alice"}[who]
		page := c.get("/conversations/" + with).body
		items := regexp.MustCompile(`(?s)<li[^>]*data-album="[^"]+".*?</li>`).FindAllString(page, -1)
		if len(items) != 1 {
			t.Errorf("%s's conversation shows %d album items, want 1", who, len(items))
			continue
		}
		if n := strings.Count(items[0], `id="m-`); n != 3 || !strings.Contains(items[0], "Three at once") {
			t.Errorf("%s's album item links %d images (caption shown: %v), want 3 and the caption", who, n, strings.Contains(items[0], "Three at once"))
		}
		thread := page[strings.Index(page, `id="conversation"`):strings.Index(page, `id="send-panel"`)]
		if n := strings.Count(thread, "<li"); n != 1 {
			t.Errorf("%s's conversation has %d items, want the album alone", who, n)
		}
	}
	r = alice.postMultipart("/send", field("to", "bob"), file("image", "d.png", good), file("image", "e.png", good))
	if r.status != http.StatusOK || r.url != "/sent" || app.messageCount() != 5 || !strings.Contains(r.body, "Images sent, as one album.") {
		t.Errorf("an album from the Send page: %d at %s, %d messages; want /sent saying it sent an album, and 5", r.status, r.url, app.messageCount())
	}
	if inbox := bob.get("/inbox").body; !strings.Contains(inbox, "data-album-tile") || strings.Count(inbox, `id="c-alice"`) != 1 {
		t.Errorf("bob's inbox does not show alice's album as one row with its tile")
	}
	r = alice.postMultipartHTMX("/send", field("to", "bob"), file("image", "f.png", good), file("image", "g.png", good), file("image", "h.png", good))
	if r.status != http.StatusOK || !strings.Contains(r.body, "Sent 3 images to bob.") {
		t.Errorf("an album from the Send page with htmx: %d; the panel does not say how many went to whom", r.status)
	}
	r = alice.postMultipartHTMX("/send", field("to", "bob"), file("image", "i.png", good))
	if r.status != http.StatusOK || !strings.Contains(r.body, "Sent to bob.") {
		t.Errorf("one image from the Send page with htmx: %d; the panel does not say \"Sent to bob.\"", r.status)
	}
}

// TestAlbumViewsLimitIsTheServices: the pages say the service's limit.
func TestAlbumViewsLimitIsTheServices(t *testing.T) {
	if views.MaxAlbumImages != messaging.MaxAlbumImages {
		t.Errorf("the pages say %d images at once, the service takes %d", views.MaxAlbumImages, messaging.MaxAlbumImages)
	}
}

// firstAlert is the text of a page's first role=alert, for a failure's message.
func firstAlert(body string) string {
	m := regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}
