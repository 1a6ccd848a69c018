package local

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"imageapp/app/cookiekeys"
	"imageapp/app/webpush"
)

// Secrets are the keys the embedded backend generates on first run and keeps
// in <data>/secrets.json with mode 0600. Back up the data directory with them:
// without the master key no stored message can be opened.
type Secrets struct {
	MasterKey       []byte `json:"master_key"` // wraps every user's key
	cookiekeys.Keys        // sign and encrypt the session and device cookies
	CodePepper      []byte `json:"code_pepper"` // keys the hashes of emailed codes
	// RecordKey is the Ed25519 seed that signs the heads of the decrypt
	// records (decryptlog); added to an older secrets.json on first load.
	RecordKey []byte `json:"record_key"`
	// VAPIDKey signs Web Push requests (webpush.NewKey's encoding); made
	// once and kept, as browsers subscribed under it are reached with it
	// only. Added to an older secrets.json on first load.
	VAPIDKey string `json:"vapid_key,omitempty"`
}

// LoadSecrets reads <dir>/secrets.json, creating it with fresh random keys
// on first run. A master key given by the operator (base64, 32 bytes)
// replaces the stored one and is never written to disk.
func LoadSecrets(dir, masterKeyB64 string) (*Secrets, error) {
	path := filepath.Join(dir, "secrets.json")
	var s Secrets
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("local: %s is damaged: %w", path, err)
		}
		if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("local: %s is readable by others (mode %v); run chmod 600 on it", path, info.Mode().Perm())
		}
	case errors.Is(err, fs.ErrNotExist):
		if what := existingData(dir); what != "" && masterKeyB64 == "" {
			// A new master key would open none of the images: refuse,
			// rather than start and answer every image with a 500.
			return nil, fmt.Errorf("local: %s is missing, but %s holds data (%s) that only the master key in it can open: "+
				"restore secrets.json from your backup of the data directory (or set IMAGEAPP_MASTER_KEY if the data was made with it); "+
				"to start afresh, move the data directory aside", path, dir, what)
		}
		s = Secrets{MasterKey: random(32), Keys: cookiekeys.New(), CodePepper: random(32), RecordKey: random(32)}
		if masterKeyB64 != "" {
			s.MasterKey = nil
		}
		if err := writeFileAtomic(path, mustJSON(s), 0o600); err != nil {
			return nil, fmt.Errorf("local: write %s: %w", path, err)
		}
	default:
		return nil, fmt.Errorf("local: read %s: %w", path, err)
	}
	if len(s.RecordKey) == 0 { // a secrets.json from before the decrypt records
		s.RecordKey = random(32)
		if err := writeFileAtomic(path, mustJSON(s), 0o600); err != nil {
			return nil, fmt.Errorf("local: write %s: %w", path, err)
		}
	}
	if s.VAPIDKey == "" { // a secrets.json from before Web Push
		if s.VAPIDKey, err = webpush.NewKey(); err != nil {
			return nil, err
		}
		if err := writeFileAtomic(path, mustJSON(s), 0o600); err != nil {
			return nil, fmt.Errorf("local: write %s: %w", path, err)
		}
	}
	if _, err := webpush.ParseKey(s.VAPIDKey); err != nil {
		return nil, fmt.Errorf("local: %s: vapid_key: %w", path, err)
	}
	if masterKeyB64 != "" {
		key, err := base64.StdEncoding.DecodeString(masterKeyB64)
		if err != nil || len(key) != 32 {
			return nil, errors.New("local: IMAGEAPP_MASTER_KEY must be 32 bytes, base64-encoded (try: head -c32 /dev/urandom | base64)")
		}
		s.MasterKey = key
	}
	if err := s.Keys.Validate(); err != nil {
		return nil, fmt.Errorf("local: %s: %w", path, err)
	}
	if len(s.RecordKey) != 32 {
		return nil, fmt.Errorf("local: %s: record_key must be 32 bytes", path)
	}
	if len(s.MasterKey) != 32 {
		return nil, fmt.Errorf("local: no master key: %s was created with IMAGEAPP_MASTER_KEY, so set it again", path)
	}
	return &s, nil
}

func random(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("local: crypto/rand failed: %v", err))
	}
	return b
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

// writeFileAtomic writes data to a temp file in the same directory, syncs it
// and renames it over path, so readers see the old file or the new one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// existingData names what in dir was written by an earlier run: the
// database or a stored blob; "" when there is neither.
func existingData(dir string) string {
	if info, err := os.Stat(filepath.Join(dir, "imageapp.db")); err == nil && info.Size() > 0 {
		return "imageapp.db"
	}
	if entries, err := os.ReadDir(filepath.Join(dir, "blobs")); err == nil && len(entries) > 0 {
		return "blobs/"
	}
	return ""
}
