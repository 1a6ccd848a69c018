package conformance

import (
	"bytes"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"imageapp/app/imageapp"
	"imageapp/app/passkeys"
)

const (
	passkeyOrigin = "https://imageapp.example"
	passkeyRPID   = "imageapp.example"
)

func (e *env) passkeys(t *testing.T) (*passkeys.Service, *handClock) {
	t.Helper()
	c := &handClock{t: time.Now()}
	svc, err := passkeys.New(passkeys.Config{RPID: passkeyRPID, DisplayName: "ImageApp", Origins: []string{passkeyOrigin}},
		e.Passkeys, e.Ceremonies, e.Users, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return svc, c
}

// addPasskey registers a new software passkey for u.
func (e *env) addPasskey(t *testing.T, svc *passkeys.Service, u imageapp.User, name string) *authenticator {
	t.Helper()
	opts, id, err := svc.BeginRegistration(e.ctx, u)
	if err != nil {
		t.Fatalf("begin registration: %v", err)
	}
	a := newAuthenticator(t)
	if _, err := svc.FinishRegistration(e.ctx, u, id, name, bytes.NewReader(a.register(t, opts, passkeyOrigin))); err != nil {
		t.Fatalf("finish registration: %v", err)
	}
	return a
}

// signInWith runs a username-less sign-in answered by answer.
func (e *env) signInWith(t *testing.T, svc *passkeys.Service, answer func(*testing.T, *protocol.CredentialAssertion) []byte) (imageapp.User, error) {
	t.Helper()
	opts, id, err := svc.BeginLogin(e.ctx)
	if err != nil {
		t.Fatalf("begin login: %v", err)
	}
	return svc.FinishLogin(e.ctx, id, bytes.NewReader(answer(t, opts)))
}

// testPasskeys: a passkey registered from settings signs its owner in with
// no username, and its counter is kept; the list shows it by name; an
// answer from another origin, to a used or expired ceremony, or to a
// ceremony begun for someone else, is refused and stores nothing; a clone
// (a counter that did not go up) is refused; only the owner removes it, and
// a removed passkey signs no one in.
func testPasskeys(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	svc, clock := e.passkeys(t)

	opts, id, err := svc.BeginRegistration(e.ctx, alice)
	if err != nil {
		t.Fatalf("begin registration: %v", err)
	}
	if opts.Response.AuthenticatorSelection.ResidentKey != "required" {
		t.Errorf("resident key = %q; want required (username-less sign-in)", opts.Response.AuthenticatorSelection.ResidentKey)
	}
	stray := newAuthenticator(t)
	_, err = svc.FinishRegistration(e.ctx, alice, id, "phone", bytes.NewReader(stray.register(t, opts, "https://evil.example")))
	wantCode(t, "registration from another origin", err, imageapp.EUNAUTHORIZED)
	opts, id, err = svc.BeginRegistration(e.ctx, alice)
	if err != nil {
		t.Fatalf("begin registration: %v", err)
	}
	_, err = svc.FinishRegistration(e.ctx, bob, id, "phone", bytes.NewReader(stray.register(t, opts, passkeyOrigin)))
	wantCode(t, "alice's registration finished by bob", err, imageapp.EUNAUTHORIZED)
	if list, err := svc.List(e.ctx, alice); err != nil || len(list) != 0 {
		t.Fatalf("passkeys after refused registrations = %v, %v; want none", list, err)
	}

	key := e.addPasskey(t, svc, alice, "  Alice's   phone ")
	list, err := svc.List(e.ctx, alice)
	if err != nil || len(list) != 1 || list[0].Name != "Alice's phone" || !bytes.Equal(list[0].ID, key.id) {
		t.Fatalf("alice's passkeys = %+v, %v; want the one named \"Alice's phone\"", list, err)
	}
	if list, err := svc.List(e.ctx, bob); err != nil || len(list) != 0 {
		t.Errorf("bob's passkeys = %v, %v; want none", list, err)
	}

	got, err := e.signInWith(t, svc, func(t *testing.T, o *protocol.CredentialAssertion) []byte { return key.assert(t, o, passkeyOrigin) })
	if err != nil || got.ID != alice.ID {
		t.Fatalf("sign in with the passkey = %q, %v; want alice", got.Username, err)
	}
	stored, err := e.Passkeys.Passkey(e.ctx, key.id)
	if err != nil || stored.SignCount != key.count || stored.LastUsed.IsZero() {
		t.Errorf("stored after sign-in = count %d, last used %v, %v; want count %d and a last use", stored.SignCount, stored.LastUsed, err, key.count)
	}

	_, err = e.signInWith(t, svc, func(t *testing.T, o *protocol.CredentialAssertion) []byte {
		return key.assertAt(t, o, passkeyOrigin, key.count)
	})
	wantCode(t, "a clone's counter that did not go up", err, imageapp.EUNAUTHORIZED)
	_, err = e.signInWith(t, svc, func(t *testing.T, o *protocol.CredentialAssertion) []byte {
		return key.assert(t, o, "https://evil.example")
	})
	wantCode(t, "an assertion for another origin", err, imageapp.EUNAUTHORIZED)

	lopts, lid, err := svc.BeginLogin(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	answer := key.assert(t, lopts, passkeyOrigin)
	if _, err := svc.FinishLogin(e.ctx, lid, bytes.NewReader(answer)); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	_, err = svc.FinishLogin(e.ctx, lid, bytes.NewReader(key.assert(t, lopts, passkeyOrigin)))
	wantCode(t, "a ceremony answered twice", err, imageapp.EUNAUTHORIZED)

	lopts, lid, err = svc.BeginLogin(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(passkeys.CeremonyTTL + time.Second)
	_, err = svc.FinishLogin(e.ctx, lid, bytes.NewReader(key.assert(t, lopts, passkeyOrigin)))
	wantCode(t, "an expired ceremony", err, imageapp.EUNAUTHORIZED)

	wantCode(t, "bob removes alice's passkey", svc.Remove(e.ctx, bob, passkeys.EncodeID(key.id)), imageapp.ENOTFOUND)
	if err := svc.Remove(e.ctx, alice, passkeys.EncodeID(key.id)); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if list, err := svc.List(e.ctx, alice); err != nil || len(list) != 0 {
		t.Errorf("passkeys after removing = %v, %v; want none", list, err)
	}
	_, err = e.signInWith(t, svc, func(t *testing.T, o *protocol.CredentialAssertion) []byte { return key.assert(t, o, passkeyOrigin) })
	wantCode(t, "a removed passkey", err, imageapp.EUNAUTHORIZED)
	wantCode(t, "remove twice", svc.Remove(e.ctx, alice, passkeys.EncodeID(key.id)), imageapp.ENOTFOUND)
}

// testPasskeyCounterRace: one assertion given to two instances at once
// signs in once, however the reads interleave.
func testPasskeyCounterRace(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	svc, _ := e.passkeys(t)
	key := e.addPasskey(t, svc, alice, "laptop")
	for range 3 {
		key.count++
		if err := e.Passkeys.UsePasskey(e.ctx, key.id, key.count, time.Now()); err != nil {
			t.Fatalf("use at %d: %v", key.count, err)
		}
	}
	wantCode(t, "the same counter again", e.Passkeys.UsePasskey(e.ctx, key.id, key.count, time.Now()), imageapp.ECONFLICT)
	wantCode(t, "a lower counter", e.Passkeys.UsePasskey(e.ctx, key.id, key.count-1, time.Now()), imageapp.ECONFLICT)
	wantCode(t, "an unknown passkey", e.Passkeys.UsePasskey(e.ctx, []byte("nobody"), 9, time.Now()), imageapp.ENOTFOUND)
}
