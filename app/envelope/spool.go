package envelope

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
)

// Spool holds bytes on disk for a short while (an upload whose recipient is
// not known yet). The file is unlinked at once and encrypted under a key that
// lives only in memory, so the plaintext never touches the disk and nothing
// outlives the Spool.
type Spool struct {
	f   *os.File
	key []byte
	ctx Context
}

// NewSpool makes an empty spool in the system's temp dir.
func NewSpool() (*Spool, error) {
	f, err := os.CreateTemp("", "imageapp-spool-*")
	if err != nil {
		return nil, fmt.Errorf("envelope: spool: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("envelope: spool: unlink: %w", err)
	}
	sp := &Spool{f: f, key: make([]byte, KeySize), ctx: Context{App: "spool"}}
	if _, err := rand.Read(sp.key); err != nil {
		sp.Close()
		return nil, fmt.Errorf("envelope: spool key: %w", err)
	}
	return sp, nil
}

// ReadFrom encrypts all of r into the spool. Its error is r's, or the disk's.
func (sp *Spool) ReadFrom(r io.Reader) (int64, error) {
	w, err := NewWriter(sp.f, sp.key, sp.ctx, PurposeImage)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, r)
	if err != nil {
		return n, err
	}
	return n, w.Close()
}

// Reader reads the spooled bytes back from the start, decrypting.
func (sp *Spool) Reader() (io.Reader, error) {
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("envelope: spool: %w", err)
	}
	return NewReader(sp.f, sp.key, sp.ctx, PurposeImage)
}

// Close forgets the key and closes (so frees) the file.
func (sp *Spool) Close() {
	clear(sp.key)
	sp.f.Close()
}
