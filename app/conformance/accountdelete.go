package conformance

import (
	"bytes"
	"log/slog"
	"testing"

	"imageapp/app/accounts"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

func (e *env) accounts() *accounts.Service {
	return &accounts.Service{Identity: e.Identity, Users: e.Users, Sessions: e.Sessions, Provision: e.svc.Provision,
		Keys: e.Keys, Notifier: e.Notifier, Mailbox: e.svc, Log: slog.New(slog.DiscardHandler),
		SignIn: accounts.SignInStores{TwoFactor: e.TwoFactor, Passkeys: e.Passkeys, Push: e.Push}}
}

func testDeleteAccount(t *testing.T, e *env) {
	alice, bob, carol := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol")
	img := pngImage(t, 24, 24, 3)
	toBob := e.send(t, alice, "bob", img, "for bob")
	e.send(t, carol, "bob", img, "")
	fromBob := e.send(t, bob, "alice", img, "from bob")
	blob := readBlob(t, e, toBob.ID)
	svc := e.accounts()

	err := svc.DeleteAccount(e.ctx, asker, bob, "not the password")
	wantCode(t, "delete with a wrong password", err, imageapp.EFORBIDDEN)
	if _, err := e.readImage(bob, toBob.ID); err != nil {
		t.Fatalf("after a refused deletion bob still reads his image: %v", err)
	}

	if err := svc.DeleteAccount(e.ctx, asker, bob, password); err != nil {
		t.Fatalf("delete bob's account: %v", err)
	}
	// His key is gone: what it wrapped opens with no key the system holds.
	if _, err := e.Keys.Decrypt(e.ctx, toBob.KeyID, toBob.WrappedKey, e.svc.ContextOf(toBob).Map()); err == nil {
		t.Error("bob's key still unwraps the data key of an image sent to him")
	}
	if e.opensWithAnyKey(t, blob, toBob, alice, carol) {
		t.Error("an image sent to bob still opens with a key the system holds")
	}
	if exists, _ := e.Messages.MessageExists(e.ctx, toBob.ID); exists {
		t.Error("a message sent to bob is still stored")
	}
	for _, k := range blobKeys(t, e) {
		if k == toBob.ID {
			t.Error("the blob of an image sent to bob is still stored")
		}
	}
	// He is gone from the directory, cannot log in, and his name is kept.
	_, err = e.Users.UserByUsername(e.ctx, "bob")
	wantCode(t, "bob in the directory", err, imageapp.ENOTFOUND)
	_, err = e.Identity.Login(e.ctx, asker, "bob", password)
	wantCode(t, "bob logs in", err, imageapp.EUNAUTHORIZED)
	err = svc.SignUp(e.ctx, asker, imageapp.SignUpInput{Username: "BOB", Email: "new@example.com", Password: password})
	wantCode(t, "a new account takes the name bob", err, imageapp.ECONFLICT)
	if retired, err := e.Users.UsernameRetired(e.ctx, "Bob"); err != nil || !retired {
		t.Errorf("UsernameRetired(Bob) = %v, %v; want true", retired, err)
	}
	if people := searchAll(t, e, "b", 10); len(people) != 0 {
		t.Errorf("the directory still lists %v", people)
	}
	// What he sent stays with its recipient.
	if got, err := e.readImage(alice, fromBob.ID); err != nil || len(got) == 0 {
		t.Errorf("alice reads the image bob sent her: %d bytes, %v", len(got), err)
	}
	_, err = e.svc.Send(e.ctx, alice, sendTo("bob", img))
	wantCode(t, "a send to the deleted bob", err, imageapp.ENOTFOUND)
}

func sendTo(to string, img []byte) messaging.SendInput {
	return messaging.SendInput{To: to, Body: bytes.NewReader(img)}
}
