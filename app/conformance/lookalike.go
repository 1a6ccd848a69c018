package conformance

import (
	"fmt"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

func testLookAlikeUsernamesAreRefused(t *testing.T, e *env) {
	svc := e.accounts()
	e.user(t, "alice")
	dave := e.user(t, "dave")
	if err := svc.DeleteAccount(e.ctx, asker, dave, password); err != nil {
		t.Fatalf("delete dave: %v", err)
	}
	for i, name := range []string{"aIice", "ALICE", "a1ice", "alice.", "_alice", "dave.", "dave_", ".dave", "DAVE", "dave--"} {
		err := svc.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: name, Email: fmt.Sprintf("look%d@example.com", i), Password: password})
		wantCode(t, "a sign-up for "+name, err, imageapp.ECONFLICT)
	}
	// The words say the name is too like another, not whose.
	err := svc.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: "aIice", Email: "look@example.com", Password: password})
	if want := imageapp.ErrUsernameTooSimilar("aIice").Message; imageapp.ErrorMessage(err) != want {
		t.Errorf("the refusal of aIice reads %q; want %q", imageapp.ErrorMessage(err), want)
	}
	// Names that only share letters stay free.
	for i, name := range []string{"alicia", "davey"} {
		if err := svc.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: name, Email: fmt.Sprintf("free%d@example.com", i), Password: password}); err != nil {
			t.Errorf("a sign-up for %s, unlike any name: %v", name, err)
		}
	}
}

func testUnconfirmedAccountsLoseTheirNameWithTheirCode(t *testing.T, e *env) {
	svc := e.accounts()
	squat := imageapp.SignUpInput{Username: "ivan", Email: "squatter@example.com", Password: "squatter's password"}
	if err := svc.SignUp(e.ctx, asker, squat); err != nil {
		t.Fatalf("the squatter's sign-up: %v", err)
	}
	owner := imageapp.SignUpInput{Username: "ivan", Email: "ivan@example.com", Password: password}
	err := svc.SignUp(e.ctx, asker, owner)
	wantCode(t, "a sign-up for a name whose unconfirmed account's code is good", err, imageapp.ECONFLICT)

	// (A new code renews the claim: cognito-local has no
	// ResendConfirmationCode, so each backend's own tests show it.)
	e.PassTime(25 * time.Hour) // the squatter's code has expired
	if err := svc.SignUp(e.ctx, asker, owner); err != nil {
		t.Fatalf("a sign-up for a name whose unconfirmed account's code has expired: %v", err)
	}
	if err := svc.Confirm(e.ctx, asker, "ivan", e.Code(t, "ivan@example.com")); err != nil {
		t.Fatalf("the new account confirms: %v", err)
	}
	if _, err := svc.Login(e.ctx, asker, "ivan", password); err != nil {
		t.Fatalf("the new account logs in: %v", err)
	}
	_, err = e.Identity.Login(e.ctx, asker, "ivan", squat.Password)
	wantCode(t, "the squatter's password", err, imageapp.EUNAUTHORIZED)
	err = svc.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: "ivan", Email: "late@example.com", Password: password})
	wantCode(t, "a sign-up for the confirmed name", err, imageapp.ECONFLICT)
}
