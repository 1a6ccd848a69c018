package pages

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/ratelimit"
	"imageapp/app/web"
)

// Fakes and helpers of the page handler tests that build the core over
// the same fakes as the pages (a login, a send or a block goes through the
// core's steps).

// newHandlers is the page handlers over a core with the same fakes, as
// app/server wires them, with a 1 MiB upload limit; opts change the core's
// options.
func newHandlers(a allAccounts, m allMessaging, opts ...func(*web.Options)) *Handlers {
	o := web.Options{
		Accounts: a, Messaging: m, MaxUploadBytes: 1 << 20,
		CookieKeys: cookiekeys.NewLive(cookiekeys.Single(cookiekeys.New())),
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, opt := range opts {
		opt(&o)
	}
	return New(web.New(o), a, m)
}

// oneTryEach allows one account action per client address an hour.
func oneTryEach(o *web.Options) {
	once := ratelimit.Rule{Burst: 1, Every: time.Hour}
	o.Limits = web.Limits{PerIP: once, PerUser: once}
}

// form is bob's POST of an HTML form.
func form(target string, v url.Values) *http.Request {
	return asBob(http.MethodPost, target, strings.NewReader(v.Encode()))
}

// withParam is r as chi hands it on, with the route's {name} set.
func withParam(r *http.Request, name, value string) *http.Request {
	rc := chi.NewRouteContext()
	rc.URLParams.Add(name, value)
	return r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
}

// htmx marks r as htmx sends it.
func htmx(r *http.Request) *http.Request {
	r.Header.Set("HX-Request", "true")
	return r
}

// serve runs h on r.
func serve(h http.HandlerFunc, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h(w, r)
	return w
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

// clears reports whether w clears the cookie whose name starts with prefix.
func clears(w *httptest.ResponseRecorder, prefix string) bool {
	for _, c := range w.Result().Cookies() {
		if strings.HasPrefix(c.Name, prefix) && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

var alice = imageapp.User{ID: "u-alice", Username: "alice", Email: "alice@example.com"}

// accountService is the account service that records each call as
// "Method args…" and answers refuse[Method], nil when it is not set. Its
// one person is bob, whose password is "correct horse battery".
type accountService struct {
	fakeAccounts
	refuse  map[string]error
	calls   []string
	started []imageapp.Session
	privacy []imageapp.Privacy
}

func (a *accountService) call(method string, args ...any) error {
	a.calls = append(a.calls, strings.TrimSpace(method+" "+fmt.Sprintln(args...)))
	return a.refuse[method]
}

// called reports whether the call was made, as call records it.
func (a *accountService) called(call string) bool {
	for _, c := range a.calls {
		if c == call {
			return true
		}
	}
	return false
}

func (a *accountService) SignUp(_ context.Context, _ imageapp.Requester, in imageapp.SignUpInput) error {
	return a.call("SignUp", in.Username, in.Email)
}

func (a *accountService) Confirm(_ context.Context, _ imageapp.Requester, username, code string) error {
	return a.call("Confirm", username, code)
}

func (a *accountService) ResendCode(_ context.Context, _ imageapp.Requester, username string) error {
	return a.call("ResendCode", username)
}

func (a *accountService) Login(_ context.Context, _ imageapp.Requester, username, password string) (imageapp.User, error) {
	if err := a.call("Login", username); err != nil {
		return imageapp.User{}, err
	}
	if username != "bob" || password != "correct horse battery" {
		return imageapp.User{}, imageapp.ErrWrongLogin()
	}
	return bob, nil
}

func (a *accountService) StartSession(_ context.Context, _ imageapp.User, s imageapp.Session) error {
	a.started = append(a.started, s)
	return a.call("StartSession")
}

func (a *accountService) EndSession(_ context.Context, _ imageapp.User, sid string) error {
	return a.call("EndSession", sid)
}

func (a *accountService) EndOtherSessions(_ context.Context, _ imageapp.User, current string) error {
	return a.call("EndOtherSessions", current)
}

func (a *accountService) ForgotPassword(_ context.Context, _ imageapp.Requester, username string) error {
	return a.call("ForgotPassword", username)
}

func (a *accountService) ResetPassword(_ context.Context, _ imageapp.Requester, username, code, password string) error {
	if err := imageapp.ValidatePassword(password); err != nil {
		return err
	}
	return a.call("ResetPassword", username, code)
}

func (a *accountService) RequestEmailChange(_ context.Context, _ imageapp.Requester, _ imageapp.User, _, newEmail string) error {
	return a.call("RequestEmailChange", newEmail)
}

func (a *accountService) DeleteAccount(_ context.Context, _ imageapp.Requester, _ imageapp.User, password string) error {
	if err := a.call("DeleteAccount"); err != nil {
		return err
	}
	if password != "correct horse battery" {
		return imageapp.ErrWrongLogin()
	}
	return nil
}

func (a *accountService) SetPrivacy(_ context.Context, _ imageapp.User, p imageapp.Privacy) error {
	a.privacy = append(a.privacy, p)
	return a.call("SetPrivacy")
}

func (a *accountService) People(_ context.Context, _ imageapp.User, search, cursor string) (imageapp.UserPage, error) {
	return imageapp.UserPage{Users: []imageapp.User{alice}}, a.call("People", search, cursor)
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

// part is one part of a multipart send: a field, or a file when filename is set.
type part struct{ name, filename, body string }

// upload is bob's multipart POST to target of parts, in this order.
func upload(target string, parts ...part) *http.Request {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		if p.filename != "" {
			w, _ = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, _ = mw.CreateFormField(p.name)
		}
		io.WriteString(w, p.body)
	}
	mw.Close()
	r := asBob(http.MethodPost, target, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}
