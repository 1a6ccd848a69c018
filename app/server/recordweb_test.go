package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"imageapp/app/imageapp"
)

// TestTheRecordNamesTheSessionAndWhy: a view, a download and an export
// over HTTP land in the owner's decrypt record with the session that asked,
// its device as the sessions page names it, and the purpose; the export
// carries the record as decrypt-record.json, which verifyrecord checks.
func TestTheRecordNamesTheSessionAndWhy(t *testing.T) {
	a := startApp(t, t.TempDir())
	a.signUp("alice")
	a.signUp("bob")
	id := a.sendDirect("alice", "bob", 1)[0]
	bob := a.loginWith("bob", "correct horse battery", firefoxLinux)

	var sessions struct {
		Sessions []listedSession `json:"sessions"`
	}
	r := bob.get("/api/me/sessions")
	must(t, json.Unmarshal([]byte(r.body), &sessions))
	var current listedSession
	for _, s := range sessions.Sessions {
		if s.Current {
			current = s
		}
	}
	if current.ID == "" || current.Device != "Firefox on Linux" {
		t.Fatalf("bob's current session: %+v (%s)", current, r.body)
	}

	u, err := a.backend.Users.UserByUsername(context.Background(), "bob")
	must(t, err)
	pub := a.app.DecryptRecords().PublicKey()
	newest := func(n int) []imageapp.DecryptEntry {
		t.Helper()
		a.app.DecryptRecords().Wait()
		got := readRecord(t, a, pub, u.ID)
		if len(got) < n {
			t.Fatalf("bob's record has %d entries; want at least %d", len(got), n)
		}
		return got[:n]
	}
	bySession := func(what string, e imageapp.DecryptEntry, purpose imageapp.DecryptPurpose) {
		t.Helper()
		if e.Purpose != purpose || e.MessageID != id || e.By.Session != current.ID || e.By.Device != current.Device || e.By.UserID != u.ID {
			t.Errorf("%s: recorded %s of %s by %+v; want %s of %s by session %s (%s)", what, e.Purpose, e.MessageID, e.By, purpose, id, current.ID, current.Device)
		}
	}

	if r := bob.get("/api/messages/" + id + "/image"); r.status != http.StatusOK {
		t.Fatalf("view: %d", r.status)
	}
	bySession("a view", newest(1)[0], imageapp.PurposeView)

	if r := bob.get("/messages/" + id); r.status != http.StatusOK {
		t.Fatalf("message page: %d", r.status)
	}
	bySession("the message page", newest(1)[0], imageapp.PurposeOpenPage)

	if r := bob.get("/api/messages/" + id + "/image?download=1"); r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q", r.status, r.header.Get("Content-Disposition"))
	}
	for _, e := range newest(2) { // the image, and its file name for the download's name
		bySession("a download", e, imageapp.PurposeDownload)
	}

	r = bob.postForm("/settings/export", nil)
	if r.status != http.StatusOK {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	for _, e := range newest(2) { // the caption and file name, then the image
		bySession("the export", e, imageapp.PurposeExport)
	}

	files, _ := openExport(t, []byte(r.body))
	record, ok := files["decrypt-record.json"]
	if !ok {
		t.Fatal("the export has no decrypt-record.json")
	}
	var page struct {
		Entries []json.RawMessage `json:"entries"`
	}
	must(t, json.Unmarshal(record, &page))
	if all := readRecord(t, a, pub, u.ID); len(page.Entries) != len(all) {
		t.Errorf("decrypt-record.json has %d entries; the record %d", len(page.Entries), len(all))
	}

	// The command a person runs on their export, with the app's key pinned.
	dir := t.TempDir()
	file := filepath.Join(dir, "decrypt-record.json")
	must(t, os.WriteFile(file, record, 0o600))
	// The key as a person fetches it to pin (no login needed).
	kr := a.client().get("/.well-known/imageapp-record-key")
	key := strings.TrimSpace(kr.body)
	if kr.status != http.StatusOK || key != base64.StdEncoding.EncodeToString(pub) {
		t.Fatalf("GET /.well-known/imageapp-record-key: %d %q; want the record key", kr.status, kr.body)
	}
	verify := func(path string) (string, error) {
		cmd := exec.Command("go", "run", "./app/cmd/verifyrecord", "-key", key, path)
		cmd.Dir = "../.."
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(file); err != nil {
		t.Fatalf("verifyrecord on the export's record: %v\n%s", err, out)
	}
	// One entry edited (the export said a view): the command names it.
	tampered := strings.Replace(string(record), `"purpose": "export"`, `"purpose": "view"`, 1)
	if tampered == string(record) {
		t.Fatalf("no export entry to edit in %s", record)
	}
	must(t, os.WriteFile(file, []byte(tampered), 0o600))
	if out, err := verify(file); err == nil || !strings.Contains(out, "entry") {
		t.Fatalf("verifyrecord passed an edited record: %v\n%s", err, out)
	}
}
