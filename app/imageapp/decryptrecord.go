package imageapp

import (
	"context"
	"time"
)

// Every unwrap of a message's data key or of a user's thumbnail key is
// written to the decrypt record of the user whose key it was (package
// decryptlog): an append-only hash chain per user whose head the app signs,
// so the person can see each time the server opened their images and check
// that no entry was edited or removed.

// DecryptPurpose says why the server unwrapped a key.
type DecryptPurpose string

const (
	PurposeView       DecryptPurpose = "view"        // the image, shown
	PurposeDownload   DecryptPurpose = "download"    // the image, saved as a file
	PurposeOpenPage   DecryptPurpose = "open"        // the message page: caption and file name
	PurposeViewOnce   DecryptPurpose = "view-once"   // a view-once image's one view
	PurposeExport     DecryptPurpose = "export"      // the owner's export of their data
	PurposePreview    DecryptPurpose = "preview"     // the preview worker made the message's thumbnail
	PurposePreviewKey DecryptPurpose = "preview-key" // the thumbnail key, to show a page of previews
	PurposeTwoFactor  DecryptPurpose = "two-factor"  // the sealed two-factor secret, to check a code
)

// Server jobs that decrypt, as an Asker's Job.
const (
	JobPreview = "preview" // the preview worker, right after a send
	JobSweep   = "sweep"   // the sweep redoing previews a crash left undone
)

// RecordPreviews is the message ID of an entry that unwrapped a thumbnail
// key: it opens the previews of every message, not one.
const RecordPreviews = "previews"

// RecordTwoFactor is the message ID of an entry that unwrapped the key of a
// user's two-factor secret: no image is opened, but the user's key is
// used, and every use of it is in the record (so each KMS Decrypt under
// the key has its entry, as CloudTrail would show).
const RecordTwoFactor = "two-factor"

// RecordRetention is how long a decrypt record's entries are kept; the
// whole record goes with the account.
const RecordRetention = 365 * 24 * time.Hour

// Asker is who had the server decrypt: one session of a user, or one of the
// server's own jobs.
type Asker struct {
	UserID   string // the user whose session asked; "" for a job
	Username string
	Session  string // the session's ID (Session.ID), "" when not known
	Device   string // the session's device, like "Chrome on Mac"
	Job      string // JobPreview or JobSweep for the server's own work
}

// JobAsker names one of the server's own jobs.
func JobAsker(job string) Asker { return Asker{Job: job} }

// DecryptEntry is one unwrap in a user's decrypt record.
type DecryptEntry struct {
	Seq       int64 // 1 for the first entry of a record, then one more each
	At        time.Time
	MessageID string // or RecordPreviews, RecordTwoFactor
	By        Asker
	Purpose   DecryptPurpose
	// Context is the encryption context the key was unwrapped with; in AWS
	// mode KMS's CloudTrail record of the Decrypt shows the same.
	Context map[string]string
	Prev    []byte // the hash of the entry before (32 zero bytes for the first)
	Hash    []byte // SHA-256 of the entry's canonical encoding (decryptlog)
}

// DecryptHead is the newest entry of a user's record, signed by the app.
type DecryptHead struct {
	UserID    string
	Seq       int64 // 0 for an empty record
	Hash      []byte
	At        time.Time
	Signature []byte // Ed25519 over decryptlog's encoding of the head
}

// DecryptRecord stores each user's decrypt record (SQLite locally,
// DynamoDB in AWS mode). The chain is made and signed above it; the store
// only keeps a head from moving under a writer that did not see it.
type DecryptRecord interface {
	// RecordHead returns the user's head: the zero head (Seq 0) when the
	// record is empty.
	RecordHead(ctx context.Context, userID string) (DecryptHead, error)

	// AppendRecord stores entries (in order, Seq prev.Seq+1 on) and makes
	// next the head, in one write, only if the stored head is still prev.
	// Returns ECONFLICT when another writer moved the head first. Entries
	// older than RecordRetention may go on the way.
	AppendRecord(ctx context.Context, userID string, prev DecryptHead, entries []DecryptEntry, next DecryptHead) error

	// RecordEntries returns up to limit entries of the user's record with a
	// Seq below before (all when before is 0), newest first.
	RecordEntries(ctx context.Context, userID string, before int64, limit int) ([]DecryptEntry, error)

	// DeleteRecord removes the user's whole record, head included.
	DeleteRecord(ctx context.Context, userID string) error
}
