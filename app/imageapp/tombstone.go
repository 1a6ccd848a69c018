package imageapp

import (
	"context"
	"errors"
	"time"
)

// GoneReason says how a message went: who removed it, or why.
type GoneReason string

const (
	GoneDeletedBySender    GoneReason = "deleted_by_sender"
	GoneDeletedByRecipient GoneReason = "deleted_by_recipient"
	GoneViewedOnce         GoneReason = "viewed_once"
	GoneExpired            GoneReason = "expired"
)

// Error codes of a message that is gone (410): what happened to it, told
// only to its two people. Anybody else gets ENOTFOUND, as for an ID that
// never existed.
const (
	EDELETED    = "deleted"     // its sender or its recipient deleted it: 410
	EVIEWEDONCE = "viewed_once" // a view-once image that was viewed: 410
	EEXPIRED    = "expired"     // its keep-for time ran out: 410
)

// TombstoneRetention is how long a tombstone is kept after its message
// went: past it, the message's ID answers ENOTFOUND like any other.
const TombstoneRetention = 30 * 24 * time.Hour

// Tombstone is what is left of a gone message: who may learn that it went,
// and how. It holds no caption, file name, key nor content.
type Tombstone struct {
	MessageID   string
	SenderID    string
	RecipientID string // "" when the recipient never saw it (a withheld message)
	Reason      GoneReason
	At          time.Time // when it went, whole seconds
}

// Party reports whether userID is one of the people the tombstone tells.
func (t Tombstone) Party(userID string) bool {
	return userID != "" && (userID == t.SenderID || userID == t.RecipientID)
}

// TombstoneStore keeps tombstones (SQLite locally, DynamoDB in AWS mode).
type TombstoneStore interface {
	// DeleteMessageLeaving is DeleteMessage that stores t for message
	// t.MessageID in the same write (a transaction). Returns ENOTFOUND if
	// the message is gone already; then nothing is written.
	DeleteMessageLeaving(ctx context.Context, t Tombstone) error

	// Tombstone returns the tombstone of message id if viewerID is one of
	// its parties and it is younger than TombstoneRetention at now.
	// Returns ENOTFOUND otherwise, the same for every other case.
	Tombstone(ctx context.Context, id, viewerID string, now time.Time) (Tombstone, error)

	// ForgetTombstones removes every tombstone userID is a party of (for a
	// deleted account).
	ForgetTombstones(ctx context.Context, userID string) error
}

// GoneError is the error of a message that is gone, told to one of its two
// people: its code (EDELETED, EVIEWEDONCE or EEXPIRED, all 410) and message
// say what happened; Reason says it to code.
type GoneError struct {
	Err    *Error
	Reason GoneReason
}

func (g *GoneError) Error() string { return g.Err.Error() }
func (g *GoneError) Unwrap() error { return g.Err }

// ErrGone returns the GoneError of reason with a user-facing message.
func ErrGone(reason GoneReason, message string) *GoneError {
	code := EDELETED
	switch reason {
	case GoneViewedOnce:
		code = EVIEWEDONCE
	case GoneExpired:
		code = EEXPIRED
	}
	return &GoneError{Err: &Error{Code: code, Message: message}, Reason: reason}
}

// Gone returns why err says a message is gone, if it says.
func Gone(err error) (GoneReason, bool) {
	var g *GoneError
	if errors.As(err, &g) {
		return g.Reason, true
	}
	return "", false
}
