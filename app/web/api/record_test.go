package api

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/app/decryptlog"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// recordMessaging is the fake with a decrypt record and what asked for opens.
type recordMessaging struct {
	fakeMessaging
	page   messaging.RecordPage
	before int64
	key    ed25519.PublicKey
	keyErr error
	asked  []messaging.Access
}

func (f *recordMessaging) DecryptRecord(_ context.Context, _ imageapp.User, before int64, _ *time.Location) (messaging.RecordPage, error) {
	f.before = before
	return f.page, nil
}

func (f *recordMessaging) RecordKey() (ed25519.PublicKey, error) { return f.key, f.keyErr }

func (f *recordMessaging) Open(_ context.Context, _ imageapp.User, id string, how ...messaging.Access) (*messaging.Opened, error) {
	f.asked = append(f.asked, how...)
	return &messaging.Opened{Message: &imageapp.Message{ID: id, SenderName: "alice", RecipientName: "bob"}}, nil
}

func newRecordAPI(m *recordMessaging) *Handlers {
	h := newAPI(&m.fakeMessaging, io.Discard)
	h.messaging = m
	return h
}

// TestRecordPageJSON: GET /api/me/record is the days in words, the signed
// page and the next ?before=, which it passes on; a bad before is a 400
// that says what to send.
func TestRecordPageJSON(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	m := &recordMessaging{page: messaging.RecordPage{
		Days: []decryptlog.Day{{Date: at.Truncate(24 * time.Hour), Title: "Monday 7 December 2026", Lines: []decryptlog.Line{
			{Seq: 101, At: at, Time: "15:04", Phrase: "You, Firefox on Linux, viewed the image from alice"},
		}}},
		Page:   decryptlog.Page{PublicKey: "k", Head: decryptlog.HeadJSON{UserID: "u-bob", Seq: 101}},
		Before: 2,
	}}
	w := httptest.NewRecorder()
	newRecordAPI(m).Record(w, asBob(http.MethodGet, "/api/me/record?before=102"))
	var got struct {
		Days []struct {
			Date, Title string
			Lines       []struct {
				Seq    int64
				Time   string
				Phrase string
			}
		}
		Page struct {
			Head struct{ Seq int64 } `json:"head"`
		}
		Before *int64
	}
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if m.before != 102 || len(got.Days) != 1 || got.Days[0].Date != "2026-12-07" || got.Days[0].Lines[0].Phrase != "You, Firefox on Linux, viewed the image from alice" ||
		got.Page.Head.Seq != 101 || got.Before == nil || *got.Before != 2 {
		t.Errorf("before passed %d; reply %s", m.before, w.Body)
	}

	m.page.Before = 0
	w = httptest.NewRecorder()
	newRecordAPI(m).Record(w, asBob(http.MethodGet, "/api/me/record"))
	if !strings.Contains(w.Body.String(), `"before":null`) || m.before != 0 {
		t.Errorf("the oldest page: before passed %d; reply %s", m.before, w.Body)
	}

	for _, bad := range []string{"0", "-3", "x"} {
		w = httptest.NewRecorder()
		newRecordAPI(m).Record(w, asBob(http.MethodGet, "/api/me/record?before="+bad))
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "before must be a positive whole number") {
			t.Errorf("before=%s: %d %s", bad, w.Code, w.Body)
		}
	}
}

// TestRecordKeyIsText: the key route is the key, base64, as text; an app
// without a record says so with a 503.
func TestRecordKeyIsText(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	w := httptest.NewRecorder()
	newRecordAPI(&recordMessaging{key: pub}).RecordKey(w, httptest.NewRequest(http.MethodGet, "/.well-known/imageapp-record-key", nil))
	if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != base64.StdEncoding.EncodeToString(pub) || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Errorf("%d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	w = httptest.NewRecorder()
	newRecordAPI(&recordMessaging{keyErr: imageapp.Errorf(imageapp.EUNAVAILABLE, "not kept")}).RecordKey(w, httptest.NewRequest(http.MethodGet, "/.well-known/imageapp-record-key", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("no record: %d", w.Code)
	}
}

// TestOpenNamesTheSession: GET /api/messages/{id} tells messaging which
// session asked and its device, as the sessions list names it.
func TestOpenNamesTheSession(t *testing.T) {
	m := &recordMessaging{}
	r := asBob(http.MethodGet, "/api/messages/m1")
	r.Header.Set("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")
	rc := chi.NewRouteContext()
	rc.URLParams.Add("id", "m1")
	r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
	w := httptest.NewRecorder()
	newRecordAPI(m).Message(w, r)
	if w.Code != http.StatusOK || len(m.asked) != 1 || m.asked[0].By.Session != "s-1" || m.asked[0].By.Device != "Chrome on macOS" || m.asked[0].Purpose != "" {
		t.Errorf("%d; asked %+v", w.Code, m.asked)
	}
}
