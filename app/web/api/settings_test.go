package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// mailMessaging records the asks to mail the confirmation again.
type mailMessaging struct {
	fakeMessaging
	resent int
	err    error
}

func (f *mailMessaging) ResendMailConfirmation(context.Context, imageapp.User) error {
	f.resent++
	return f.err
}

// asBobHidden is bob's request with read receipts off and out of the directory.
func asBobHidden(method, target, ctype, body string) *http.Request {
	r := bobWith(method, target, ctype, body)
	u := bob
	u.NoReadReceipts, u.Hidden = true, true
	return web.AsUser(r, u, "s-1", time.Now())
}

// TestPrivacyIsTheAccounts: GET /api/me/privacy is the person's four
// settings, read from their account.
func TestPrivacyIsTheAccounts(t *testing.T) {
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, &fakeMessaging{}).Privacy, asBobHidden(http.MethodGet, "/api/me/privacy", "", ""))
	want := `{"privacy":{"read_receipts":false,"listed":false,"notify_by_mail":true,"message_requests":false}}`
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != want {
		t.Errorf("%d %s; want %s", w.Code, got, want)
	}
}

// TestPrivacyPutChangesWhatItNames: PUT /api/me/privacy changes the
// settings the body names and keeps the others as they are.
func TestPrivacyPutChangesWhatItNames(t *testing.T) {
	a := &webtest.Accounts{}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).PrivacyPut, asBobHidden(http.MethodPut, "/api/me/privacy", "application/json", `{"listed":true,"message_requests":true}`))
	want := imageapp.Privacy{ReadReceipts: false, Listed: true, NotifyByMail: true, MessageRequests: true}
	if len(a.Privacy) != 1 || a.Privacy[0] != want {
		t.Errorf("the service got %+v; want %+v", a.Privacy, want)
	}
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"privacy":{"read_receipts":false,"listed":true,"notify_by_mail":true,"message_requests":true}}` {
		t.Errorf("%d %s", w.Code, got)
	}
}

// TestPrivacyPutRefusals: a form is a 415 asking for JSON, broken JSON a
// 400 that shows the shape to send, neither reaching the service; the
// service's refusal is its status.
func TestPrivacyPutRefusals(t *testing.T) {
	for _, c := range []struct {
		ctype, body string
		status      int
		says        string
	}{
		{"application/x-www-form-urlencoded", "listed=on", http.StatusUnsupportedMediaType, "Send the settings as JSON"},
		{"application/json", `{"listed":"yes"}`, http.StatusBadRequest, `"read_receipts": true|false`},
	} {
		a := &webtest.Accounts{}
		w := webtest.Serve(newHandlers(a, &fakeMessaging{}).PrivacyPut, bobWith(http.MethodPut, "/api/me/privacy", c.ctype, c.body))
		if _, msg := apiError(t, w); w.Code != c.status || !strings.Contains(msg, c.says) || len(a.Privacy) != 0 {
			t.Errorf("%s %s: %d %q, saved %v; want %d saying %q", c.ctype, c.body, w.Code, msg, a.Privacy, c.status, c.says)
		}
	}
	a := &webtest.Accounts{Refuse: map[string]error{"SetPrivacy": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).PrivacyPut, bobWith(http.MethodPut, "/api/me/privacy", "application/json", `{"listed":false}`))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("the service down: %d %s", w.Code, w.Body)
	}
}

// TestChangePassword: a wrong current password is the service's 403 in
// words, not a 401 the client would take for a session that ended (the
// password never echoed); the right one is a 204 with a fresh session
// cookie for this device; past the limit, a 429 before the service.
func TestChangePassword(t *testing.T) {
	a := &webtest.Accounts{}
	h := newHandlers(a, &fakeMessaging{}, webtest.OneTryEach)
	w := webtest.Serve(h.ChangePassword, bobWith(http.MethodPost, "/api/me/password", "application/json", `{"current_password":"guess-one","new_password":"a new long one"}`))
	if _, msg := apiError(t, w); w.Code != http.StatusForbidden || msg != "That is not your current password." || strings.Contains(w.Body.String(), "guess-one") {
		t.Errorf("a wrong password: %d %s", w.Code, w.Body)
	}
	w = webtest.Serve(h.ChangePassword, bobWith(http.MethodPost, "/api/me/password", "application/json", `{"current_password":"correct horse battery","new_password":"a new long one"}`))
	if _, msg := apiError(t, w); w.Code != http.StatusTooManyRequests || !strings.HasPrefix(msg, "Too many attempts") || len(a.Calls) != 1 {
		t.Errorf("past the limit: %d %q, calls %q", w.Code, msg, a.Calls)
	}

	a = &webtest.Accounts{}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).ChangePassword, bobWith(http.MethodPost, "/api/me/password", "application/json", `{"current_password":"correct horse battery","new_password":"a new long one"}`))
	if w.Code != http.StatusNoContent || len(a.Started) != 1 || len(w.Result().Cookies()) == 0 {
		t.Errorf("the right password: %d %s, sessions %d, cookies %v; want 204 and a fresh session", w.Code, w.Body, len(a.Started), w.Result().Cookies())
	}
}

// TestEmailChange: asking for a change is 202 with the address waiting
// for its code, which GET /api/me/email then shows (it lives in this
// device's session); a refused code is a 400; the right code is the new
// address with nothing waiting; cancelling forgets it.
func TestEmailChange(t *testing.T) {
	a := &webtest.Accounts{NewEmail: "bob@new.example"}
	h := newHandlers(a, &fakeMessaging{})
	asked := webtest.Serve(h.EmailRequest, bobWith(http.MethodPost, "/api/me/email", "application/json", `{"new_email":"bob@new.example","password":"correct horse battery"}`))
	if got := strings.TrimSpace(asked.Body.String()); asked.Code != http.StatusAccepted || got != `{"email":{"address":"bob@example.com","pending":"bob@new.example"}}` || !a.Called("RequestEmailChange bob@new.example") {
		t.Fatalf("request: %d %s, calls %q", asked.Code, got, a.Calls)
	}
	w := webtest.Serve(h.Email, webtest.WithCookies(bobWith(http.MethodGet, "/api/me/email", "", ""), asked))
	if got := strings.TrimSpace(w.Body.String()); got != `{"email":{"address":"bob@example.com","pending":"bob@new.example"}}` {
		t.Errorf("GET after the request: %s", got)
	}
	if w := webtest.Serve(h.Email, bobWith(http.MethodGet, "/api/me/email", "", "")); !strings.Contains(w.Body.String(), `"pending":""`) {
		t.Errorf("GET from another device: %s; want nothing waiting", w.Body)
	}

	a.Refuse = map[string]error{"ConfirmEmailChange": imageapp.ErrWrongCode()}
	w = webtest.Serve(h.EmailConfirm, webtest.WithCookies(bobWith(http.MethodPost, "/api/me/email/confirm", "application/json", `{"code":"000000","password":"correct horse battery"}`), asked))
	if _, msg := apiError(t, w); w.Code != http.StatusBadRequest || !strings.HasPrefix(msg, "That code is wrong.") {
		t.Errorf("a wrong code: %d %q", w.Code, msg)
	}
	a.Refuse = nil
	w = webtest.Serve(h.EmailConfirm, webtest.WithCookies(bobWith(http.MethodPost, "/api/me/email/confirm", "application/json", `{"code":"123456","password":"correct horse battery"}`), asked))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"email":{"address":"bob@new.example","pending":""}}` {
		t.Errorf("the right code: %d %s", w.Code, got)
	}
	w = webtest.Serve(h.EmailCancel, webtest.WithCookies(bobWith(http.MethodPost, "/api/me/email/cancel", "", ""), asked))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusOK || got != `{"email":{"address":"bob@example.com","pending":""}}` || !a.Called("CancelEmailChange") {
		t.Errorf("cancel: %d %s", w.Code, got)
	}
}

// TestEmailChangeRefusals: a wrong password is the service's 403 and words
// and leaves nothing waiting; a cancel the service cannot do is its 503 and
// keeps the waiting address.
func TestEmailChangeRefusals(t *testing.T) {
	a := &webtest.Accounts{Refuse: map[string]error{"RequestEmailChange": imageapp.Errorf(imageapp.EFORBIDDEN, "That is not your password.")}}
	h := newHandlers(a, &fakeMessaging{})
	w := webtest.Serve(h.EmailRequest, bobWith(http.MethodPost, "/api/me/email", "application/json", `{"new_email":"bob@new.example","password":"guess-one"}`))
	if code, msg := apiError(t, w); w.Code != http.StatusForbidden || code != imageapp.EFORBIDDEN || msg != "That is not your password." || strings.Contains(w.Body.String(), "guess-one") {
		t.Errorf("a wrong password: %d %s %q; want 403 with the service's words", w.Code, code, msg)
	}
	if len(w.Result().Cookies()) != 0 {
		t.Errorf("a refused request set %v; want nothing waiting", w.Result().Cookies())
	}

	a = &webtest.Accounts{}
	h = newHandlers(a, &fakeMessaging{})
	asked := webtest.Serve(h.EmailRequest, bobWith(http.MethodPost, "/api/me/email", "application/json", `{"new_email":"bob@new.example","password":"correct horse battery"}`))
	a.Refuse = map[string]error{"CancelEmailChange": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w = webtest.Serve(h.EmailCancel, webtest.WithCookies(bobWith(http.MethodPost, "/api/me/email/cancel", "", ""), asked))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." || webtest.Clears(w, "") {
		t.Errorf("a cancel refused: %d %s %q, cookies %v; want 503 and the address still waiting", w.Code, code, msg, w.Result().Cookies())
	}
}

// TestSessionsListThisDeviceFirst: GET /api/me/sessions lists this device
// first, marked current, then the others; a session past its hours is
// left out; a list the service cannot read is its 503.
func TestSessionsListThisDeviceFirst(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	a := &webtest.Accounts{Sessions: []imageapp.Session{
		{ID: "s-0", Device: "Firefox on Linux", Created: now.Add(-time.Hour), LastSeen: now},
		{ID: "s-old", Device: "Safari on iOS", Created: now.Add(-72 * time.Hour), LastSeen: now.Add(-72 * time.Hour)},
		{ID: "s-1", Device: "Chrome on Android", Created: now, LastSeen: now, KeepSignedIn: true},
	}}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).Sessions, bobWith(http.MethodGet, "/api/me/sessions", "", ""))
	var reply struct {
		Sessions []struct {
			ID      string
			Device  string
			Current bool
			Kept    bool `json:"kept_signed_in"`
		}
	}
	decode(t, w, &reply)
	if w.Code != http.StatusOK || len(reply.Sessions) != 2 || reply.Sessions[0].ID != "s-1" || !reply.Sessions[0].Current || !reply.Sessions[0].Kept ||
		reply.Sessions[1].ID != "s-0" || reply.Sessions[1].Current || reply.Sessions[1].Device != "Firefox on Linux" {
		t.Errorf("%d %s", w.Code, w.Body)
	}

	a.Refuse = map[string]error{"ListSessions": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).Sessions, bobWith(http.MethodGet, "/api/me/sessions", "", ""))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." {
		t.Errorf("unreadable: %d %s %q; want 503 with the service's words", w.Code, code, msg)
	}
}

// TestEndSession: DELETE /api/me/sessions/{sid} ends that session, 204;
// one that is not the person's is a 404; this device's own is a logout
// that clears its cookie; DELETE /api/me/sessions ends all but this one,
// or is the service's refusal.
func TestEndSession(t *testing.T) {
	a := &webtest.Accounts{}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).EndSession, webtest.WithParam(bobWith(http.MethodDelete, "/api/me/sessions/s-2", "", ""), "sid", "s-2"))
	if w.Code != http.StatusNoContent || !a.Called("EndSession s-2") || webtest.Clears(w, "imageapp_session") {
		t.Errorf("another device: %d %s, calls %q", w.Code, w.Body, a.Calls)
	}
	a = &webtest.Accounts{Refuse: map[string]error{"EndSession": imageapp.Errorf(imageapp.ENOTFOUND, "There is no such session.")}}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).EndSession, webtest.WithParam(bobWith(http.MethodDelete, "/api/me/sessions/s-x", "", ""), "sid", "s-x"))
	if _, msg := apiError(t, w); w.Code != http.StatusNotFound || msg != "There is no such session." {
		t.Errorf("not bob's: %d %q", w.Code, msg)
	}
	a = &webtest.Accounts{}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).EndSession, webtest.WithParam(bobWith(http.MethodDelete, "/api/me/sessions/s-1", "", ""), "sid", "s-1"))
	if w.Code != http.StatusNoContent || !webtest.Clears(w, "imageapp_session") {
		t.Errorf("this device: %d, cookies %v; want 204 and the cookie cleared", w.Code, w.Result().Cookies())
	}
	a = &webtest.Accounts{}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).EndOtherSessions, bobWith(http.MethodDelete, "/api/me/sessions", "", ""))
	if w.Code != http.StatusNoContent || len(a.Calls) != 1 || a.Calls[0] != "EndOtherSessions s-1" {
		t.Errorf("the others: %d, calls %q; want 204 keeping s-1", w.Code, a.Calls)
	}
	a.Refuse = map[string]error{"EndOtherSessions": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).EndOtherSessions, bobWith(http.MethodDelete, "/api/me/sessions", "", ""))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." {
		t.Errorf("the others, refused: %d %s %q; want 503 with the service's words", w.Code, code, msg)
	}
}

// TestMailResend: POST /api/me/mail/resend asks for the confirmation again,
// 202 {"sent": true}; a refusal is its status and words.
func TestMailResend(t *testing.T) {
	m := &mailMessaging{}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).MailResend, bobWith(http.MethodPost, "/api/me/mail/resend", "", ""))
	if got := strings.TrimSpace(w.Body.String()); w.Code != http.StatusAccepted || got != `{"sent":true}` || m.resent != 1 {
		t.Errorf("%d %s, resent %d", w.Code, got, m.resent)
	}
	m = &mailMessaging{err: imageapp.ErrMailUnavailable()}
	w = webtest.Serve(newHandlers(&webtest.Accounts{}, m).MailResend, bobWith(http.MethodPost, "/api/me/mail/resend", "", ""))
	if _, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || msg != "Email is unavailable right now. Try again later." {
		t.Errorf("mail down: %d %q", w.Code, msg)
	}
}

// TestDeleteAccount: a wrong password is the service's 403 and the session
// stays; the
// right one deletes the account, 204, and clears the session cookie.
func TestDeleteAccount(t *testing.T) {
	a := &webtest.Accounts{}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).DeleteAccount, bobWith(http.MethodDelete, "/api/me", "application/json", `{"password":"wrong"}`))
	if _, msg := apiError(t, w); w.Code != http.StatusForbidden || msg != "That password is not right, so the account was not deleted." || webtest.Clears(w, "imageapp_session") {
		t.Errorf("a wrong password: %d %q, cookies %v", w.Code, msg, w.Result().Cookies())
	}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).DeleteAccount, bobWith(http.MethodDelete, "/api/me", "application/json", `{"password":"correct horse battery"}`))
	if w.Code != http.StatusNoContent || !webtest.Clears(w, "imageapp_session") {
		t.Errorf("the right password: %d %s, cookies %v; want 204 and the cookie cleared", w.Code, w.Body, w.Result().Cookies())
	}
}
