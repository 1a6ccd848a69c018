package conformance

import (
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// testKeptSessions: a session kept signed in is listed as kept, stays kept
// when touched, works while used within KeepSignedInFor and is ended once
// unused longer; ending it ends it.
func testKeptSessions(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	svc := e.accounts()
	now := time.Now().UTC().Truncate(time.Millisecond)
	add := func(id string, keep bool, seen time.Time) {
		t.Helper()
		err := svc.StartSession(e.ctx, alice, imageapp.Session{ID: id, Device: "Firefox on Linux", Created: seen, LastSeen: seen, KeepSignedIn: keep})
		if err != nil {
			t.Fatalf("add session %s: %v", id, err)
		}
	}
	active := func(id string) error {
		t.Helper()
		_, _, err := svc.ActiveSession(e.ctx, alice.ID, alice.Username, id, alice.SessionVersion)
		return err
	}
	add("kept", true, now.Add(-29*24*time.Hour))
	add("stale", true, now.Add(-31*24*time.Hour))
	add("plain", false, now)

	list, err := svc.ListSessions(e.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, s := range list {
		kept[s.ID] = s.KeepSignedIn
	}
	if !kept["kept"] || !kept["stale"] || kept["plain"] {
		t.Errorf("kept flags = %v; want kept and stale kept, plain not", kept)
	}
	if err := active("kept"); err != nil {
		t.Errorf("a kept session used 29 days ago: %v; want it active", err)
	}
	wantCode(t, "a kept session unused for 31 days", active("stale"), imageapp.ENOTFOUND)

	if err := svc.TouchSession(e.ctx, alice, "kept", now); err != nil {
		t.Fatal(err)
	}
	list, err = svc.ListSessions(e.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if list[0].ID != "kept" || !list[0].KeepSignedIn {
		t.Errorf("after a touch, first session = %+v; want kept, still kept signed in", list[0])
	}
	if err := svc.EndSession(e.ctx, alice, "kept"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "an ended kept session", active("kept"), imageapp.ENOTFOUND)
}
