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
	a := &accountService{}
	u := bob
	u.NoMail = true
	r := web.AsUser(form("/settings/privacy", url.Values{"listed": {"on"}, "message_requests": {"on"}}), u, "s-1", time.Now())
	redirectsTo(t, serve(newHandlers(a, &fakeMessaging{}).PrivacySubmit, r), "/settings?flash=privacy-saved#privacy")
	if want := (imageapp.Privacy{ReadReceipts: false, Listed: true, NotifyByMail: false, MessageRequests: true}); len(a.privacy) != 1 || a.privacy[0] != want {
		t.Errorf("saved %+v; want %+v", a.privacy, want)
	}
}

// TestNotificationsFormKeepsThePrivacy: the mail form saves only the mail
// setting and goes to the top of the settings with its flash; a refusal is
// an error page, not a redirect that says it was saved.
func TestNotificationsFormKeepsThePrivacy(t *testing.T) {
	a := &accountService{}
	u := bob
	u.Hidden = true
	r := web.AsUser(form("/settings/notifications", url.Values{}), u, "s-1", time.Now())
	redirectsTo(t, serve(newHandlers(a, &fakeMessaging{}).NotificationsSubmit, r), "/settings?flash=notifications-saved")
	if want := (imageapp.Privacy{ReadReceipts: true, Listed: false, NotifyByMail: false}); len(a.privacy) != 1 || a.privacy[0] != want {
		t.Errorf("saved %+v; want %+v", a.privacy, want)
	}
	a = &accountService{refuse: map[string]error{"SetPrivacy": imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}}
	w := serve(newHandlers(a, &fakeMessaging{}).NotificationsSubmit, form("/settings/notifications", url.Values{"notify_by_mail": {"on"}}))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Location") != "" || !strings.Contains(w.Body.String(), "The store is busy.") {
		t.Errorf("refused: %d to %q", w.Code, w.Header().Get("Location"))
	}
}

// TestEmailFormErrorShowsInItsCard: a refused email change re-renders the
// settings page at the refusal's status with the error in the email card,
// never echoing the password; a request goes to the card with its flash.
func TestEmailFormErrorShowsInItsCard(t *testing.T) {
	a := &accountService{refuse: map[string]error{"RequestEmailChange": imageapp.Errorf(imageapp.EINVALID, "Enter an email address like name@example.com.")}}
	w := serve(newHandlers(a, &fakeMessaging{}).EmailSubmit, form("/settings/email", url.Values{"new_email": {"not-an-address"}, "password": {"correct horse battery"}}))
	body := w.Body.String()
	if w.Code != http.StatusBadRequest || !strings.Contains(card(body, "email"), "Enter an email address like name@example.com.") || strings.Contains(body, "correct horse battery") {
		t.Errorf("%d; want 400 with the error in the email card and no password: %s", w.Code, card(body, "email"))
	}
	a = &accountService{}
	redirectsTo(t, serve(newHandlers(a, &fakeMessaging{}).EmailSubmit, form("/settings/email", url.Values{"new_email": {"bob@new.example"}, "password": {"correct horse battery"}})),
		"/settings?flash=email-code-sent#email")
	if !a.called("RequestEmailChange bob@new.example") {
		t.Errorf("calls %q", a.calls)
	}
}

// TestPasswordFormGoesToTheTop: a changed password goes to the top of the
// settings with its flash, with a fresh session for this device.
func TestPasswordFormGoesToTheTop(t *testing.T) {
	a := &accountService{}
	a.changePassword = func(current, next string) (imageapp.User, error) { return bob, nil }
	w := serve(newHandlers(a, &fakeMessaging{}).PasswordSubmit, form("/settings/password", url.Values{"current_password": {"correct horse battery"}, "new_password": {"a new long one"}}))
	redirectsTo(t, w, "/settings?flash=password-changed")
	if len(a.started) != 1 || !strings.Contains(w.Header().Get("Set-Cookie"), "imageapp_session=") {
		t.Errorf("sessions %d; want a fresh one", len(a.started))
	}
}

// TestSessionForms: ending another device's session goes back to the
// list with "session-ended"; ending this device's is a logout to the login
// page; "log out all other devices" keeps this one.
func TestSessionForms(t *testing.T) {
	a := &accountService{}
	h := newHandlers(a, &fakeMessaging{})
	redirectsTo(t, serve(h.EndSessionSubmit, withParam(form("/settings/sessions/s-2/end", nil), "sid", "s-2")), "/settings?flash=session-ended#sessions")
	w := serve(h.EndSessionSubmit, withParam(form("/settings/sessions/s-1/end", nil), "sid", "s-1"))
	redirectsTo(t, w, "/login?flash=logged-out")
	if !clears(w, "imageapp_session") {
		t.Errorf("ending this device's session does not clear its cookie")
	}
	redirectsTo(t, serve(h.EndOthersSubmit, form("/settings/sessions/end-others", nil)), "/settings?flash=sessions-ended#sessions")
	if !a.called("EndSession s-2") || !a.called("EndOtherSessions s-1") {
		t.Errorf("calls %q", a.calls)
	}
	a.refuse = map[string]error{"EndSession": imageapp.Errorf(imageapp.ENOTFOUND, "There is no such session.")}
	if w := serve(h.EndSessionSubmit, withParam(form("/settings/sessions/s-x/end", nil), "sid", "s-x")); w.Code != http.StatusNotFound {
		t.Errorf("not bob's: %d", w.Code)
	}
}

// TestResendMailForm: asking for the confirmation mail again goes to the
// settings with "mail-again"; mail that cannot go is an error page.
func TestResendMailForm(t *testing.T) {
	m := &mailResend{}
	redirectsTo(t, serve(newHandlers(&accountService{}, m).ResendMailSubmit, form("/settings/mail/resend", nil)), "/settings?flash=mail-again")
	if m.resent != 1 {
		t.Errorf("resent %d times", m.resent)
	}
	m = &mailResend{err: imageapp.ErrMailUnavailable()}
	w := serve(newHandlers(&accountService{}, m).ResendMailSubmit, form("/settings/mail/resend", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "Email is unavailable right now.") {
		t.Errorf("mail down: %d", w.Code)
	}
}

// TestDeleteAccountForm: a wrong password shows the page again, 401, with
// the error and the session kept; the right one deletes the account, clears
// the cookie and goes to the login page with "account-deleted".
func TestDeleteAccountForm(t *testing.T) {
	a := &accountService{}
	w := serve(newHandlers(a, &fakeMessaging{}).DeleteAccountSubmit, form("/settings/delete", url.Values{"password": {"wrong-guess"}}))
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "The username or password is wrong.") || strings.Contains(w.Body.String(), "wrong-guess") || clears(w, "imageapp_session") {
		t.Errorf("a wrong password: %d: %s", w.Code, w.Body.String())
	}
	w = serve(newHandlers(a, &fakeMessaging{}).DeleteAccountSubmit, form("/settings/delete", url.Values{"password": {"correct horse battery"}}))
	redirectsTo(t, w, "/login?flash=account-deleted")
	if !clears(w, "imageapp_session") {
		t.Errorf("the cookie is not cleared")
	}
}
