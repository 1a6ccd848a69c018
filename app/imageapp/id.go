package imageapp

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// NewID returns a random 128-bit ID, hex-encoded: message IDs (which are
// also blob keys), session and device IDs. They must never be guessable or
// chosen by a user.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil { // documented never to fail since Go 1.24; checked all the same
		panic(fmt.Sprintf("imageapp: crypto/rand failed: %v", err))
	}
	return hex.EncodeToString(b[:])
}
