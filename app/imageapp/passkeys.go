package imageapp

import (
	"context"
	"time"
)

// Passkey is one WebAuthn credential a user registered to sign in with.
type Passkey struct {
	ID     []byte // the credential ID the authenticator chose
	UserID string
	Name   string // what the settings page lists it as

	// Record is the credential record as the WebAuthn library encodes it
	// (public key, flags, authenticator model): the store keeps it opaque.
	Record []byte

	// SignCount is the authenticator's signature counter at its last use:
	// an assertion whose counter is not above it comes from a clone.
	SignCount uint32
	Created   time.Time
	LastUsed  time.Time // zero until its first sign-in
}

// MaxPasskeys bounds the passkeys of one user: the list is read whole at
// each registration.
const MaxPasskeys = 20

// PasskeyStore keeps the users' passkeys.
type PasskeyStore interface {
	// AddPasskey stores p. Returns ECONFLICT when a passkey with its ID
	// exists (any user's), EFORBIDDEN when the user has MaxPasskeys.
	AddPasskey(ctx context.Context, p Passkey) error

	// Passkey returns the passkey with id. Returns ENOTFOUND if none.
	Passkey(ctx context.Context, id []byte) (Passkey, error)

	// Passkeys lists the user's passkeys, newest first.
	Passkeys(ctx context.Context, userID string) ([]Passkey, error)

	// UsePasskey records a sign-in with passkey id: its new counter and
	// when, in one atomic write that holds only if count is above the stored
	// counter (or both are 0: authenticators without a counter). Returns
	// ECONFLICT when it is not (a cloned authenticator, or a replay racing
	// on another instance), ENOTFOUND when the passkey is gone.
	UsePasskey(ctx context.Context, id []byte, count uint32, at time.Time) error

	// RemovePasskey removes the user's passkey id. Returns ENOTFOUND when
	// the user has no such passkey (someone else's is not theirs to remove).
	RemovePasskey(ctx context.Context, userID string, id []byte) error
}

// Ceremonies keeps the server's half of a sign-in ceremony (a WebAuthn
// challenge) between its two requests, on any instance, until it expires.
type Ceremonies interface {
	// PutCeremony stores data under id until expires.
	PutCeremony(ctx context.Context, id string, data []byte, expires time.Time) error

	// TakeCeremony returns the ceremony's data and forgets it, so a
	// challenge is answered once. Returns ENOTFOUND when it is unknown,
	// taken already, or expired.
	TakeCeremony(ctx context.Context, id string, now time.Time) ([]byte, error)
}
