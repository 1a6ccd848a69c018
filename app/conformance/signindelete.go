package conformance

import (
	"bytes"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// testDeleteAccountForgetsSignIn: deleting an account removes its
// two-factor enrolment, passkeys and push subscriptions, and its passkey
// signs no one in; another user's stay.
func testDeleteAccountForgetsSignIn(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	tf, clock := e.twoFactor(roomyRule)
	pk, _ := e.passkeys(t)
	var bobsKey *authenticator
	for _, u := range []imageapp.User{alice, bob} {
		e.twoFactorOn(t, tf, clock, u)
		key := e.addPasskey(t, pk, u, "phone")
		if u.ID == bob.ID {
			bobsKey = key
		}
		if err := e.Push.AddPushSubscription(e.ctx, imageapp.PushSubscription{UserID: u.ID, Endpoint: "https://push.example/" + u.Username,
			P256dh: make([]byte, 65), Auth: make([]byte, 16), Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.accounts().DeleteAccount(e.ctx, asker, bob, password); err != nil {
		t.Fatalf("delete bob: %v", err)
	}
	if _, err := e.TwoFactor.TwoFactor(e.ctx, bob.ID); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("bob's two-factor after deletion: %v; want it gone", err)
	}
	if list, err := e.Passkeys.Passkeys(e.ctx, bob.ID); err != nil || len(list) != 0 {
		t.Errorf("bob's passkeys after deletion = %d, %v; want none", len(list), err)
	}
	if subs, err := e.Push.PushSubscriptionsOf(e.ctx, bob.ID); err != nil || len(subs) != 0 {
		t.Errorf("bob's push subscriptions after deletion = %d, %v; want none", len(subs), err)
	}
	opts, id, err := pk.BeginLogin(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pk.FinishLogin(e.ctx, id, bytes.NewReader(bobsKey.assert(t, opts, passkeyOrigin)))
	wantCode(t, "a deleted account's passkey", err, imageapp.EUNAUTHORIZED)

	if on, err := tf.Enabled(e.ctx, alice); err != nil || !on {
		t.Errorf("alice's two-factor after bob's deletion = %v, %v; want on", on, err)
	}
	if list, err := e.Passkeys.Passkeys(e.ctx, alice.ID); err != nil || len(list) != 1 {
		t.Errorf("alice's passkeys after bob's deletion = %d, %v; want 1", len(list), err)
	}
	if subs, err := e.Push.PushSubscriptionsOf(e.ctx, alice.ID); err != nil || len(subs) != 1 {
		t.Errorf("alice's push subscriptions after bob's deletion = %d, %v; want 1", len(subs), err)
	}
}
