package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// API handlers against fakes of the services: each fake holds what one test
// needs, and a method it does not set panics through the nil interface it
// embeds.

type allMessaging interface {
	web.Messaging
	Messaging
}

type fakeMessaging struct {
	allMessaging
	blocked    []imageapp.User
	blockedErr error
	mail       imageapp.MailState
	mailErr    error
}

func (f *fakeMessaging) BlockedPeople(context.Context, imageapp.User) ([]imageapp.User, error) {
	return f.blocked, f.blockedErr
}

func (f *fakeMessaging) MailState(context.Context, imageapp.User) (imageapp.MailState, error) {
	return f.mail, f.mailErr
}

// newAPI is the API handlers over a core with the same fake; log gets the
// server's log.
func newAPI(m *fakeMessaging, log io.Writer) *Handlers {
	o := webtest.Options(nil, m)
	o.Log = slog.New(slog.NewTextHandler(log, nil))
	return New(web.New(o), nil, m)
}

func asBob(method, target string) *http.Request {
	return webtest.AsBob(httptest.NewRequest(method, target, nil))
}

// TestBlockedListsPeople: GET /api/me/blocked is the people bob blocks, by
// ID and username, and an empty list (not null) when there are none.
func TestBlockedListsPeople(t *testing.T) {
	for _, c := range []struct {
		blocked []imageapp.User
		want    string
	}{
		{[]imageapp.User{{ID: "u-eve", Username: "eve", Email: "eve@example.com"}}, `{"users":[{"id":"u-eve","username":"eve"}]}`},
		{nil, `{"users":[]}`},
	} {
		w := httptest.NewRecorder()
		newAPI(&fakeMessaging{blocked: c.blocked}, io.Discard).Blocked(w, asBob(http.MethodGet, "/api/me/blocked"))
		if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != c.want {
			t.Errorf("status %d, body %s; want 200, %s", w.Code, got, c.want)
		}
	}
}

// TestBlockedUnavailable: a list of blocked people the service cannot read
// is its 503 and words, not an empty list.
func TestBlockedUnavailable(t *testing.T) {
	m := &fakeMessaging{blockedErr: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w := webtest.Serve(newAPI(m, io.Discard).Blocked, asBob(http.MethodGet, "/api/me/blocked"))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." {
		t.Errorf("%d %s %q; want 503 with the service's words", w.Code, code, msg)
	}
}

// TestMailStateUnavailable: when the mail state cannot be read, GET
// /api/me/mail is a 503 in the contract's error shape, whose message says
// so in plain words; the cause goes to the log, not to the client.
func TestMailStateUnavailable(t *testing.T) {
	var log bytes.Buffer
	m := &fakeMessaging{mailErr: errors.New("sns: GetSubscriptionAttributes: throttled")}
	w := httptest.NewRecorder()
	newAPI(m, &log).Mail(w, asBob(http.MethodGet, "/api/me/mail"))

	var reply struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusServiceUnavailable || reply.Error.Code != imageapp.EUNAVAILABLE ||
		reply.Error.Message != "We cannot tell right now whether notifications reach you. Try again later." {
		t.Errorf("status %d, reply %+v", w.Code, reply)
	}
	if strings.Contains(w.Body.String(), "throttled") || !strings.Contains(log.String(), "throttled") {
		t.Errorf("the cause must be logged and not shown: body %s, log %s", w.Body.String(), log.String())
	}
}

// TestMailStatePending: GET /api/me/mail says the state, the address and
// whether the confirmation can be sent again.
func TestMailStatePending(t *testing.T) {
	w := httptest.NewRecorder()
	newAPI(&fakeMessaging{mail: imageapp.MailPending}, io.Discard).Mail(w, asBob(http.MethodGet, "/api/me/mail"))
	want := `{"mail":{"state":"pending","email":"bob@example.com","can_resend":true}}`
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != want {
		t.Errorf("status %d, body %s; want %s", w.Code, got, want)
	}
}
