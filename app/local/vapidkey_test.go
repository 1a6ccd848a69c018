package local_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"imageapp/app/local"
	"imageapp/app/webpush"
)

// TestTheVAPIDKeyIsMadeOnceAndKept: a new secrets.json, and one from before
// Web Push, gain a VAPID key that every later load returns unchanged (the
// browsers subscribed under it are reached with it only).
func TestTheVAPIDKeyIsMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	first, err := local.LoadSecrets(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := webpush.ParseKey(first.VAPIDKey); err != nil {
		t.Fatalf("a new secrets.json's VAPID key: %v", err)
	}
	again, err := local.LoadSecrets(dir, "")
	if err != nil || again.VAPIDKey != first.VAPIDKey {
		t.Fatalf("the VAPID key changed across loads (%v)", err)
	}

	path := filepath.Join(dir, "secrets.json")
	var older map[string]any
	raw, _ := os.ReadFile(path)
	if err := json.Unmarshal(raw, &older); err != nil {
		t.Fatal(err)
	}
	delete(older, "vapid_key")
	raw, _ = json.Marshal(older)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	upgraded, err := local.LoadSecrets(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	kept, err := local.LoadSecrets(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if upgraded.VAPIDKey == "" || upgraded.VAPIDKey != kept.VAPIDKey {
		t.Fatal("an older secrets.json did not keep the VAPID key it was given")
	}
	if string(upgraded.RecordKey) != string(first.RecordKey) {
		t.Fatal("adding the VAPID key changed the other secrets")
	}

	older["vapid_key"] = "bm90IGEga2V5"
	raw, _ = json.Marshal(older)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := local.LoadSecrets(dir, ""); err == nil {
		t.Fatal("a damaged VAPID key loaded")
	}
}
