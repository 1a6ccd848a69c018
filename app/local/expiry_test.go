package local

import (
	"context"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// An unconfirmed account holds its name while a code it was sent works: a
// new code keeps it a day more, and only when that one has expired may a
// sign-up take the name.
func TestANewCodeKeepsAnUnconfirmedName(t *testing.T) {
	id := newIdentity(t, nil)
	now := time.Now().UTC()
	id.Now = func() time.Time { return now }
	ctx := context.Background()
	if err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "ivan", Email: "squatter@example.com", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	owner := imageapp.SignUpInput{Username: "ivan", Email: "ivan@example.com", Password: "correct horse battery"}
	now = now.Add(20 * time.Hour)
	if err := id.ResendCode(ctx, tester, "ivan"); err != nil {
		t.Fatalf("a new code for the unconfirmed account: %v", err)
	}
	now = now.Add(10 * time.Hour) // past the first code, within the second
	if err := id.SignUp(ctx, tester, owner); imageapp.ErrorCode(err) != imageapp.ECONFLICT {
		t.Fatalf("a sign-up for the name while the new code works: %v; want %s", err, imageapp.ECONFLICT)
	}
	now = now.Add(15 * time.Hour)
	if err := id.SignUp(ctx, tester, owner); err != nil {
		t.Fatalf("a sign-up for the name once every code has expired: %v", err)
	}
	if err := id.Confirm(ctx, tester, "ivan", lastCode(t, id, "ivan@example.com")); err != nil {
		t.Fatalf("the new account confirms: %v", err)
	}
}
