package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// A sign-up's claim holds its name and every look-alike while its code
// works, a new code renews it, a user holds the skeleton for good, and a
// claim whose time is over is taken over.
func TestAClaimHoldsTheNameAndItsLookAlikesWhileItsCodeWorks(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	now := time.Now().UTC()
	f.users.Now = func() time.Time { return now }
	day := 24 * time.Hour
	claim := func(name string) error { return f.users.ClaimUsername(ctx, name, now.Add(day)) }
	refused := func(what, name string) {
		t.Helper()
		if err := claim(name); imageapp.ErrorCode(err) != imageapp.ECONFLICT {
			t.Errorf("%s: claim %q = %v; want %s", what, name, err, imageapp.ECONFLICT)
		}
	}

	if err := claim("ivan"); err != nil {
		t.Fatalf("the first claim of ivan: %v", err)
	}
	refused("the claim runs", "Ivan")
	refused("the claim runs", "1van")
	now = now.Add(20 * time.Hour)
	if err := f.users.ExtendClaim(ctx, "ivan", now.Add(day)); err != nil {
		t.Fatalf("extend the claim: %v", err)
	}
	now = now.Add(10 * time.Hour)
	refused("the extended claim runs", "ivan")
	refused("the extended claim runs", "ivan.")
	now = now.Add(15 * time.Hour)
	if err := claim("1van"); err != nil {
		t.Fatalf("a look-alike's claim once ivan's is over: %v", err)
	}
	if err := f.users.PutUser(ctx, imageapp.User{ID: "id-1van", Username: "1van", Email: "i@example.com", KeyID: "k", Topic: "t"}); err != nil {
		t.Fatalf("provision 1van: %v", err)
	}
	now = now.Add(30 * day)
	refused("1van is a user", "ivan")
	refused("1van is a user", "1van")

	if err := claim("zoe"); err != nil {
		t.Fatal(err)
	}
	if err := f.users.ReleaseClaim(ctx, "zoe", now.Add(day)); err != nil {
		t.Fatalf("release zoe's claim: %v", err)
	}
	if err := claim("z0e"); err != nil {
		t.Errorf("a look-alike's claim after zoe's was released: %v", err)
	}
}
