package server

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"testing"

	"imageapp/app/decryptlog"
	"imageapp/app/imageapp"
)

// TestViewsOverHTTPAreInTheOwnersRecord: the views a browser makes land in
// the record of the recipient, whose key opened them, written off the
// request path, and the record's key outlives a restart (secrets.json), so
// the chain still verifies with the same public key afterwards.
func TestViewsOverHTTPAreInTheOwnersRecord(t *testing.T) {
	dir := t.TempDir()
	a := startApp(t, dir)
	a.signUp("alice")
	bob := a.signUp("bob")
	id := a.sendDirect("alice", "bob", 1)[0]
	if r := bob.get("/api/messages/" + id + "/image"); r.status != http.StatusOK {
		t.Fatalf("view: %d", r.status)
	}
	if r := bob.get("/messages/" + id); r.status != http.StatusOK {
		t.Fatalf("message page: %d", r.status)
	}
	a.app.DecryptRecords().Wait()
	pub := a.app.DecryptRecords().PublicKey()
	u, err := a.backend.Users.UserByUsername(context.Background(), "bob")
	must(t, err)
	got := readRecord(t, a, pub, u.ID)
	want := []imageapp.DecryptPurpose{imageapp.PurposeOpenPage, imageapp.PurposeView, imageapp.PurposePreview}
	if len(got) != len(want) {
		t.Fatalf("bob's record has %d entries; want %d (%v)", len(got), len(want), want)
	}
	for i, w := range want {
		if got[i].Purpose != w || got[i].MessageID != id {
			t.Errorf("entry %d: %s of %s; want %s of %s", got[i].Seq, got[i].Purpose, got[i].MessageID, w, id)
		}
	}
	if got[0].By.UserID != u.ID {
		t.Errorf("the page's entry names %q as who asked; want bob", got[0].By.UserID)
	}

	a.stop()
	a = startApp(t, dir)
	bob = a.client()
	if r := bob.postForm("/login", map[string][]string{"username": {"bob"}, "password": {"correct horse battery"}}); r.status != http.StatusOK {
		t.Fatalf("login after restart: %d", r.status)
	}
	if r := bob.get("/api/messages/" + id + "/image"); r.status != http.StatusOK {
		t.Fatalf("view after restart: %d", r.status)
	}
	a.app.DecryptRecords().Wait()
	if !a.app.DecryptRecords().PublicKey().Equal(pub) {
		t.Fatal("the record key changed with the restart: older heads no longer verify")
	}
	// The inbox the login lands on unwraps the thumbnail key (a new
	// process: a cold cache), then the view.
	got = readRecord(t, a, pub, u.ID)
	if len(got) != 5 || got[0].Purpose != imageapp.PurposeView || got[1].Purpose != imageapp.PurposePreviewKey {
		t.Fatalf("after a restart the record has %d entries, newest %v; want 5, a view after a preview key unwrap", len(got), got[0].Purpose)
	}
}

func readRecord(t *testing.T, a *testApp, pub ed25519.PublicKey, userID string) []imageapp.DecryptEntry {
	t.Helper()
	head, err := a.backend.records.RecordHead(context.Background(), userID)
	must(t, err)
	entries, err := a.backend.records.RecordEntries(context.Background(), userID, 0, 100)
	must(t, err)
	if err := decryptlog.Verify(pub, head, entries); err != nil {
		t.Fatalf("the record does not verify: %v", err)
	}
	return entries
}
