package conformance

import (
	"context"
	"sync/atomic"
	"testing"

	"imageapp/app/imageapp"
)

// testChangePassword: a wrong current password or a weak new one changes
// nothing (and a wrong one is EFORBIDDEN, not a logout); the right one
// sets the new password, the old one stops working, and every session
// version moves on.
func testChangePassword(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	svc := e.accounts()
	const newPassword = "a brand new passphrase"

	_, err := svc.ChangePassword(e.ctx, alice, "not the password", newPassword)
	wantCode(t, "change with a wrong current password", err, imageapp.EFORBIDDEN)
	wantCode(t, "the port, with a wrong current password", e.Identity.ChangePassword(e.ctx, "alice", "not the password", newPassword),
		imageapp.EUNAUTHORIZED)
	_, err = svc.ChangePassword(e.ctx, alice, password, "short")
	wantCode(t, "change to a weak password", err, imageapp.EINVALID)
	wantCode(t, "the port, to a weak password", e.Identity.ChangePassword(e.ctx, "alice", password, "short"), imageapp.EINVALID)
	if _, err := e.Identity.Login(e.ctx, asker, "alice", password); err != nil {
		t.Fatalf("after refused changes the old password no longer logs in: %v", err)
	}
	if u, _ := e.Users.UserByID(e.ctx, alice.ID); u.SessionVersion != alice.SessionVersion {
		t.Errorf("a refused change ended the sessions: version %d → %d", alice.SessionVersion, u.SessionVersion)
	}

	after, err := svc.ChangePassword(e.ctx, alice, password, newPassword)
	if err != nil {
		t.Fatalf("change the password: %v", err)
	}
	if after.ID != alice.ID || after.SessionVersion <= alice.SessionVersion {
		t.Errorf("after the change the user is %+v; want alice with a session version above %d", after, alice.SessionVersion)
	}
	if p, err := e.Identity.Login(e.ctx, asker, "Alice", newPassword); err != nil || p.ID != alice.ID {
		t.Errorf("login with the new password = %+v, %v", p, err)
	}
	_, err = e.Identity.Login(e.ctx, asker, "alice", password)
	wantCode(t, "login with the old password", err, imageapp.EUNAUTHORIZED)
}

// countedNotifier counts the notifications it passes on.
type countedNotifier struct {
	imageapp.Notifier
	n atomic.Int32
}

func (c *countedNotifier) Notify(ctx context.Context, to imageapp.User, n imageapp.Notification) error {
	c.n.Add(1)
	return c.Notifier.Notify(ctx, to, n)
}

// testMailOff: an image sent to a user who turned email notifications
// off notifies nobody (their live inbox still hears of it); on again, one
// notification per image, as for a new user; the other settings stay.
func testMailOff(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	if !imageapp.PrivacyOf(bob).NotifyByMail {
		t.Fatal("a new user has email notifications off")
	}
	notes := &countedNotifier{Notifier: e.svc.Notifier}
	e.svc.Notifier = notes
	events := &recordedEvents{}
	e.svc.Events = events
	e.send(t, alice, "bob", pngImage(t, 8, 8, 5), "")
	if n := notes.n.Load(); n != 1 {
		t.Fatalf("a send to bob (mail on) notified %d times; want 1", n)
	}

	e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true, Listed: true})
	e.send(t, alice, "BOB", pngImage(t, 8, 8, 6), "")
	if n := notes.n.Load(); n != 1 {
		t.Errorf("a send to bob with mail off notified him: %d notifications in all; want still 1", n)
	}
	if got := events.kinds(bob.ID); len(got) != 2 {
		t.Errorf("bob's live inbox heard of %d sends (%v); want both", len(got), got)
	}

	e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true, Listed: true, NotifyByMail: true})
	e.send(t, alice, "bob", pngImage(t, 8, 8, 7), "")
	if n := notes.n.Load(); n != 2 {
		t.Errorf("mail on again: %d notifications in all; want 2", n)
	}
}
