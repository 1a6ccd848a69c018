package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web/webtest"
)

// peopleMessaging is the messaging service as blocks and message requests
// reach it: it records each decision as "action username" and answers
// with moved images, or err.
type peopleMessaging struct {
	fakeMessaging
	requests []messaging.Request
	moved    int // the images a decision accepts or deletes
	err      error
	did      []string
	storage  messaging.Storage
	unread   int
}

func (f *peopleMessaging) SetBlocked(_ context.Context, _ imageapp.User, username string, blocked bool) (imageapp.User, error) {
	if blocked {
		f.did = append(f.did, "block "+username)
	} else {
		f.did = append(f.did, "unblock "+username)
	}
	return imageapp.User{Username: username}, f.err
}

func (f *peopleMessaging) Requests(context.Context, imageapp.User) ([]messaging.Request, error) {
	return f.requests, f.err
}

func (f *peopleMessaging) decided(action, username string) (imageapp.User, int, error) {
	f.did = append(f.did, action+" "+username)
	if f.err != nil {
		return imageapp.User{}, 0, f.err
	}
	return imageapp.User{Username: username}, f.moved, nil
}

func (f *peopleMessaging) AcceptRequests(_ context.Context, _ imageapp.User, username string) (imageapp.User, int, error) {
	return f.decided("accept", username)
}

func (f *peopleMessaging) DeleteRequests(_ context.Context, _ imageapp.User, username string) (imageapp.User, int, error) {
	return f.decided("delete", username)
}

func (f *peopleMessaging) BlockRequests(_ context.Context, _ imageapp.User, username string) (imageapp.User, int, error) {
	return f.decided("block-requests", username)
}

func (f *peopleMessaging) UnreadCount(context.Context, imageapp.User) (int, error) {
	return f.unread, f.err
}

func (f *peopleMessaging) StorageOf(context.Context, imageapp.User) (messaging.Storage, error) {
	return f.storage, nil
}

// directory is the account service's people directory: the page it
// answers, or err, and the searches asked.
type directory struct {
	allAccounts
	page     imageapp.UserPage
	err      error
	searches [][2]string // q, cursor
}

func (d *directory) People(_ context.Context, _ imageapp.User, search, cursor string) (imageapp.UserPage, error) {
	d.searches = append(d.searches, [2]string{search, cursor})
	return d.page, d.err
}

// TestBlockAndUnblockThePersonInThePath: PUT …/block blocks the person the
// path names and DELETE unblocks them, each a 204 with no body; an unknown
// person is a 404 that says so.
func TestBlockAndUnblockThePersonInThePath(t *testing.T) {
	m := &peopleMessaging{}
	h := newHandlers(nil, m)
	put := webtest.Serve(h.Block(true), webtest.WithParam(bobWith(http.MethodPut, "/api/people/eve/block", "", ""), "username", "eve"))
	del := webtest.Serve(h.Block(false), webtest.WithParam(bobWith(http.MethodDelete, "/api/people/eve/block", "", ""), "username", "eve"))
	if put.Code != http.StatusNoContent || del.Code != http.StatusNoContent || put.Body.Len()+del.Body.Len() != 0 || strings.Join(m.did, ",") != "block eve,unblock eve" {
		t.Errorf("block %d, unblock %d, the service did %q; want 204, 204 and block then unblock eve", put.Code, del.Code, m.did)
	}

	m = &peopleMessaging{err: imageapp.ErrNoSuchUser()}
	w := webtest.Serve(newHandlers(nil, m).Block(true), webtest.WithParam(bobWith(http.MethodPut, "/api/people/nobody/block", "", ""), "username", "nobody"))
	if _, msg := apiError(t, w); w.Code != http.StatusNotFound || msg != "There is no such user." {
		t.Errorf("an unknown person: %d %q; want 404 saying so", w.Code, msg)
	}
}

// TestRequestsListWhoWaits: GET /api/requests is who waits, with how many
// images and when the latest came; none is an empty list, not null; a list
// the service cannot read is its 503.
func TestRequestsListWhoWaits(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	m := &peopleMessaging{requests: []messaging.Request{{From: imageapp.User{ID: "u-eve", Username: "eve"}, Count: 3, Latest: at}}}
	w := webtest.Serve(newHandlers(nil, m).Requests, bobWith(http.MethodGet, "/api/requests", "", ""))
	if got, want := strings.TrimSpace(w.Body.String()), `{"requests":[{"username":"eve","count":3,"latest":"2026-12-07T15:04:00Z"}]}`; w.Code != http.StatusOK || got != want {
		t.Errorf("%d %s; want %s", w.Code, got, want)
	}
	w = webtest.Serve(newHandlers(nil, &peopleMessaging{}).Requests, bobWith(http.MethodGet, "/api/requests", "", ""))
	if got := strings.TrimSpace(w.Body.String()); got != `{"requests":[]}` {
		t.Errorf("none: %s", got)
	}
	w = webtest.Serve(newHandlers(nil, &peopleMessaging{err: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}).Requests, bobWith(http.MethodGet, "/api/requests", "", ""))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." {
		t.Errorf("unreadable: %d %s %q; want 503 with the service's words", w.Code, code, msg)
	}
}

// TestRequestDecisions: accept answers how many images moved to the inbox;
// delete how many went; delete with ?block=yes blocks the sender too and
// says so; each decides on the person in the path, and an unknown person
// is a 404 that says so.
func TestRequestDecisions(t *testing.T) {
	for _, c := range []struct {
		name   string
		call   func(h *Handlers) http.HandlerFunc
		target string
		did    string
		want   string
	}{
		{"accept", func(h *Handlers) http.HandlerFunc { return h.AcceptRequests }, "/api/requests/eve/accept", "accept eve", `{"accepted":2}`},
		{"delete", func(h *Handlers) http.HandlerFunc { return h.DeleteRequests }, "/api/requests/eve", "delete eve", `{"deleted":2}`},
		{"block", func(h *Handlers) http.HandlerFunc { return h.DeleteRequests }, "/api/requests/eve?block=yes", "block-requests eve", `{"deleted":2,"blocked":true}`},
	} {
		m := &peopleMessaging{moved: 2}
		w := webtest.Serve(c.call(newHandlers(nil, m)), webtest.WithParam(bobWith(http.MethodPost, c.target, "", ""), "username", "eve"))
		if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != c.want || len(m.did) != 1 || m.did[0] != c.did {
			t.Errorf("%s: %d %s, did %q; want %s after %q", c.name, w.Code, got, m.did, c.want, c.did)
		}
	}
	m := &peopleMessaging{err: imageapp.ErrNoSuchUser()}
	w := webtest.Serve(newHandlers(nil, m).DeleteRequests, webtest.WithParam(bobWith(http.MethodDelete, "/api/requests/nobody?block=yes", "", ""), "username", "nobody"))
	if _, msg := apiError(t, w); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "blocked") || msg != "There is no such user." {
		t.Errorf("an unknown person: %d %s; want 404 and no word of a block", w.Code, w.Body)
	}
	w = webtest.Serve(newHandlers(nil, m).AcceptRequests, webtest.WithParam(bobWith(http.MethodPost, "/api/requests/nobody/accept", "", ""), "username", "nobody"))
	if code, msg := apiError(t, w); w.Code != http.StatusNotFound || code != imageapp.ENOTFOUND || msg != "There is no such user." {
		t.Errorf("accept an unknown person: %d %s %q; want 404 saying so", w.Code, code, msg)
	}
}

// TestUsersSearchesTheDirectory: GET /api/users passes ?q= and ?cursor= to
// the directory and answers each person by ID and username only, with the
// next cursor; a search the directory refuses is a 400 with its words.
func TestUsersSearchesTheDirectory(t *testing.T) {
	d := &directory{page: imageapp.UserPage{Users: []imageapp.User{alice}, Next: "c-2"}}
	w := webtest.Serve(newHandlers(d, &peopleMessaging{}).Users, bobWith(http.MethodGet, "/api/users?q=ali&cursor=c-1", "", ""))
	if got, want := strings.TrimSpace(w.Body.String()), `{"users":[{"id":"u-alice","username":"alice"}],"next_cursor":"c-2"}`; w.Code != http.StatusOK || got != want {
		t.Errorf("%d %s; want %s", w.Code, got, want)
	}
	if len(d.searches) != 1 || d.searches[0] != [2]string{"ali", "c-1"} {
		t.Errorf("the directory was asked %q", d.searches)
	}
	d = &directory{err: imageapp.Errorf(imageapp.EINVALID, "Search with 1 to 32 letters, digits, dots, dashes or underscores.")}
	w = webtest.Serve(newHandlers(d, &peopleMessaging{}).Users, bobWith(http.MethodGet, "/api/users?q=%25%25", "", ""))
	if _, msg := apiError(t, w); w.Code != http.StatusBadRequest || !strings.HasPrefix(msg, "Search with") || d.searches[0][0] != "%%" {
		t.Errorf("a refused search: %d %q, asked %q", w.Code, msg, d.searches)
	}
}

// TestMeAnswersTheAccount: GET /api/me is bob's account (never more of
// him), his unread count, the upload limits and how full his storage is.
func TestMeAnswersTheAccount(t *testing.T) {
	m := &peopleMessaging{unread: 7, storage: messaging.Storage{Used: 900, Quota: 1000, Full: true, Requests: 300}}
	w := webtest.Serve(newHandlers(nil, m).Me, bobWith(http.MethodGet, "/api/me", "", ""))
	var reply struct {
		User   map[string]any
		Unread int
		Limits struct {
			MaxUploadBytes int64 `json:"max_upload_bytes"`
		}
		Storage struct {
			Used    int64 `json:"used_bytes"`
			Quota   int64 `json:"quota_bytes"`
			Full    bool
			Request int64 `json:"request_bytes"`
		}
	}
	decode(t, w, &reply)
	if w.Code != http.StatusOK || len(reply.User) != 3 || reply.User["username"] != "bob" || reply.User["email"] != "bob@example.com" || reply.Unread != 7 ||
		reply.Limits.MaxUploadBytes != 1<<20 || reply.Storage.Used != 900 || reply.Storage.Quota != 1000 || !reply.Storage.Full || reply.Storage.Request != 300 {
		t.Errorf("%d %s", w.Code, w.Body)
	}
	w = webtest.Serve(newHandlers(nil, &peopleMessaging{err: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}).Me, bobWith(http.MethodGet, "/api/me", "", ""))
	if _, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || msg != "The store is busy." {
		t.Errorf("an unread count that cannot be read: %d %q; want 503", w.Code, msg)
	}
}
