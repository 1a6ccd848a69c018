package local_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"imageapp/app/local"
)

// TestAnOlderSecretsFileGetsARecordKeyOnce: a secrets.json from before the
// decrypt records gains a record key on first load, kept on disk, so the
// records' heads verify with the same key after every restart.
func TestAnOlderSecretsFileGetsARecordKeyOnce(t *testing.T) {
	dir := t.TempDir()
	first, err := local.LoadSecrets(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "secrets.json")
	var older map[string]any
	raw, _ := os.ReadFile(path)
	if err := json.Unmarshal(raw, &older); err != nil {
		t.Fatal(err)
	}
	delete(older, "record_key")
	raw, _ = json.Marshal(older)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}

	upgraded, err := local.LoadSecrets(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	again, err := local.LoadSecrets(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(upgraded.RecordKey) != 32 || !bytes.Equal(upgraded.RecordKey, again.RecordKey) {
		t.Fatalf("record key %d bytes, then %d, equal %v; want one 32-byte key kept", len(upgraded.RecordKey), len(again.RecordKey), bytes.Equal(upgraded.RecordKey, again.RecordKey))
	}
	if !bytes.Equal(upgraded.MasterKey, first.MasterKey) || !bytes.Equal(upgraded.CodePepper, first.CodePepper) {
		t.Fatal("adding the record key changed the other secrets")
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secrets.json mode after the upgrade: %v, %v; want 0600", info.Mode().Perm(), err)
	}
}
