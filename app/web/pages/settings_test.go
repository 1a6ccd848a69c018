package pages

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/app/web/webtest"
)

// The settings page's handlers against fakes of the services: each fake
// holds what one test needs, and a method it does not set panics through
// the nil interface it embeds.

// allAccounts is what the core and the pages ask of the account service.
type allAccounts interface {
	web.Accounts
	Accounts
}

// allMessaging is what the core and the pages ask of the messaging service.
type allMessaging interface {
	web.Messaging
	Messaging
}

type fakeMessaging struct {
	allMessaging
	blocked    []imageapp.User
	blockedErr error
	unread     int
	mail       imageapp.MailState
}

func (f *fakeMessaging) BlockedPeople(context.Context, imageapp.User) ([]imageapp.User, error) {
	return f.blocked, f.blockedErr
}

func (f *fakeMessaging) UnreadCount(context.Context, imageapp.User) (int, error) {
	return f.unread, nil
}

func (f *fakeMessaging) MailState(context.Context, imageapp.User) (imageapp.MailState, error) {
	return f.mail, nil
}

// bob is who signs in, alice who he writes to.
var bob, alice = webtest.Bob(), webtest.Alice()

// asBob is a request as RequireUser passes it on for bob's session s-1.
func asBob(method, target string, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, target, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return webtest.AsBob(r)
}

// TestSettingsPageShowsEveryCard: GET /settings reads each card's part,
// the people bob blocks, his devices (this one first), his mail and the
// unread count, and shows them.
func TestSettingsPageShowsEveryCard(t *testing.T) {
	now := time.Now()
	a := &webtest.Accounts{Sessions: []imageapp.Session{
		{ID: "s-0", Device: "Firefox on Linux", Created: now, LastSeen: now},
		{ID: "s-1", Device: "Chrome on Android", Created: now, LastSeen: now},
	}}
	m := &fakeMessaging{blocked: []imageapp.User{{ID: "u-eve", Username: "eve"}}, unread: 3, mail: imageapp.MailConfirmed}
	w := httptest.NewRecorder()
	newHandlers(a, m).SettingsPage(w, asBob(http.MethodGet, "/settings", nil))

	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, body)
	}
	for _, want := range []string{"Unblock <span dir=\"auto\">eve</span>", "bob@example.com", `data-state="confirmed"`, "Log out all other devices"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if this, other := strings.Index(body, "Chrome on Android"), strings.Index(body, "Firefox on Linux"); this < 0 || other < 0 || this > other {
		t.Errorf("this device (Chrome) is not listed first: at %d, the other at %d", this, other)
	}
	if !strings.Contains(body, ">3<") {
		t.Errorf("the navigation does not show the 3 unread images")
	}
}

// TestSettingsPageSaysWhatEachMailStateMeans: each state of the
// notification mail says what it means and offers "Send the confirmation
// again" only where that helps; a suppressed address (SES: bounced or
// marked as spam) points to a new address instead.
func TestSettingsPageSaysWhatEachMailStateMeans(t *testing.T) {
	for _, c := range []struct {
		state  imageapp.MailState
		says   string
		resend bool
	}{
		{imageapp.MailConfirmed, "Notifications reach you.", false},
		{imageapp.MailPending, "Waiting for you to confirm.", true},
		{imageapp.MailGone, "Not subscribed.", true},
		{imageapp.MailSuppressed, "Change your email address below to get notifications again.", false},
		{imageapp.MailOutbox, "Written to the outbox.", false},
	} {
		w := httptest.NewRecorder()
		newHandlers(&webtest.Accounts{}, &fakeMessaging{mail: c.state}).SettingsPage(w, asBob(http.MethodGet, "/settings", nil))
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, `data-state="`+string(c.state)+`"`) || !strings.Contains(body, c.says) {
			t.Errorf("mail %s: status %d; the page does not say %q", c.state, w.Code, c.says)
		}
		if got := strings.Contains(body, "Send the confirmation again"); got != c.resend {
			t.Errorf("mail %s: offers to send the confirmation again: %v; want %v", c.state, got, c.resend)
		}
	}
}

// TestSettingsPageFailsWhenACardCannotBeRead: a card the services cannot
// fill is an error page, never a page that says bob blocks nobody.
func TestSettingsPageFailsWhenACardCannotBeRead(t *testing.T) {
	m := &fakeMessaging{blockedErr: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w := httptest.NewRecorder()
	newHandlers(&webtest.Accounts{}, m).SettingsPage(w, asBob(http.MethodGet, "/settings", nil))
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "You block nobody") {
		t.Fatalf("status %d, want 503 without the blocked card: %s", w.Code, w.Body.String())
	}
}

// TestPasswordRefusalShowsInItsCard: a refused change re-renders the
// settings page with the refusal in the password card, the other cards
// read as for GET, and the status of the refusal.
func TestPasswordRefusalShowsInItsCard(t *testing.T) {
	a := &webtest.Accounts{}
	m := &fakeMessaging{blocked: []imageapp.User{{ID: "u-eve", Username: "eve"}}, mail: imageapp.MailPending}
	form := url.Values{"current_password": {"wrong horse"}, "new_password": {"correct horse battery"}}
	w := httptest.NewRecorder()
	newHandlers(a, m).PasswordSubmit(w, asBob(http.MethodPost, "/settings/password", strings.NewReader(form.Encode())))

	body := w.Body.String()
	if w.Code != http.StatusForbidden || !a.Called("ChangePassword wrong horse correct horse battery") {
		t.Fatalf("status %d, calls %q; want 403 after the form's fields reached the service: %s", w.Code, a.Calls, body)
	}
	card := body[strings.Index(body, `id="password"`):]
	card = card[:strings.Index(card, "</section>")]
	if !strings.Contains(card, "That is not your current password.") {
		t.Errorf("the password card lacks the refusal: %s", card)
	}
	if !strings.Contains(body, `Unblock <span dir="auto">eve</span>`) || !strings.Contains(body, `data-state="pending"`) {
		t.Errorf("the other cards are not read as for GET /settings")
	}
}
