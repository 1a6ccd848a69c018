package conformance

import (
	"io"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// testGoneMessagesSayWhatHappened: once a message is deleted (by either of
// its people), viewed once or expired, its two people learn which — for
// imageapp.TombstoneRetention — while anybody else gets the same answer as
// for an ID that never existed; the account's deletion takes the
// tombstones with it.
func testGoneMessagesSayWhatHappened(t *testing.T, e *env) {
	alice, bob, eve := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "eve")
	img := pngImage(t, 8, 8, 3)
	byBob := e.send(t, alice, "bob", img, "private caption")
	byAlice := e.send(t, alice, "bob", img, "")
	once := e.sendKeep(t, alice, "bob", "once", "", img)
	expiring := e.sendKeep(t, alice, "bob", "1h", "", img)

	if err := e.svc.Delete(e.ctx, bob, byBob.ID); err != nil {
		t.Fatalf("bob deletes: %v", err)
	}
	if err := e.svc.Delete(e.ctx, alice, byAlice.ID); err != nil {
		t.Fatalf("alice deletes: %v", err)
	}
	_, view, err := e.svc.ViewOnce(e.ctx, bob, once.ID)
	if err != nil {
		t.Fatalf("bob views the view-once image: %v", err)
	}
	io.Copy(io.Discard, view)
	view.Close()
	e.clock.advance(time.Hour + time.Second)
	if n, err := e.svc.SweepExpired(e.ctx); err != nil || n != 1 {
		t.Fatalf("SweepExpired shredded %d (%v); want 1", n, err)
	}

	cases := []struct {
		id         string
		code       string
		alice, bob string
	}{
		{byBob.ID, imageapp.EDELETED, "bob deleted this image.", "You deleted this image."},
		{byAlice.ID, imageapp.EDELETED, "You deleted this image.", "alice deleted this image."},
		{once.ID, imageapp.EVIEWEDONCE, "This image was viewed once and is gone.", "This image was viewed once and is gone."},
		{expiring.ID, imageapp.EEXPIRED, "This image expired and is gone for good.", "This image expired and is gone for good."},
	}
	_, never := e.svc.Open(e.ctx, eve, "never-was-a-message")
	wantCode(t, "an ID that never existed", never, imageapp.ENOTFOUND)
	for _, c := range cases {
		for _, v := range []struct {
			who  imageapp.User
			want string
		}{{alice, c.alice}, {bob, c.bob}} {
			_, err := e.svc.Open(e.ctx, v.who, c.id)
			if imageapp.ErrorCode(err) != c.code || imageapp.ErrorMessage(err) != v.want {
				t.Errorf("%s opens %s: %v; want %s %q", v.who.Username, c.id, err, c.code, v.want)
			}
			if _, ok := imageapp.Gone(err); !ok {
				t.Errorf("%s opens %s: %v is no imageapp.GoneError", v.who.Username, c.id, err)
			}
			_, err = e.svc.OpenImage(e.ctx, v.who, c.id)
			if imageapp.ErrorCode(err) != c.code {
				t.Errorf("%s reads the image of %s: %v; want %s", v.who.Username, c.id, err, c.code)
			}
		}
		_, err := e.svc.Open(e.ctx, eve, c.id)
		if imageapp.ErrorCode(err) != imageapp.ENOTFOUND || imageapp.ErrorMessage(err) != imageapp.ErrorMessage(never) {
			t.Errorf("eve opens %s: %v; want exactly the answer for an ID that never existed (%v)", c.id, err, never)
		}
		if err := e.svc.Delete(e.ctx, eve, c.id); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			t.Errorf("eve deletes %s: %v; want ENOTFOUND", c.id, err)
		}
	}

	// The account's deletion takes the tombstones of both people with it.
	if _, err := e.svc.PurgeReceived(e.ctx, bob.ID); err != nil {
		t.Fatalf("purge bob's account: %v", err)
	}
	for _, id := range []string{byBob.ID, once.ID} {
		_, err := e.svc.Open(e.ctx, alice, id)
		wantCode(t, "alice opens a message of a deleted account", err, imageapp.ENOTFOUND)
	}

	// A tombstone outlives its message for a bounded time only.
	if err := e.svc.Delete(e.ctx, alice, e.send(t, alice, "eve", img, "").ID); err != nil {
		t.Fatalf("alice deletes another: %v", err)
	}
	late := e.send(t, alice, "eve", img, "")
	if err := e.svc.Delete(e.ctx, eve, late.ID); err != nil {
		t.Fatalf("eve deletes: %v", err)
	}
	e.clock.advance(imageapp.TombstoneRetention - time.Minute)
	_, err = e.svc.Open(e.ctx, alice, late.ID)
	wantCode(t, "a tombstone within its retention", err, imageapp.EDELETED)
	e.clock.advance(2 * time.Minute)
	_, err = e.svc.Open(e.ctx, alice, late.ID)
	wantCode(t, "a tombstone past its retention", err, imageapp.ENOTFOUND)
}
