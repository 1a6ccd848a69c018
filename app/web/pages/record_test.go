package pages

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"imageapp/app/decryptlog"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web/webtest"
)

// recordMessaging is the fake with a decrypt record and what asked for opens.
type recordMessaging struct {
	fakeMessaging
	page   messaging.RecordPage
	before int64
	asked  []messaging.Access
}

func (f *recordMessaging) DecryptRecord(_ context.Context, _ imageapp.User, before int64, _ *time.Location) (messaging.RecordPage, error) {
	f.before = before
	return f.page, nil
}

func (f *recordMessaging) Open(_ context.Context, _ imageapp.User, id string, how ...messaging.Access) (*messaging.Opened, error) {
	f.asked = append(f.asked, how...)
	return &messaging.Opened{Message: &imageapp.Message{ID: id, SenderID: "u-alice", SenderName: "alice", RecipientID: bob.ID, RecipientName: "bob", ContentType: "image/png"}}, nil
}

func newRecordPages(m *recordMessaging) *Handlers {
	h := newHandlers(&webtest.Accounts{}, &m.fakeMessaging)
	h.messaging = m
	return h
}

// TestRecordPageByDay: GET /settings/record lists the record by day in
// words, links Older with the next ?before= and Newest when it is not the
// newest page, and keeps Verify hidden for record.js; a bad before is a 400
// page that says what to do.
func TestRecordPageByDay(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	m := &recordMessaging{page: messaging.RecordPage{
		Days: []decryptlog.Day{{Date: at, Title: "Monday 7 December 2026", Lines: []decryptlog.Line{
			{Seq: 101, At: at, Time: "15:04", Phrase: "You, Firefox on Linux, viewed the image from alice"},
			{Seq: 100, At: at, Time: "15:03", Phrase: "Export by you"},
		}}},
		Before: 100,
	}}
	w := httptest.NewRecorder()
	newRecordPages(m).RecordPage(w, asBob(http.MethodGet, "/settings/record?before=102", nil))
	body := w.Body.String()
	for _, want := range []string{"When your images were opened", "Monday 7 December 2026", "You, Firefox on Linux, viewed the image from alice", "Export by you",
		`href="/settings/record?before=100"`, `>Newest</a>`, `data-record-verify`, `hidden`, "record."} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if w.Code != http.StatusOK || m.before != 102 || strings.Index(body, "viewed the image") > strings.Index(body, "Export by you") {
		t.Errorf("status %d, before %d: newest first?", w.Code, m.before)
	}

	m.page.Before = 0
	w = httptest.NewRecorder()
	newRecordPages(m).RecordPage(w, asBob(http.MethodGet, "/settings/record", nil))
	if strings.Contains(w.Body.String(), ">Older</a>") || strings.Contains(w.Body.String(), ">Newest</a>") {
		t.Errorf("the only page links Older or Newest")
	}

	w = httptest.NewRecorder()
	newRecordPages(m).RecordPage(w, asBob(http.MethodGet, "/settings/record?before=abc", nil))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "use the Older link") {
		t.Errorf("before=abc: %d", w.Code)
	}
}

// TestMessagePageNamesTheSession: the message page tells messaging which
// session and device opened it.
func TestMessagePageNamesTheSession(t *testing.T) {
	m := &recordMessaging{}
	r := asBob(http.MethodGet, "/messages/m1", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	rc := chi.NewRouteContext()
	rc.URLParams.Add("id", "m1")
	r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
	w := httptest.NewRecorder()
	newRecordPages(m).MessagePage(w, r)
	if w.Code != http.StatusOK || len(m.asked) != 1 || m.asked[0].By.Session != "s-1" || m.asked[0].By.Device != "Firefox on Linux" {
		t.Errorf("%d; asked %+v", w.Code, m.asked)
	}
}
