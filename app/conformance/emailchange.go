package conformance

import (
	"fmt"
	"testing"

	"imageapp/app/imageapp"
)

// testEmailChange: a requested change leaves the old address in effect
// (directory, login, reset codes); a wrong password or code is refused;
// the right code moves the account, the directory entry and the
// notifications to the new address, the password still logs in, and a
// reset code goes to the new address.
func testEmailChange(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	svc := e.accounts()
	const newEmail = "alice.new@example.com"

	wantCode(t, "a request with a wrong password", svc.RequestEmailChange(e.ctx, asker, alice, "not the password", newEmail), imageapp.EFORBIDDEN)
	wantCode(t, "a request for a non-address", svc.RequestEmailChange(e.ctx, asker, alice, password, "nope"), imageapp.EINVALID)
	wantCode(t, "a request for the same address", svc.RequestEmailChange(e.ctx, asker, alice, password, emailOf("alice")), imageapp.EINVALID)
	if err := svc.RequestEmailChange(e.ctx, asker, alice, password, newEmail); err != nil {
		t.Fatalf("request the change: %v", err)
	}
	code := e.Code(t, newEmail)
	if p, err := e.Identity.Login(e.ctx, asker, "alice", password); err != nil || p.Email != emailOf("alice") {
		t.Errorf("login before the code = %+v, %v; want the old address", p, err)
	}
	if u, _ := e.Users.UserByID(e.ctx, alice.ID); u.Email != emailOf("alice") {
		t.Errorf("the directory before the code says %q; want the old address", u.Email)
	}

	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000)
	_, err := svc.ConfirmEmailChange(e.ctx, asker, alice, password, wrong)
	wantCode(t, "a wrong code", err, imageapp.EINVALID)
	_, err = svc.ConfirmEmailChange(e.ctx, asker, alice, "not the password", code)
	wantCode(t, "the right code with a wrong password", err, imageapp.EFORBIDDEN)
	if u, _ := e.Users.UserByID(e.ctx, alice.ID); u.Email != emailOf("alice") {
		t.Errorf("after refusals the directory says %q; want the old address", u.Email)
	}

	after, err := svc.ConfirmEmailChange(e.ctx, asker, alice, password, code)
	if err != nil {
		t.Fatalf("confirm the change: %v", err)
	}
	if after.Email != newEmail || after.ID != alice.ID {
		t.Errorf("after the change the user is %+v; want alice at %s", after, newEmail)
	}
	if u, _ := e.Users.UserByID(e.ctx, alice.ID); u.Email != newEmail {
		t.Errorf("the directory after the change says %q; want %s", u.Email, newEmail)
	}
	if st, err := e.Notifier.MailState(e.ctx, after); err != nil || st == imageapp.MailGone {
		t.Errorf("the new address's notification mail: %s, %v; want it subscribed", st, err)
	}
	oldSub := after
	oldSub.Email = emailOf("alice")
	if st, err := e.Notifier.MailState(e.ctx, oldSub); err != nil || st == imageapp.MailConfirmed || st == imageapp.MailPending {
		t.Errorf("the old address's notification mail: %s, %v; want it unsubscribed", st, err)
	}
	p, err := e.Identity.Login(e.ctx, asker, "alice", password)
	if err != nil || p.Email != newEmail {
		t.Errorf("login after the change = %+v, %v; want the new address", p, err)
	}
	if err := e.Identity.ForgotPassword(e.ctx, asker, "alice"); err != nil {
		t.Fatalf("forgot password: %v", err)
	}
	if err := e.Identity.ResetPassword(e.ctx, asker, "alice", e.Code(t, newEmail), "another new passphrase"); err != nil {
		t.Errorf("reset with the code mailed to the new address: %v", err)
	}
}
