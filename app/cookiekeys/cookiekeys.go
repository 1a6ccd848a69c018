// Package cookiekeys holds the keys that sign and encrypt the session and
// device cookies. They are the app's own, not a backend's.
//
// A Ring is the list of key pairs in use, newest first: one pair signs, and
// every pair verifies, so the keys rotate without logging anyone out. The
// embedded backend keeps a ring of one pair in its secrets file. AWS mode
// keeps one ring for the whole cluster in a Store (an item of the users
// table, each pair wrapped by the app's KMS key: app/aws/dynamostore and
// app/aws/kmskeys), which every instance re-reads every RefreshEvery.
package cookiekeys

import (
	"context"
	"crypto/rand"
	"fmt"
)

// Keys sign (Hash, 64 bytes) and encrypt (Block, 32 bytes) cookies.
type Keys struct {
	Hash  []byte `json:"session_hash_key"`
	Block []byte `json:"session_block_key"`
}

const (
	hashSize  = 64
	blockSize = 32
)

// New returns fresh random keys.
func New() Keys {
	k := Keys{Hash: make([]byte, hashSize), Block: make([]byte, blockSize)}
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
	if len(k.Hash) != hashSize || len(k.Block) != blockSize {
		return fmt.Errorf("cookiekeys: want a 64-byte hash key and a 32-byte block key, have %d and %d bytes", len(k.Hash), len(k.Block))
	}
	return nil
}

// PairBytes is k as the plaintext a Wrapper seals: the hash key, then the
// block key (96 bytes). (A function, not a method: Keys is embedded in the
// local backend's secrets, which must not grow methods.)
func PairBytes(k Keys) []byte {
	return append(append(make([]byte, 0, hashSize+blockSize), k.Hash...), k.Block...)
}

// PairFromBytes reverses PairBytes.
func PairFromBytes(b []byte) (Keys, error) {
	if len(b) != hashSize+blockSize {
		return Keys{}, fmt.Errorf("cookiekeys: an unwrapped key pair is %d bytes, want %d", len(b), hashSize+blockSize)
	}
	k := Keys{Hash: append([]byte(nil), b[:hashSize]...), Block: append([]byte(nil), b[hashSize:]...)}
	return k, nil
}

// Store keeps one ring for every instance of a cluster.
type Store interface {
	// Load returns the ring, creating it with one fresh pair when there is
	// none yet. Instances starting at once agree: one creates it, the
	// others read the winner's.
	Load(ctx context.Context) (Ring, error)
	// Rotate puts a fresh pair in front of the ring. It fails when the ring
	// changed since it was read (another rotation or retirement won).
	Rotate(ctx context.Context) (Ring, error)
	// Retire drops all but the newest keep pairs (see Ring.Retired).
	Retire(ctx context.Context, keep int) (Ring, error)
}

// Wrapper seals key pairs with a key that never leaves its service (a KMS
// key), bound to an encryption context of its own.
type Wrapper interface {
	Wrap(ctx context.Context, plaintext []byte) ([]byte, error)
	Unwrap(ctx context.Context, ciphertext []byte) ([]byte, error)
}
