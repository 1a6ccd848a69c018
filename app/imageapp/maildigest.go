package imageapp

import (
	"context"
	"fmt"
	"time"
)

// MailDigests keeps, for each recipient, when their last notification mail
// went and what arrived since, so that a burst of sends makes one mail at
// once and one digest later instead of a mail each (SNS suspends an address
// that gets more than about ten a second). It is shared by every instance:
// its writes are conditional, so N instances still mail once.
type MailDigests interface {
	// Record notes one image from sender (a username) for recipientID at
	// now. It reports true when a mail may go at once, and claims it: no
	// mail went within window before now and no digest waits. Otherwise the
	// image joins the recipient's digest, due window after their last mail.
	Record(ctx context.Context, recipientID, sender string, now time.Time, window time.Duration) (mailNow bool, err error)

	// Due returns up to limit digests due at or before now, each read
	// whole; its cost grows with the digests due, not with the recipients.
	Due(ctx context.Context, now time.Time, limit int) ([]Digest, error)

	// Settle records that d went (or was dropped) at now: d's images leave
	// the recipient's digest. Images recorded since d was read stay, due
	// window after now.
	Settle(ctx context.Context, d Digest, now time.Time, window time.Duration) error
}

// Digest is what arrived for one recipient since their last mail.
type Digest struct {
	RecipientID string
	Images      int
	Senders     []string // the senders' usernames, each once
	Due         time.Time
}

// Summary is what a notification says, without secrets: "alice sent you an
// image", "alice sent you 12 images", or "3 people sent you 14 images".
// It never names a caption, a file or an image.
func (n Notification) Summary() string {
	images := max(n.Images, 1)
	people := len(n.Senders)
	name := n.SenderName
	if people == 1 {
		name = n.Senders[0]
	}
	switch {
	case people == 0 && name == "":
		return fmt.Sprintf("%d new images are waiting for you", images)
	case people > 1:
		return fmt.Sprintf("%d people sent you %d images", people, images)
	case images == 1:
		return name + " sent you an image"
	}
	return fmt.Sprintf("%s sent you %d images", name, images)
}

// IsDigest reports whether n sums up several images (no single message to
// link to).
func (n Notification) IsDigest() bool { return n.MessageID == "" }
