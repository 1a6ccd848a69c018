// Package cookiekeys holds the keys that sign and encrypt the session and
// device cookies. They are the app's own, not a backend's: the embedded
// backend keeps them in its secrets file, and an instance without one (AWS
// mode) keeps them in a file of their own in the data directory.
package cookiekeys

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Keys sign (Hash, 64 bytes) and encrypt (Block, 32 bytes) cookies.
type Keys struct {
	Hash  []byte `json:"session_hash_key"`
	Block []byte `json:"session_block_key"`
}

// New returns fresh random keys.
func New() Keys {
	k := Keys{Hash: make([]byte, 64), Block: make([]byte, 32)}
	if _, err := rand.Read(k.Hash); err != nil {
		panic(fmt.Sprintf("cookiekeys: crypto/rand failed: %v", err))
	}
	if _, err := rand.Read(k.Block); err != nil {
		panic(fmt.Sprintf("cookiekeys: crypto/rand failed: %v", err))
	}
	return k
}

// Validate checks the key sizes.
func (k Keys) Validate() error {
	if len(k.Hash) != 64 || len(k.Block) != 32 {
		return fmt.Errorf("cookiekeys: want a 64-byte hash key and a 32-byte block key, have %d and %d bytes", len(k.Hash), len(k.Block))
	}
	return nil
}

// LoadFile reads the keys from path, or creates the file (mode 0600) with
// fresh keys on first run. Two processes starting at once agree: the file
// appears whole or not at all, and the one that loses the race reads the winner's.
func LoadFile(path string) (Keys, error) {
	for range 2 {
		k, err := readFile(path)
		if !errors.Is(err, fs.ErrNotExist) {
			return k, err
		}
		k = New()
		err = createFile(path, k)
		if errors.Is(err, fs.ErrExist) {
			continue // another process made it first: read theirs
		}
		return k, err
	}
	return Keys{}, fmt.Errorf("cookiekeys: %s keeps appearing and vanishing", path)
}

func readFile(path string) (Keys, error) {
	var k Keys
	info, err := os.Stat(path)
	if err != nil {
		return k, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return k, fmt.Errorf("cookiekeys: %s is readable by others (mode %v); run chmod 600 on it", path, info.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return k, err
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return k, fmt.Errorf("cookiekeys: %s is damaged: %w", path, err)
	}
	return k, k.Validate()
}

// createFile publishes a complete file or none: the keys are written to a
// temp file first and hard-linked into place, which fails if path exists.
func createFile(path string, k Keys) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".cookie-keys-*")
	if err != nil {
		return fmt.Errorf("cookiekeys: %w", err)
	}
	defer os.Remove(f.Name())
	raw, err := json.Marshal(k)
	if err == nil {
		_, err = f.Write(raw)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cookiekeys: write %s: %w", path, err)
	}
	return os.Link(f.Name(), path) // fs.ErrExist when another process won
}
