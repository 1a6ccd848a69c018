package pages

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// Fakes and helpers of the page handler tests that build the core over
// the same fakes as the pages (a login, a send or a block goes through the
// core's steps).

// newHandlers is the page handlers over a core with the same fakes, as
// app/server wires them (webtest.Options); opts change the core's options.
func newHandlers(a allAccounts, m allMessaging, opts ...func(*web.Options)) *Handlers {
	o := webtest.Options(a, m)
	for _, opt := range opts {
		opt(&o)
	}
	return New(web.New(o), a, m)
}

// form is bob's POST of an HTML form.
func form(target string, v url.Values) *http.Request {
	return asBob(http.MethodPost, target, strings.NewReader(v.Encode()))
}

// htmx marks r as htmx sends it.
func htmx(r *http.Request) *http.Request {
	r.Header.Set("HX-Request", "true")
	return r
}

// isFullPage tells a whole page (the layout) from a fragment.
func isFullPage(w *httptest.ResponseRecorder) bool {
	return strings.Contains(w.Body.String(), "<html")
}

// redirectsTo checks a 303 to location.
func redirectsTo(t *testing.T, w *httptest.ResponseRecorder, location string) {
	t.Helper()
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != location {
		t.Errorf("%d to %q; want 303 to %q: %s", w.Code, w.Header().Get("Location"), location, w.Body.String())
	}
}

// mailbox is the messaging service as the pages reach it: a mailbox whose
// List answers page (per box and status: "inbox/unread", "inbox/read",
// "sent/"), a conversation, an opened message, and err for any call that
// reads or changes a message; it records each change as "Action args…".
type mailbox struct {
	fakeMessaging
	pages    map[string]imageapp.MessagePage
	previews map[string]messaging.Preview
	opened   *messaging.Opened
	image    *messaging.Image // what ViewOnce hands on with opened
	requests []messaging.Request
	waiting  int // people whose requests wait
	storage  messaging.Storage
	err      error
	did      []string
	album    int // how many messages a send stores
}

func (f *mailbox) record(action string, args ...any) {
	f.did = append(f.did, strings.TrimSpace(action+" "+fmt.Sprintln(args...)))
}

func (f *mailbox) List(_ context.Context, _ imageapp.User, q imageapp.MessageQuery) (imageapp.MessagePage, error) {
	return f.pages[string(q.Box)+"/"+string(q.Status)], f.err
}

func (f *mailbox) Previews(context.Context, imageapp.User, []*imageapp.Message, ...messaging.Access) map[string]messaging.Preview {
	return f.previews
}

func (f *mailbox) StorageOf(context.Context, imageapp.User) (messaging.Storage, error) {
	return f.storage, nil
}

func (f *mailbox) RequestsWaiting(context.Context, imageapp.User) (int, error) { return f.waiting, nil }

func (f *mailbox) Requests(context.Context, imageapp.User) ([]messaging.Request, error) {
	return f.requests, f.err
}

func (f *mailbox) RequestsFrom(_ context.Context, _ imageapp.User, username string) (imageapp.User, int, error) {
	if f.err != nil {
		return imageapp.User{}, 0, f.err
	}
	return imageapp.User{Username: username}, 2, nil
}

func (f *mailbox) Conversation(_ context.Context, _ imageapp.User, with, _ string, _ int) (imageapp.User, imageapp.MessagePage, error) {
	return imageapp.User{ID: "u-" + with, Username: with}, f.pages["conversation/"], f.err
}

func (f *mailbox) IsBlocked(context.Context, imageapp.User, imageapp.User) (bool, error) {
	return false, nil
}

func (f *mailbox) Quoted(context.Context, imageapp.User, []*imageapp.Message, ...messaging.Access) (map[string]*imageapp.Message, map[string]messaging.Preview, error) {
	return nil, nil, nil
}

func (f *mailbox) Open(_ context.Context, _ imageapp.User, id string, _ ...messaging.Access) (*messaging.Opened, error) {
	f.record("Open", id)
	return f.opened, f.err
}

func (f *mailbox) ViewOnce(_ context.Context, _ imageapp.User, id string, _ ...messaging.Access) (*messaging.Opened, *messaging.Image, error) {
	f.record("ViewOnce", id)
	if f.err != nil {
		return nil, nil, f.err
	}
	return f.opened, f.image, nil
}

func (f *mailbox) Delete(_ context.Context, _ imageapp.User, id string) error {
	f.record("Delete", id)
	return f.err
}

func (f *mailbox) SetBlocked(_ context.Context, _ imageapp.User, username string, blocked bool) (imageapp.User, error) {
	f.record("SetBlocked", username, blocked)
	return imageapp.User{Username: username}, f.err
}

func (f *mailbox) AcceptRequests(_ context.Context, _ imageapp.User, username string) (imageapp.User, int, error) {
	f.record("AcceptRequests", username)
	return imageapp.User{Username: username}, 2, f.err
}

func (f *mailbox) DeleteRequests(_ context.Context, _ imageapp.User, username string) (imageapp.User, int, error) {
	f.record("DeleteRequests", username)
	return imageapp.User{Username: username}, 2, f.err
}

func (f *mailbox) BlockRequests(_ context.Context, _ imageapp.User, username string) (imageapp.User, int, error) {
	f.record("BlockRequests", username)
	return imageapp.User{Username: username}, 2, f.err
}

func (f *mailbox) SendOnce(_ context.Context, _ imageapp.User, _ string, send func() (*imageapp.Message, error)) (*imageapp.Message, bool, error) {
	m, err := send()
	return m, false, err
}

// SendAlbum reads every image and stores one message per image to in.To.
func (f *mailbox) SendAlbum(_ context.Context, from imageapp.User, in messaging.AlbumInput) ([]*imageapp.Message, error) {
	var out []*imageapp.Message
	for {
		_, body, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if _, err := io.ReadAll(body); err != nil {
			return nil, err
		}
		out = append(out, &imageapp.Message{ID: fmt.Sprintf("m-%d", len(out)+1), SenderID: from.ID, SenderName: from.Username,
			RecipientID: "u-" + in.To, RecipientName: in.To})
	}
	f.record("SendAlbum", in.To, len(out))
	if f.err != nil {
		return nil, f.err
	}
	return out, nil
}
