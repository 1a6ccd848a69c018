package imageapp

import (
	"context"
	"io"
	"time"
)

// DataKey is a fresh data key: the plaintext to encrypt with (drop it after
// use) and the same key wrapped under a user's key.
type DataKey struct {
	Plaintext  []byte
	Ciphertext []byte
}

// Keys mirrors the part of KMS the app uses (KMS in AWS mode, a local keyring
// otherwise). The encryption context is bound to the wrapped key: Decrypt with
// any other context fails.
type Keys interface {
	// CreateUserKey creates the user's key, or returns the existing one (idempotent).
	CreateUserKey(ctx context.Context, userID string) (keyID string, err error)

	// GenerateDataKey returns a new 256-bit data key wrapped under keyID.
	GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) (DataKey, error)

	// Decrypt unwraps a data key. Returns EINTEGRITY when the ciphertext or
	// the context does not match.
	Decrypt(ctx context.Context, keyID string, ciphertext []byte, encCtx map[string]string) ([]byte, error)

	// DestroyUserKey makes the user's key unusable at once and destroys it
	// (KMS: ScheduleKeyDeletion with the shortest window; locally the key's
	// row is erased): every data key it wrapped is lost with it. Destroying
	// a key that is gone already is not an error.
	DestroyUserKey(ctx context.Context, keyID string) error
}

// BlobInfo describes a stored blob, for ListBlobs.
type BlobInfo struct {
	Key      string
	Modified time.Time
}

// Blobs stores encrypted images by message ID (files locally, S3 in AWS mode).
type Blobs interface {
	// PutBlob streams r to the blob key. A failed put leaves nothing behind.
	PutBlob(ctx context.Context, key string, r io.Reader) error

	// Blob opens a stored blob for streaming. Returns ENOTFOUND if missing.
	Blob(ctx context.Context, key string) (io.ReadCloser, error)

	// DeleteBlob removes a blob; deleting a missing blob is not an error.
	DeleteBlob(ctx context.Context, key string) error

	// ListBlobs calls fn for each stored blob, for tests and audits only: its
	// cost grows with every blob kept, so nothing on a request's path or in
	// the orphan sweep calls it (the sweep reads pending markers instead).
	ListBlobs(ctx context.Context, fn func(BlobInfo) error) error
}

// Notification tells a recipient that a message arrived. It carries no secret.
type Notification struct {
	RecipientID string
	SenderName  string
	MessageID   string

	// A digest (MailDigests) has no MessageID: Images images from Senders
	// since the recipient's last mail.
	Images  int
	Senders []string
}

// Notifier delivers notifications (in-process hub + outbox locally; in AWS
// mode SNS topics or SES mail, by IMAGEAPP_MAIL).
type Notifier interface {
	// CreateUserTopic makes (idempotently) where the user's notifications go
	// and subscribes their email; it returns the topic's name or ARN.
	CreateUserTopic(ctx context.Context, u User) (string, error)

	// Notify delivers n to the recipient's topic.
	Notify(ctx context.Context, recipient User, n Notification) error

	// MailState tells whether u's notification mail reaches them.
	MailState(ctx context.Context, u User) (MailState, error)

	// DeleteUserTopic removes where u's notifications went (the SNS topic
	// and its subscriptions); a topic that is gone already is not an error.
	DeleteUserTopic(ctx context.Context, u User) error

	// ResendConfirmation asks for the confirmation mail of u's
	// subscription again (pending), or subscribes u's email again (gone);
	// a confirmed or local subscription has nothing to resend.
	ResendConfirmation(ctx context.Context, u User) error

	// ChangeEmail moves u's notifications from oldEmail to u.Email: it
	// tells oldEmail of the change (a security notice), subscribes u.Email
	// (in AWS mode it must confirm) and unsubscribes oldEmail.
	ChangeEmail(ctx context.Context, u User, oldEmail string) error
}

// Ports is one backend: an adapter for every port. The wiring builds it, the
// services run over it, and the conformance suite checks it.
type Ports struct {
	Identity Identity
	Users    Directory
	Sessions SessionVersions
	Messages MessageStore
	Keys     Keys
	Blobs    Blobs
	Notifier Notifier
	SendKeys SendKeys

	// TwoFactor keeps authenticator-app enrolments (package twofactor).
	TwoFactor TwoFactorStore
	// Passkeys and Ceremonies keep WebAuthn credentials and the challenges
	// of ceremonies under way (package passkeys).
	Passkeys   PasskeyStore
	Ceremonies Ceremonies
	// Push keeps Web Push subscriptions (package webpush).
	Push PushSubscriptions
	// Tombstones keeps what is left of deleted, viewed-once and expired
	// messages, so their two people learn what happened (tombstone.go).
	Tombstones TombstoneStore
}

// Provisioner gives a confirmed user their key, topic and directory entry,
// or returns the entry they already have (package provision).
type Provisioner func(ctx context.Context, u User) (User, error)
