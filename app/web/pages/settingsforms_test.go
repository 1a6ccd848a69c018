package pages

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// card is the settings page's <section id="id">, or "" when it has none.
func card(body, id string) string {
	i := strings.Index(body, `<section id="`+id+`"`)
	if i < 0 {
		return ""
	}
	end := strings.Index(body[i:], "</section>")
	if end < 0 {
		return body[i:]
	}
	return body[i : i+end]
}

// mailResend records the asks to mail the confirmation again.
type mailResend struct {
	fakeMessaging
	resent int
	err    error
}

func (f *mailResend) ResendMailConfirmation(context.Context, imageapp.User) error {
	f.resent++
	return f.err
}

// TestPrivacyFormSavesTheBoxes: the privacy form saves its three boxes,
// ticked or not, keeps the mail setting, and goes back to its card with
// "privacy-saved".
func TestPrivacyFormSavesTheBoxes(t *testing.T) {
	a := &webtest.Accounts{}
	u := bob
	u.NoMail = true
	r := web.AsUser(form("/settings/privacy", url.Values{"listed": {"on"}, "message_requests": {"on"}}), u, "s-1", time.Now())
	redirectsTo(t, webtest.Serve(newHandlers(a, &fakeMessaging{}).PrivacySubmit, r), "/settings?flash=privacy-saved#privacy")
	if want := (imageapp.Privacy{ReadReceipts: false, Listed: true, NotifyByMail: false, MessageRequests: true}); len(a.Privacy) != 1 || a.Privacy[0] != want {
		t.Errorf("saved %+v; want %+v", a.Privacy, want)
	}
}

// TestNotificationsFormKeepsThePrivacy: the mail form saves only the mail
// setting and goes to the top of the settings with its flash; a refusal is
// an error page, not a redirect that says it was saved.
func TestNotificationsFormKeepsThePrivacy(t *testing.T) {
	a := &webtest.Accounts{}
	u := bob
	u.Hidden = true
	r := web.AsUser(form("/settings/notifications", url.Values{}), u, "s-1", time.Now())
	redirectsTo(t, webtest.Serve(newHandlers(a, &fakeMessaging{}).NotificationsSubmit, r), "/settings?flash=notifications-saved")
	if want := (imageapp.Privacy{ReadReceipts: true, Listed: false, NotifyByMail: false}); len(a.Privacy) != 1 || a.Privacy[0] != want {
		t.Errorf("saved %+v; want %+v", a.Privacy, want)
	}
	a = &webtest.Accounts{Refuse: map[string]error{"SetPrivacy": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).NotificationsSubmit, form("/settings/notifications", url.Values{"notify_by_mail": {"on"}}))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Location") != "" || !strings.Contains(w.Body.String(), "The store is busy.") {
		t.Errorf("refused: %d to %q", w.Code, w.Header().Get("Location"))
	}
}

// TestEmailFormErrorShowsInItsCard: a refused email change re-renders the
// settings page at the refusal's status with the error in the email card,
// never echoing the password; a request goes to the card with its flash.
func TestEmailFormErrorShowsInItsCard(t *testing.T) {
	a := &webtest.Accounts{Refuse: map[string]error{"RequestEmailChange": imageapp.Errorf(imageapp.EINVALID, "Enter an email address like name@example.com.")}}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).EmailSubmit, form("/settings/email", url.Values{"new_email": {"not-an-address"}, "password": {"correct horse battery"}}))
	body := w.Body.String()
	if w.Code != http.StatusBadRequest || !strings.Contains(card(body, "email"), "Enter an email address like name@example.com.") || strings.Contains(body, "correct horse battery") {
		t.Errorf("%d; want 400 with the error in the email card and no password: %s", w.Code, card(body, "email"))
	}
	a = &webtest.Accounts{}
	redirectsTo(t, webtest.Serve(newHandlers(a, &fakeMessaging{}).EmailSubmit, form("/settings/email", url.Values{"new_email": {"bob@new.example"}, "password": {"correct horse battery"}})),
		"/settings?flash=email-code-sent#email")
	if !a.Called("RequestEmailChange bob@new.example") {
		t.Errorf("calls %q", a.Calls)
	}
}

// TestPasswordFormGoesToTheTop: a changed password goes to the top of the
// settings with its flash, with a fresh session for this device.
func TestPasswordFormGoesToTheTop(t *testing.T) {
	a := &webtest.Accounts{}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).PasswordSubmit, form("/settings/password", url.Values{"current_password": {"correct horse battery"}, "new_password": {"a new long one"}}))
	redirectsTo(t, w, "/settings?flash=password-changed")
	if len(a.Started) != 1 || !strings.Contains(w.Header().Get("Set-Cookie"), "imageapp_session=") {
		t.Errorf("sessions %d; want a fresh one", len(a.Started))
	}
}

// TestSessionForms: ending another device's session goes back to the
// list with "session-ended"; ending this device's is a logout to the login
// page; "log out all other devices" keeps this one; a refusal is an error
// page with the service's words.
func TestSessionForms(t *testing.T) {
	a := &webtest.Accounts{}
	h := newHandlers(a, &fakeMessaging{})
	redirectsTo(t, webtest.Serve(h.EndSessionSubmit, webtest.WithParam(form("/settings/sessions/s-2/end", nil), "sid", "s-2")), "/settings?flash=session-ended#sessions")
	w := webtest.Serve(h.EndSessionSubmit, webtest.WithParam(form("/settings/sessions/s-1/end", nil), "sid", "s-1"))
	redirectsTo(t, w, "/login?flash=logged-out")
	if !webtest.Clears(w, "imageapp_session") {
		t.Errorf("ending this device's session does not clear its cookie")
	}
	redirectsTo(t, webtest.Serve(h.EndOthersSubmit, form("/settings/sessions/end-others", nil)), "/settings?flash=sessions-ended#sessions")
	if !a.Called("EndSession s-2") || !a.Called("EndOtherSessions s-1") {
		t.Errorf("calls %q", a.Calls)
	}
	a.Refuse = map[string]error{"EndSession": imageapp.Errorf(imageapp.ENOTFOUND, "There is no such session.")}
	if w := webtest.Serve(h.EndSessionSubmit, webtest.WithParam(form("/settings/sessions/s-x/end", nil), "sid", "s-x")); w.Code != http.StatusNotFound {
		t.Errorf("not bob's: %d", w.Code)
	}
	a.Refuse = map[string]error{"EndOtherSessions": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	if w := webtest.Serve(h.EndOthersSubmit, form("/settings/sessions/end-others", nil)); w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "The store is busy.") {
		t.Errorf("the others, refused: %d; want 503 with the service's words", w.Code)
	}
}

// TestResendMailForm: asking for the confirmation mail again goes to the
// settings with "mail-again"; mail that cannot go is an error page.
func TestResendMailForm(t *testing.T) {
	m := &mailResend{}
	redirectsTo(t, webtest.Serve(newHandlers(&webtest.Accounts{}, m).ResendMailSubmit, form("/settings/mail/resend", nil)), "/settings?flash=mail-again")
	if m.resent != 1 {
		t.Errorf("resent %d times", m.resent)
	}
	m = &mailResend{err: imageapp.ErrMailUnavailable()}
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, m).ResendMailSubmit, form("/settings/mail/resend", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "Email is unavailable right now.") {
		t.Errorf("mail down: %d", w.Code)
	}
}

// TestDeleteAccountForm: a wrong password shows the page again with the
// service's 403 and words, and the session kept; the right one deletes the account, clears
// the cookie and goes to the login page with "account-deleted".
func TestDeleteAccountForm(t *testing.T) {
	a := &webtest.Accounts{}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).DeleteAccountSubmit, form("/settings/delete", url.Values{"password": {"wrong-guess"}}))
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "That password is not right, so the account was not deleted.") || strings.Contains(w.Body.String(), "wrong-guess") || webtest.Clears(w, "imageapp_session") {
		t.Errorf("a wrong password: %d; want 403 with the service's words, the password not echoed, the session kept: %s", w.Code, w.Body.String())
	}
	w = webtest.Serve(newHandlers(a, &fakeMessaging{}).DeleteAccountSubmit, form("/settings/delete", url.Values{"password": {"correct horse battery"}}))
	redirectsTo(t, w, "/login?flash=account-deleted")
	if !webtest.Clears(w, "imageapp_session") {
		t.Errorf("the cookie is not cleared")
	}
}

// TestEmailCodeForms: the right code goes to the email card with
// "email-changed"; a wrong one shows the settings again, 400, with the
// refusal in the email card; cancelling goes back with "email-cancelled",
// and a cancel the service cannot do shows its 503 in the card.
func TestEmailCodeForms(t *testing.T) {
	a := &webtest.Accounts{NewEmail: "bob@new.example"}
	h := newHandlers(a, &fakeMessaging{})
	redirectsTo(t, webtest.Serve(h.EmailConfirmSubmit, form("/settings/email/confirm", url.Values{"code": {"123456"}, "password": {webtest.Password}})), "/settings?flash=email-changed#email")
	if !a.Called("ConfirmEmailChange 123456") {
		t.Errorf("calls %q; want the code confirmed", a.Calls)
	}
	a.Refuse = map[string]error{"ConfirmEmailChange": imageapp.ErrWrongCode()}
	w := webtest.Serve(h.EmailConfirmSubmit, form("/settings/email/confirm", url.Values{"code": {"000000"}, "password": {webtest.Password}}))
	if w.Code != http.StatusBadRequest || !strings.Contains(card(w.Body.String(), "email"), "That code is wrong.") || strings.Contains(w.Body.String(), webtest.Password) {
		t.Errorf("a wrong code: %d; want 400 with the refusal in the email card, no password: %s", w.Code, card(w.Body.String(), "email"))
	}

	a.Refuse = nil
	redirectsTo(t, webtest.Serve(h.EmailCancelSubmit, form("/settings/email/cancel", nil)), "/settings?flash=email-cancelled#email")
	a.Refuse = map[string]error{"CancelEmailChange": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w = webtest.Serve(h.EmailCancelSubmit, form("/settings/email/cancel", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(card(w.Body.String(), "email"), "The store is busy.") {
		t.Errorf("a cancel refused: %d; want 503 with the refusal in the email card: %s", w.Code, card(w.Body.String(), "email"))
	}
}

// TestPrivacyFormRefused: privacy the service cannot save is an error page
// with its words, never the "saved" flash.
func TestPrivacyFormRefused(t *testing.T) {
	a := &webtest.Accounts{Refuse: map[string]error{"SetPrivacy": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}}
	w := webtest.Serve(newHandlers(a, &fakeMessaging{}).PrivacySubmit, form("/settings/privacy", url.Values{"listed": {"on"}}))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Location") != "" || !strings.Contains(w.Body.String(), "The store is busy.") {
		t.Errorf("%d to %q; want 503 with the service's words", w.Code, w.Header().Get("Location"))
	}
}

// TestDeleteAccountPageSaysWhatGoes: GET /settings/delete asks for the
// password and says for how long the username is kept from others.
func TestDeleteAccountPageSaysWhatGoes(t *testing.T) {
	w := webtest.Serve(newHandlers(&webtest.Accounts{}, &fakeMessaging{}).DeleteAccountPage, asBob(http.MethodGet, "/settings/delete", nil))
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `action="/settings/delete"`) || !strings.Contains(body, `name="password"`) || !strings.Contains(body, "for 90 days") || strings.Contains(body, `role="alert"`) {
		t.Errorf("%d; want the form, the 90 days and no error: %s", w.Code, body)
	}
}

// TestExportPageGoesToTheCard: GET /settings/export (a bookmark, a link
// from another site) goes to the export card, whose POST alone exports.
func TestExportPageGoesToTheCard(t *testing.T) {
	redirectsTo(t, webtest.Serve(newHandlers(&webtest.Accounts{}, &fakeMessaging{}).ExportPage, asBob(http.MethodGet, "/settings/export", nil)), "/settings#export")
}
