package cookiekeys_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"imageapp/app/cookiekeys"
)

// TestLoadFileKeepsTheKeys: the first run creates the file (0600), later
// runs read the same keys, and processes starting at once agree.
func TestLoadFileKeepsTheKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookie-keys.json")
	var wg sync.WaitGroup
	keys := make([]cookiekeys.Keys, 8)
	errs := make([]error, 8)
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = cookiekeys.LoadFile(path) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil {
			t.Fatalf("load %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i].Hash, keys[0].Hash) || !bytes.Equal(keys[i].Block, keys[0].Block) {
			t.Fatalf("load %d got other keys than load 0", i)
		}
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	again, err := cookiekeys.LoadFile(path)
	if err != nil || !bytes.Equal(again.Hash, keys[0].Hash) {
		t.Fatalf("a restart got other keys (%v)", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cookiekeys.LoadFile(path); err == nil {
		t.Error("a key file readable by others was accepted")
	}
}
