package conformance

import (
	"fmt"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// testSessionRegistry: sessions are listed last seen first with their
// device and times; a touch moves one up and does not bring back an ended
// one; ending one, or all but one, ends exactly those (and a session
// ended is no longer active for the account service); a user's list is
// theirs alone; past MaxSessions the one seen longest ago goes; a
// password change leaves none.
func testSessionRegistry(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	svc := e.accounts()
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	add := func(u imageapp.User, id, device string, at time.Time) {
		t.Helper()
		if err := svc.StartSession(e.ctx, u, imageapp.Session{ID: id, Device: device, Created: at, LastSeen: at}); err != nil {
			t.Fatalf("add session %s: %v", id, err)
		}
	}
	ids := func(u imageapp.User) []string {
		t.Helper()
		list, err := svc.ListSessions(e.ctx, u)
		if err != nil {
			t.Fatalf("sessions of %s: %v", u.Username, err)
		}
		out := make([]string, len(list))
		for i, s := range list {
			out[i] = s.ID
		}
		return out
	}
	add(alice, "laptop", "Firefox on Linux", t0)
	add(alice, "phone", "Chrome on Android", t0.Add(time.Minute))
	add(bob, "bobs", "curl", t0)
	list, err := svc.ListSessions(e.ctx, alice)
	if err != nil || len(list) != 2 || list[0].ID != "phone" || list[0].Device != "Chrome on Android" ||
		!list[0].Created.Equal(t0.Add(time.Minute)) || !list[1].LastSeen.Equal(t0) {
		t.Fatalf("alice's sessions: %+v, %v; want phone then laptop with their devices and times", list, err)
	}
	if err := svc.TouchSession(e.ctx, alice, "laptop", t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(alice)); got != "[laptop phone]" {
		t.Errorf("after touching the laptop: %s; want it first", got)
	}
	if _, s, err := svc.ActiveSession(e.ctx, alice.ID, "alice", "phone", alice.SessionVersion); err != nil || s.ID != "phone" {
		t.Errorf("the phone's session is not active: %v", err)
	}
	_, _, err = svc.ActiveSession(e.ctx, alice.ID, "alice", "bobs", alice.SessionVersion)
	wantCode(t, "bob's session ID in alice's cookie", err, imageapp.ENOTFOUND)
	wantCode(t, "bob ends alice's session", svc.EndSession(e.ctx, bob, "phone"), imageapp.ENOTFOUND)

	if err := svc.EndSession(e.ctx, alice, "phone"); err != nil {
		t.Fatalf("end the phone: %v", err)
	}
	_, _, err = svc.ActiveSession(e.ctx, alice.ID, "alice", "phone", alice.SessionVersion)
	wantCode(t, "the ended phone's session", err, imageapp.ENOTFOUND)
	if err := svc.TouchSession(e.ctx, alice, "phone", t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(alice)); got != "[laptop]" {
		t.Errorf("after ending the phone and touching it: %s; want the laptop only", got)
	}
	if got := fmt.Sprint(ids(bob)); got != "[bobs]" {
		t.Errorf("bob's sessions: %s; want his own, untouched", got)
	}

	// Past MaxSessions, the one seen longest ago goes.
	for i := range imageapp.MaxSessions {
		add(alice, fmt.Sprintf("s%02d", i), "curl", t0.Add(time.Duration(10+i)*time.Minute))
	}
	got := ids(alice)
	if len(got) != imageapp.MaxSessions || got[len(got)-1] == "laptop" || got[0] != fmt.Sprintf("s%02d", imageapp.MaxSessions-1) {
		t.Errorf("after %d more logins: %v; want the newest %d, the laptop gone", imageapp.MaxSessions, got, imageapp.MaxSessions)
	}
	if err := svc.EndOtherSessions(e.ctx, alice, "s05"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(alice)); got != "[s05]" {
		t.Errorf("after ending the others: %s; want [s05]", got)
	}
	if _, err := svc.ChangePassword(e.ctx, alice, password, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	if got := ids(alice); len(got) != 0 {
		t.Errorf("after a password change: %v; want no session (the web layer adds the fresh one)", got)
	}
	add(alice, "again", "Firefox on Linux", t0.Add(time.Hour))
	if got := fmt.Sprint(ids(alice)); got != "[again]" {
		t.Errorf("a login after all ended: %s", got)
	}
}
