package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web/webtest"
)

// mailboxMessaging is a mailbox: the page List answers, the message Open
// answers, and err for every call that reads or deletes a message; it
// records what was asked.
type mailboxMessaging struct {
	fakeMessaging
	page     imageapp.MessagePage
	previews map[string]messaging.Preview
	unread   int
	opened   *messaging.Opened
	image    *messaging.Image // what OpenImage and ViewOnce hand on
	err      error
	queries  []imageapp.MessageQuery
	asked    []string // the IDs opened, viewed once or deleted
	deleted  []string
}

func (f *mailboxMessaging) List(_ context.Context, _ imageapp.User, q imageapp.MessageQuery) (imageapp.MessagePage, error) {
	f.queries = append(f.queries, q)
	return f.page, f.err
}

func (f *mailboxMessaging) UnreadCount(context.Context, imageapp.User) (int, error) {
	return f.unread, nil
}

func (f *mailboxMessaging) Previews(context.Context, imageapp.User, []*imageapp.Message, ...messaging.Access) map[string]messaging.Preview {
	return f.previews
}

func (f *mailboxMessaging) Open(_ context.Context, _ imageapp.User, id string, _ ...messaging.Access) (*messaging.Opened, error) {
	f.asked = append(f.asked, id)
	return f.opened, f.err
}

func (f *mailboxMessaging) OpenImage(_ context.Context, _ imageapp.User, id string, _ ...messaging.Access) (*messaging.Image, error) {
	f.asked = append(f.asked, id)
	if f.err != nil {
		return nil, f.err
	}
	return f.image, nil
}

func (f *mailboxMessaging) ViewOnce(_ context.Context, _ imageapp.User, id string, _ ...messaging.Access) (*messaging.Opened, *messaging.Image, error) {
	f.asked = append(f.asked, id)
	if f.err != nil {
		return nil, nil, f.err
	}
	return f.opened, f.image, nil
}

func (f *mailboxMessaging) Delete(_ context.Context, _ imageapp.User, id string) error {
	f.asked = append(f.asked, id)
	if f.err == nil {
		f.deleted = append(f.deleted, id)
	}
	return f.err
}

// TestMessagesLimitMustBePositive: a limit that is not a positive whole
// number is a 400 that says so, before the mailbox is read.
func TestMessagesLimitMustBePositive(t *testing.T) {
	for _, bad := range []string{"0", "-2", "ten", "1.5"} {
		m := &mailboxMessaging{}
		w := webtest.Serve(newHandlers(nil, m).Messages, bobWith(http.MethodGet, "/api/messages?limit="+bad, "", ""))
		if _, msg := apiError(t, w); w.Code != http.StatusBadRequest || msg != "limit must be a positive whole number." || len(m.queries) != 0 {
			t.Errorf("limit=%s: %d %q, %d reads; want 400 saying so, no read", bad, w.Code, msg, len(m.queries))
		}
	}
}

// TestMessagesPassesTheQueryOn: box, status, cursor and limit reach the
// mailbox as asked; the answer is the page's messages with their previews,
// the next cursor and the unread count, a request marked only for its
// recipient.
func TestMessagesPassesTheQueryOn(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	m := &mailboxMessaging{
		page: imageapp.MessagePage{Messages: []*imageapp.Message{
			{ID: "m-1", SenderID: alice.ID, SenderName: "alice", RecipientID: bob.ID, RecipientName: "bob", CreatedAt: at, Request: true},
			{ID: "m-2", SenderID: bob.ID, SenderName: "bob", RecipientID: alice.ID, RecipientName: "alice", CreatedAt: at, Request: true},
		}, Next: "c-2"},
		previews: map[string]messaging.Preview{"m-1": {Caption: "the beach"}},
		unread:   4,
	}
	w := webtest.Serve(newHandlers(nil, m).Messages, bobWith(http.MethodGet, "/api/messages?box=sent&status=unread&cursor=c-1&limit=5", "", ""))
	var reply struct {
		Messages []struct {
			ID      string
			From    struct{ Username string }
			Snippet string
			Request bool
		}
		NextCursor string `json:"next_cursor"`
		Unread     int
	}
	decode(t, w, &reply)
	if want := (imageapp.MessageQuery{Box: "sent", Status: "unread", Cursor: "c-1", Limit: 5}); len(m.queries) != 1 || m.queries[0] != want {
		t.Errorf("the mailbox was asked %+v; want %+v", m.queries, want)
	}
	if w.Code != http.StatusOK || len(reply.Messages) != 2 || reply.Messages[0].From.Username != "alice" || reply.Messages[0].Snippet != "the beach" ||
		!reply.Messages[0].Request || reply.Messages[1].Request || reply.NextCursor != "c-2" || reply.Unread != 4 {
		t.Errorf("status %d, reply %s", w.Code, w.Body)
	}
}

// TestMessagesBadBoxIsA400: a box, status or cursor the mailbox refuses is
// a 400 with its words, never a 500; an empty mailbox is an empty list.
func TestMessagesBadBoxIsA400(t *testing.T) {
	m := &mailboxMessaging{err: imageapp.Errorf(imageapp.EINVALID, "box must be inbox or sent.")}
	w := webtest.Serve(newHandlers(nil, m).Messages, bobWith(http.MethodGet, "/api/messages?box=trash", "", ""))
	if code, msg := apiError(t, w); w.Code != http.StatusBadRequest || code != imageapp.EINVALID || msg != "box must be inbox or sent." || m.queries[0].Box != "trash" {
		t.Errorf("box=trash: %d %s %q; want 400 with the mailbox's words", w.Code, code, msg)
	}
	m = &mailboxMessaging{err: imageapp.ErrBadPageLink()}
	w = webtest.Serve(newHandlers(nil, m).Messages, bobWith(http.MethodGet, "/api/messages?cursor=forged", "", ""))
	if _, msg := apiError(t, w); w.Code != http.StatusBadRequest || !strings.Contains(msg, "Go back to the first page") {
		t.Errorf("a forged cursor: %d %q", w.Code, msg)
	}
	w = webtest.Serve(newHandlers(nil, &mailboxMessaging{}).Messages, bobWith(http.MethodGet, "/api/messages", "", ""))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"messages":[],"next_cursor":"","unread":0}` {
		t.Errorf("an empty mailbox: %d %s", w.Code, got)
	}
}

// TestOpenTellsGoneFromNotFound: a message that never was (or is not
// bob's) is a 404; one that is gone is a 410 whose code says how, for the
// message and its image alike.
func TestOpenTellsGoneFromNotFound(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		code   string
	}{
		{imageapp.ErrNoSuchMessage(), http.StatusNotFound, imageapp.ENOTFOUND},
		{imageapp.ErrGone(imageapp.GoneDeletedBySender, "alice deleted this image."), http.StatusGone, imageapp.EDELETED},
		{imageapp.ErrGone(imageapp.GoneViewedOnce, "This image was viewed once and is gone."), http.StatusGone, imageapp.EVIEWEDONCE},
		{imageapp.ErrGone(imageapp.GoneExpired, "This image expired."), http.StatusGone, imageapp.EEXPIRED},
	} {
		for name, target := range map[string]string{"message": "/api/messages/m-9", "image": "/api/messages/m-9/image"} {
			m := &mailboxMessaging{err: c.err}
			h := newHandlers(nil, m)
			handler := h.Message
			if name == "image" {
				handler = h.MessageImage
			}
			w := webtest.Serve(handler, webtest.WithParam(bobWith(http.MethodGet, target, "", ""), "id", "m-9"))
			if code, msg := apiError(t, w); w.Code != c.status || code != c.code || msg != imageapp.ErrorMessage(c.err) || len(m.asked) != 1 || m.asked[0] != "m-9" {
				t.Errorf("%s, %v: %d %s %q, asked %q; want %d %s", name, c.err, w.Code, code, msg, m.asked, c.status, c.code)
			}
		}
	}
}

// TestOpenAnswersTheCaption: an opened message has its caption and file
// name and the URL of its image; a view-once one has no image URL, since
// only POST …/view shows it.
func TestOpenAnswersTheCaption(t *testing.T) {
	msg := &imageapp.Message{ID: "m-1", SenderID: alice.ID, SenderName: "alice", RecipientID: bob.ID, RecipientName: "bob"}
	m := &mailboxMessaging{opened: &messaging.Opened{Message: msg, Caption: "At the <beach>", Filename: "IMG_1.png"}}
	var reply struct {
		Message struct {
			Caption, Filename string
			ImageURL          string `json:"image_url"`
			ViewOnce          bool   `json:"view_once"`
		}
	}
	w := webtest.Serve(newHandlers(nil, m).Message, webtest.WithParam(bobWith(http.MethodGet, "/api/messages/m-1", "", ""), "id", "m-1"))
	decode(t, w, &reply)
	if w.Code != http.StatusOK || reply.Message.Caption != "At the <beach>" || reply.Message.Filename != "IMG_1.png" || reply.Message.ImageURL != "/api/messages/m-1/image" {
		t.Errorf("%d %s", w.Code, w.Body)
	}

	once := *msg
	once.ViewOnce = true
	m.opened = &messaging.Opened{Message: &once}
	w = webtest.Serve(newHandlers(nil, m).Message, webtest.WithParam(bobWith(http.MethodGet, "/api/messages/m-1", "", ""), "id", "m-1"))
	reply.Message.ImageURL = "unset"
	decode(t, w, &reply)
	if w.Code != http.StatusOK || !reply.Message.ViewOnce || reply.Message.ImageURL != "" {
		t.Errorf("view once: %d %s; want no image URL", w.Code, w.Body)
	}
}

// TestViewOnceSpentIs410: viewing a view-once image again is a 410 that
// says it is gone; someone else's is a 404.
func TestViewOnceSpentIs410(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
	}{
		{imageapp.ErrGone(imageapp.GoneViewedOnce, "This image was viewed once and is gone."), http.StatusGone},
		{imageapp.ErrNoSuchMessage(), http.StatusNotFound},
	} {
		m := &mailboxMessaging{err: c.err}
		w := webtest.Serve(newHandlers(nil, m).ViewOnce, webtest.WithParam(bobWith(http.MethodPost, "/api/messages/m-1/view", "", ""), "id", "m-1"))
		if _, msg := apiError(t, w); w.Code != c.status || msg != imageapp.ErrorMessage(c.err) || len(m.asked) != 1 {
			t.Errorf("%v: %d %q; want %d", c.err, w.Code, msg, c.status)
		}
	}
}

// TestDeleteMessage: DELETE /api/messages/{id} deletes that message, 204
// with no body; one that is not bob's is a 404 in the error shape.
func TestDeleteMessage(t *testing.T) {
	m := &mailboxMessaging{}
	w := webtest.Serve(newHandlers(nil, m).Delete, webtest.WithParam(bobWith(http.MethodDelete, "/api/messages/m-1", "", ""), "id", "m-1"))
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 || len(m.deleted) != 1 || m.deleted[0] != "m-1" {
		t.Errorf("%d %q, deleted %q; want 204 and m-1 deleted", w.Code, w.Body, m.deleted)
	}
	m = &mailboxMessaging{err: imageapp.ErrNoSuchMessage()}
	w = webtest.Serve(newHandlers(nil, m).Delete, webtest.WithParam(bobWith(http.MethodDelete, "/api/messages/m-2", "", ""), "id", "m-2"))
	if code, _ := apiError(t, w); w.Code != http.StatusNotFound || code != imageapp.ENOTFOUND {
		t.Errorf("not bob's: %d %s", w.Code, w.Body)
	}
}

// pngFrom is alice's PNG m-12345678-9 to bob.
func pngFrom(size int) *imageapp.Message {
	return &imageapp.Message{ID: "m-12345678-9", SenderID: alice.ID, SenderName: "alice", RecipientID: bob.ID, RecipientName: "bob",
		ContentType: "image/png", Size: int64(size), CreatedAt: time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)}
}

// TestMessageImageStreamsTheImage: GET …/image is the decrypted bytes with
// their type and length, inline under a name of the message's ID, never
// cached and sandboxed; ?download=1 is an attachment under the sender's
// file name, with the extension of the image's real type. The image is
// closed either way.
func TestMessageImageStreamsTheImage(t *testing.T) {
	const png = "\x89PNG-bytes"
	m := pngFrom(len(png))
	img, data := webtest.Image(m, png)
	mb := &mailboxMessaging{image: img}
	w := webtest.Serve(newHandlers(nil, mb).MessageImage, webtest.WithParam(bobWith(http.MethodGet, "/api/messages/m-12345678-9/image", "", ""), "id", "m-12345678-9"))
	h := w.Header()
	if w.Code != http.StatusOK || w.Body.String() != png || h.Get("Content-Type") != "image/png" || h.Get("Content-Length") != "10" {
		t.Errorf("%d %q, type %q, length %q; want 200 and the image", w.Code, w.Body, h.Get("Content-Type"), h.Get("Content-Length"))
	}
	if h.Get("Content-Disposition") != `inline; filename="image-m-123456.png"` || h.Get("Cache-Control") != "no-store" || !strings.HasSuffix(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("headers %v; want inline, no-store, sandboxed", h)
	}
	if !data.Closed || len(mb.asked) != 1 || mb.asked[0] != "m-12345678-9" {
		t.Errorf("closed %v, asked %q; want the image of m-12345678-9, closed", data.Closed, mb.asked)
	}

	img, data = webtest.Image(m, png)
	mb = &mailboxMessaging{image: img, opened: &messaging.Opened{Message: m, Filename: "beach.html"}}
	w = webtest.Serve(newHandlers(nil, mb).MessageImage, webtest.WithParam(bobWith(http.MethodGet, "/api/messages/m-12345678-9/image?download=1", "", ""), "id", "m-12345678-9"))
	if got := w.Header().Get("Content-Disposition"); w.Code != http.StatusOK || got != `attachment; filename="beach.png"; filename*=UTF-8''beach.png` || !data.Closed {
		t.Errorf("download: %d, Content-Disposition %q, closed %v; want the sender's name as a PNG", w.Code, got, data.Closed)
	}
}

// TestViewOnceAnswersTheImageOnce: POST …/view is the opened message with
// its image as a data: URL, in one JSON object, never cached; the image is
// closed after.
func TestViewOnceAnswersTheImageOnce(t *testing.T) {
	const png = "\x89PNG-bytes"
	m := pngFrom(len(png))
	m.ViewOnce = true
	img, data := webtest.Image(m, png)
	mb := &mailboxMessaging{opened: &messaging.Opened{Message: m, Caption: "only once"}, image: img}
	w := webtest.Serve(newHandlers(nil, mb).ViewOnce, webtest.WithParam(bobWith(http.MethodPost, "/api/messages/m-12345678-9/view", "", ""), "id", "m-12345678-9"))
	var reply struct {
		Message struct {
			ID, Caption string
			ImageURL    string `json:"image_url"`
		}
		Image string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil {
		t.Fatalf("not one JSON object (%v): %s", err, w.Body)
	}
	const prefix = "data:image/png;base64,"
	shown, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(reply.Image, prefix))
	if w.Code != http.StatusOK || !strings.HasPrefix(reply.Image, prefix) || err != nil || string(shown) != png {
		t.Errorf("%d, image %q (%v); want the PNG as a data: URL", w.Code, reply.Image, err)
	}
	if reply.Message.ID != "m-12345678-9" || reply.Message.Caption != "only once" || reply.Message.ImageURL != "" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("message %+v, Cache-Control %q; want the caption, no image URL, no-store", reply.Message, w.Header().Get("Cache-Control"))
	}
	if !data.Closed {
		t.Error("the image was not closed")
	}
}
