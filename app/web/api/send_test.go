package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// sendMessaging is the messaging service as a send reaches it: it reads
// each image the upload hands it and stores one message per image, an
// album when there are several; replay answers every key as sent already.
type sendMessaging struct {
	fakeMessaging
	replay *imageapp.Message // a first send's message: SendOnce answers it, replayed
	refuse error             // SendAlbum's refusal, once the images are read
	keys   []string          // the Idempotency-Keys SendOnce saw
	to     string
	text   string   // the caption, however it came
	images []string // "name:bytes", in order
}

func (f *sendMessaging) SendOnce(_ context.Context, _ imageapp.User, key string, send func() (*imageapp.Message, error)) (*imageapp.Message, bool, error) {
	f.keys = append(f.keys, key)
	if f.replay != nil {
		return f.replay, true, nil
	}
	m, err := send()
	return m, false, err
}

func (f *sendMessaging) SendAlbum(_ context.Context, from imageapp.User, in messaging.AlbumInput) ([]*imageapp.Message, error) {
	f.to, f.text = in.To, in.Caption
	for {
		name, body, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		f.images = append(f.images, name+":"+string(b))
	}
	if in.Rest != nil {
		rest, err := in.Rest()
		if err != nil {
			return nil, err
		}
		f.text = rest.Caption
	}
	if f.refuse != nil {
		return nil, f.refuse
	}
	at := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	var out []*imageapp.Message
	for i := range f.images {
		m := &imageapp.Message{ID: fmt.Sprintf("m-%d", i+1), SenderID: from.ID, SenderName: from.Username, RecipientID: "u-" + in.To,
			RecipientName: in.To, CreatedAt: at, ContentType: "image/png", Size: 7}
		if len(f.images) > 1 {
			m.AlbumID = "a-1"
		}
		out = append(out, m)
	}
	return out, nil
}

func sendWith(m *sendMessaging, r *http.Request) *httptest.ResponseRecorder {
	return webtest.Serve(newHandlers(nil, m).Send, r)
}

// TestSendAnswersTheMessage: a send of one image is 201 with the stored
// message, from bob to the recipient, and no album; the service got the
// recipient, the caption and the image's name and bytes.
func TestSendAnswersTheMessage(t *testing.T) {
	m := &sendMessaging{}
	w := sendWith(m, webtest.Upload("/api/messages", webtest.Field("to", "alice"), webtest.Field("caption", "hi there"), webtest.File("image", "cat.png", "PNGDATA")))
	want := `{"message":{"id":"m-1","from":{"id":"u-bob","username":"bob"},"to":{"id":"u-alice","username":"alice"},"sent_at":"2026-12-07T15:04:00Z",` +
		`"read_at":null,"content_type":"image/png","size":7,"view_once":false,"expires_at":null,"request":false}}`
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusCreated || got != want {
		t.Errorf("status %d, body %s; want 201, %s", w.Code, got, want)
	}
	if m.to != "alice" || m.text != "hi there" || len(m.images) != 1 || m.images[0] != "cat.png:PNGDATA" {
		t.Errorf("the service got to %q, caption %q, images %q", m.to, m.text, m.images)
	}
}

// TestSendTakesTheFileBeforeTheRecipient: a script that puts the image
// before "to" (curl -F image=@x -F to=alice) sends all the same.
func TestSendTakesTheFileBeforeTheRecipient(t *testing.T) {
	m := &sendMessaging{}
	w := sendWith(m, webtest.Upload("/api/messages", webtest.File("image", "cat.png", "PNGDATA"), webtest.Field("caption", "late"), webtest.Field("to", "alice")))
	if w.Code != http.StatusCreated || m.to != "alice" || m.text != "late" || len(m.images) != 1 || m.images[0] != "cat.png:PNGDATA" {
		t.Errorf("status %d; the service got to %q, caption %q, images %q: %s", w.Code, m.to, m.text, m.images, w.Body)
	}
}

// TestSendAnswersTheAlbum: a send of several images answers the first as
// "message" and every one, in order, under "album" with its ID.
func TestSendAnswersTheAlbum(t *testing.T) {
	m := &sendMessaging{}
	w := sendWith(m, webtest.Upload("/api/messages", webtest.Field("to", "alice"), webtest.File("image", "a.png", "A"), webtest.File("image", "b.png", "B"), webtest.File("image", "c.png", "C")))
	var reply struct {
		Message struct{ ID string }
		Album   *struct {
			ID       string
			Messages []struct {
				ID      string
				AlbumID string `json:"album_id"`
			}
		}
	}
	decode(t, w, &reply)
	if w.Code != http.StatusCreated || reply.Message.ID != "m-1" || reply.Album == nil || reply.Album.ID != "a-1" || len(reply.Album.Messages) != 3 ||
		reply.Album.Messages[2].ID != "m-3" || reply.Album.Messages[2].AlbumID != "a-1" {
		t.Errorf("status %d, body %s; want the first message and the album of three", w.Code, w.Body)
	}
	if strings.Join(m.images, ",") != "a.png:A,b.png:B,c.png:C" {
		t.Errorf("the service got %q", m.images)
	}
}

// TestSendRefusesAnUploadItCannotRead: what is not a multipart upload, one
// without an image, a field too long, an image over the limit or a body cut
// off is refused with its status and a message that says what to do; the
// service stores nothing and nothing is a 500.
func TestSendRefusesAnUploadItCannotRead(t *testing.T) {
	form := httptest.NewRequest(http.MethodPost, "/api/messages", strings.NewReader("to=alice"))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cut := webtest.Upload("/api/messages", webtest.Field("to", "alice"), webtest.File("image", "cat.png", "PNGDATA"))
	b, _ := io.ReadAll(cut.Body)
	cut.Body = io.NopCloser(bytes.NewReader(b[:len(b)-20])) // no closing boundary
	cut.ContentLength = int64(len(b) - 20)
	for _, c := range []struct {
		name   string
		r      *http.Request
		status int
		says   string
	}{
		{"a form", web.AsUser(form, bob, "s-1", time.Now()), http.StatusBadRequest, "multipart/form-data"},
		{"no image", webtest.Upload("/api/messages", webtest.Field("to", "alice"), webtest.Field("caption", "hi")), http.StatusBadRequest, "Choose an image to send."},
		{"a caption too long", webtest.Upload("/api/messages", webtest.Field("to", "alice"), webtest.Field("caption", strings.Repeat("x", 5000)), webtest.File("image", "cat.png", "PNG")),
			http.StatusBadRequest, "The caption field is too long."},
		{"an image over the limit", webtest.Upload("/api/messages", webtest.Field("to", "alice"), webtest.File("image", "big.png", strings.Repeat("x", 1<<20+1))),
			http.StatusRequestEntityTooLarge, "larger than the 1 MiB limit"},
		{"a body cut off", cut, http.StatusBadRequest, "cut off or malformed"},
	} {
		m := &sendMessaging{}
		w := sendWith(m, c.r)
		if _, msg := apiError(t, w); w.Code != c.status || !strings.Contains(msg, c.says) {
			t.Errorf("%s: %d %q; want %d saying %q", c.name, w.Code, msg, c.status, c.says)
		}
		if len(m.images) != 0 {
			t.Errorf("%s: the service got the images %q", c.name, m.images)
		}
	}
}

// TestSendPassesTheServicesRefusal: a refusal of the service (no such
// recipient) is its status and its words, in the error shape.
func TestSendPassesTheServicesRefusal(t *testing.T) {
	w := sendWith(&sendMessaging{refuse: imageapp.ErrNoSuchUser()}, webtest.Upload("/api/messages", webtest.Field("to", "nobody"), webtest.File("image", "cat.png", "PNG")))
	if code, msg := apiError(t, w); w.Code != http.StatusNotFound || code != imageapp.ENOTFOUND || msg != "There is no such user." {
		t.Errorf("%d %s %q; want 404 not_found with the service's words", w.Code, code, msg)
	}
}

// TestSendReplayIsMarked: a send with an Idempotency-Key the service has
// seen answers the first send's message with Idempotent-Replayed: true,
// without reading the upload again; a new key is not marked.
func TestSendReplayIsMarked(t *testing.T) {
	first := &imageapp.Message{ID: "m-first", SenderID: bob.ID, SenderName: "bob", RecipientID: alice.ID, RecipientName: "alice"}
	m := &sendMessaging{replay: first}
	r := webtest.Upload("/api/messages", webtest.Field("to", "alice"), webtest.File("image", "cat.png", "PNG"))
	r.Header.Set("Idempotency-Key", "k-123")
	w := sendWith(m, r)
	if w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "true" || !strings.Contains(w.Body.String(), `"id":"m-first"`) {
		t.Errorf("a replay: %d, Idempotent-Replayed %q, %s; want 201 marked with the first message", w.Code, w.Header().Get("Idempotent-Replayed"), w.Body)
	}
	if len(m.keys) != 1 || m.keys[0] != "k-123" || len(m.images) != 0 {
		t.Errorf("keys %q, images read %q; want the key passed and no image read", m.keys, m.images)
	}

	m = &sendMessaging{}
	r = webtest.Upload("/api/messages", webtest.Field("to", "alice"), webtest.File("image", "cat.png", "PNG"))
	r.Header.Set("Idempotency-Key", "k-new")
	if w := sendWith(m, r); w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "" {
		t.Errorf("a first send: %d, Idempotent-Replayed %q; want 201 unmarked", w.Code, w.Header().Get("Idempotent-Replayed"))
	}
}
