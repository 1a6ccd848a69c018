package imageapp

import (
	"context"
	"time"
)

// SendKeys remembers which message a send with an Idempotency-Key made, so
// a client that retries a send whose answer it never got (the connection
// broke after the send committed) gets that message back instead of
// storing the image twice. A key is the sender's: two senders may use the
// same one.
type SendKeys interface {
	// ClaimSendKey claims key for a send of senderID's starting at now.
	// When a send with key already made a message (within SendKeyTTL), it
	// returns that message's ID and the claim is not made. Returns
	// ECONFLICT while another send with key is still running (claimed
	// within SendKeyClaimTTL and not finished); a claim older than that
	// belonged to a send that died and is taken over.
	ClaimSendKey(ctx context.Context, senderID, key string, now time.Time) (messageID string, err error)

	// FinishSendKey records that the send holding key made messageID.
	FinishSendKey(ctx context.Context, senderID, key, messageID string) error

	// ReleaseSendKey drops a claim whose send failed, so a retry runs
	// again; a finished key stays.
	ReleaseSendKey(ctx context.Context, senderID, key string) error
}

const (
	// SendKeyTTL is how long a finished send's key is remembered: longer
	// than any client retries.
	SendKeyTTL = 24 * time.Hour
	// SendKeyClaimTTL is how long a claim holds without finishing: longer
	// than a send may run (an upload is cut by its pace long before).
	SendKeyClaimTTL = 2 * time.Hour
)

// ErrSendKeyBusy is the answer to a send whose Idempotency-Key another
// send, still running, holds: the first one's answer is on its way.
func ErrSendKeyBusy() error {
	return Errorf(ECONFLICT, "A send with this Idempotency-Key is still running; wait for its answer before trying again.")
}
