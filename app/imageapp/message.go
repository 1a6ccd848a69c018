package imageapp

import (
	"context"
	"time"
)

// Message is an image sent from one user to another. Only metadata needed to
// list and route it is in the clear; the image, its caption and its original
// file name are encrypted under a data key that only the recipient's key can
// unwrap.
type Message struct {
	ID            string
	SenderID      string
	SenderName    string
	RecipientID   string
	RecipientName string
	CreatedAt     time.Time
	ReadAt        time.Time // zero while unread
	ContentType   string    // sniffed from the content, never taken from the client
	Size          int64     // plaintext bytes
	KeyID         string    // the recipient's key that wraps the data key
	WrappedKey    []byte    // the data key, encrypted under KeyID with the message's encryption context
	SealedMeta    []byte    // caption and file name, encrypted under the data key

	// Preview and SenderPreview are what lists show of the message — its
	// thumbnail and the start of its caption — sealed under the recipient's
	// and the sender's thumbnail key (User.ThumbKey), so a page of them
	// costs one key unwrap, not one per row. Empty for older messages.
	Preview       []byte
	SenderPreview []byte
	// PreviewDue says the previews are still to be made: a send stores its
	// message first and its previews after it has answered (SetPreviews).
	// While it is set the message is in an index of due previews, so a
	// preview that a crash or a full queue never made is redone by a sweep
	// (PreviewsDueBefore).
	PreviewDue bool

	// ExpiresAt, when set, is when the message is gone for good: from then
	// on nobody can open or list it, and the sweep shreds it (its wrapped
	// data key goes with its row, then the blob). Whole seconds.
	ExpiresAt time.Time
	// ViewOnce messages open once, by an explicit action of the recipient
	// (ConsumeViewOnce), and are shredded as they are shown.
	ViewOnce bool

	// QuoteID is the message this one replies to, quoting it (the
	// conversation's composer); "" for none. Only an ID: what the quote
	// shows is read from the quoted message, if it is still there.
	QuoteID string

	// Withheld messages were sent to someone who blocks the sender: the
	// sender sees them as any other sent message, the recipient never
	// (not listed, counted, notified, nor charged to their quota).
	Withheld bool

	// Request messages came from a stranger to someone who accepts images
	// only from people they know (Privacy.MessageRequests): they wait, not
	// in the recipient's inbox, unread count or mail, and cannot be opened
	// until the recipient accepts (AcceptRequests) — or deletes them.
	Request bool
}

// Expired reports whether the message's time ran out by now.
func (m *Message) Expired(now time.Time) bool {
	return !m.ExpiresAt.IsZero() && !now.Before(m.ExpiresAt)
}

// PreviewFor is the sealed preview viewerID can open, or nil.
func (m *Message) PreviewFor(viewerID string) []byte {
	switch viewerID {
	case m.RecipientID:
		return m.Preview
	case m.SenderID:
		return m.SenderPreview
	}
	return nil
}

// OtherParty is the user ID at the other end of the message from viewerID.
func (m *Message) OtherParty(viewerID string) string {
	if viewerID == m.SenderID {
		return m.RecipientID
	}
	return m.SenderID
}

// PairKey names the conversation between two users, the same whichever is
// first: the two IDs in order.
func PairKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + "|" + b
}

// Unread reports whether the recipient has not opened the message yet.
func (m *Message) Unread() bool { return m.ReadAt.IsZero() }

// Box names a mailbox.
type Box string

const (
	Inbox Box = "inbox"
	Sent  Box = "sent"
	// Conversation is the messages between UserID and With, both ways.
	Conversation Box = "conversation"
	// Requests is the message requests waiting for UserID, newest first.
	Requests Box = "requests"
)

// Status filters a mailbox by read state.
type Status string

const (
	AllMessages    Status = "all"
	UnreadMessages Status = "unread"
	ReadMessages   Status = "read"
)

// MessageQuery selects one page of a user's mailbox, newest first.
type MessageQuery struct {
	UserID string
	With   string // the other user's ID, for the Conversation box
	Box    Box
	Status Status
	Cursor string // opaque, from the previous page's Next
	Limit  int
}

// MessagePage is one page of a mailbox.
type MessagePage struct {
	Messages []*Message
	Next     string // "" on the last page
}

// MaxUnreadCount is where unread counts stop; pages show "99+" from 100.
const MaxUnreadCount = 100

// MessageStore keeps message metadata (SQLite locally, DynamoDB in AWS
// mode): every backend implements it whole, and Ports carries it whole. It
// serves five roles, each named for what its callers do with it, so that a
// consumer or a wrapper can ask for only the part it calls.
type MessageStore interface {
	Mailboxes
	MessageLifecycle
	PendingBlobs
	MessageSizes
	PreviewStore
}

// Mailboxes is what a reader sees and does: a message, a page of a
// mailbox, the unread count, reading, accepting requests and opening a
// view-once image. Used by messaging's mailbox, requests, record pages,
// view-once retention and the unread counts of its events; its sweeps read
// a message with it too.
type Mailboxes interface {
	// Message returns ENOTFOUND when there is no message with that ID.
	Message(ctx context.Context, id string) (*Message, error)

	// Messages returns one page of a mailbox, newest first, by keyset pagination.
	Messages(ctx context.Context, q MessageQuery) (MessagePage, error)

	// MarkRead sets ReadAt if it is not set yet (idempotent).
	MarkRead(ctx context.Context, id string, at time.Time) error

	// AcceptRequests turns the requests senderID sent recipientID into
	// ordinary unread messages, and returns how many it turned.
	AcceptRequests(ctx context.Context, recipientID, senderID string) (int, error)

	// ConsumeViewOnce sets ReadAt of a view-once message that has none, in
	// one conditional write, and reports whether this call set it: of many
	// racing calls, one gets true. ENOTFOUND if the message is gone.
	ConsumeViewOnce(ctx context.Context, id string, at time.Time) (bool, error)

	// CountUnread counts the recipient's unread messages up to
	// MaxUnreadCount: a count that stops keeps its cost the same however full
	// the inbox (on DynamoDB, counting all would read the whole index).
	CountUnread(ctx context.Context, recipientID string) (int, error)
}

// MessageLifecycle is a message's coming and going: its write, its
// removal, whether it exists, and which have expired. Used by messaging's
// send (and the settling of a failed write), deletion (tombstones.go), the
// expiry sweep and the orphan sweep.
type MessageLifecycle interface {
	// CreateMessage stores m and clears m.ID's pending marker (PutPending) in
	// the same write. Returns ECONFLICT if the ID exists: a message is never overwritten.
	CreateMessage(ctx context.Context, m *Message) error

	// ExpiredBefore returns up to limit IDs of messages whose ExpiresAt is
	// before cutoff, soonest first, from an index of expiring messages only:
	// its cost grows with the messages it returns.
	ExpiredBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error)

	// DeleteMessage removes the metadata and, in the same write, leaves a
	// pending marker for its blob (started now, by the store's clock): if the
	// blob's removal fails or never happens, the sweeper removes it. The caller
	// clears the marker with ClearPending once the blob is gone. Returns
	// ENOTFOUND if the message is gone already.
	DeleteMessage(ctx context.Context, id string) error

	// MessageExists reports whether metadata exists for the ID; the blob sweeper
	// uses it to tell an orphan blob from a delivered one.
	MessageExists(ctx context.Context, id string) (bool, error)
}

// PendingBlobs is the markers of blobs that may be left without their
// message. Used by messaging's send (to mark and, on failure, clear) and the
// orphan sweep (to find and settle).
type PendingBlobs interface {
	// PutPending records, before a send uploads the blob of message id, that
	// the blob may be left without its message (a crash, a failed write);
	// started is when the send began. CreateMessage clears the marker in the
	// same write as the message; a send that fails and removes its blob clears
	// it with ClearPending; the sweeper finds the rest with PendingBefore.
	// Writing it again is harmless. Returns ECONFLICT if a message with that
	// ID exists: a marker never stands for a delivered message.
	PutPending(ctx context.Context, id string, started time.Time) error

	// ClearPending removes the marker of id; a missing one is not an error.
	// It never removes a message.
	ClearPending(ctx context.Context, id string) error

	// PendingBefore returns up to limit markers started before cutoff, oldest
	// first. It reads an index of markers only, so its cost grows with the
	// markers it returns (the orphans), never with the messages stored.
	PendingBefore(ctx context.Context, cutoff time.Time, limit int) ([]Pending, error)
}

// MessageSizes is what a recipient's received images weigh. Used by
// messaging's storage quota and request allowance (quota.go).
type MessageSizes interface {
	// StoredBytes is the size (plaintext bytes) of the messages recipientID
	// has received and not deleted: what their storage quota counts.
	StoredBytes(ctx context.Context, recipientID string) (int64, error)

	// RequestBytes is the size (plaintext bytes) of the message requests
	// waiting for recipientID (received, not accepted, not deleted), counted
	// up to upTo: once the sum reaches upTo it may stop and return any sum
	// of at least upTo, so its cost grows with the requests needed to reach
	// it, not with all those waiting.
	RequestBytes(ctx context.Context, recipientID string, upTo int64) (int64, error)
}

// PreviewStore is the sealed previews and those still due. Used by
// messaging's preview workers and their sweep (previews.go), and timed by
// the bench.
type PreviewStore interface {
	// SetPreviews stores the sealed previews of message id (either may be
	// empty: that side gets none) and clears PreviewDue, in one write.
	// Returns ENOTFOUND if the message is gone (deleted or expired while its
	// preview was made): nothing is written then.
	SetPreviews(ctx context.Context, id string, recipient, sender []byte) error

	// PreviewsDueBefore returns up to limit IDs of messages created before
	// cutoff whose PreviewDue is still set, oldest first, from an index of
	// due previews only: its cost grows with the previews it returns.
	PreviewsDueBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error)
}

// Pending is the marker of a send whose blob upload began and whose message
// has not landed yet: a send in flight, or, once older than any send may
// take, an orphan blob for the sweeper.
type Pending struct {
	ID      string // the message ID, which is the blob key
	Started time.Time
}
