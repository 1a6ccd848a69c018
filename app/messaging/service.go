// Package messaging is the one place where sending, listing, opening and
// deleting images is decided. It talks only to the ports of package imageapp,
// so the embedded and the AWS backends share every rule written here.
package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
	"imageapp/app/imagecheck"
	"imageapp/app/metastrip"
	"imageapp/app/thumbnail"
)

// Stores are the ports the service works through, and only those: the
// sign-in ports (Identity, Sessions, two-factor, passkeys, ceremonies, push
// subscriptions) are out of its reach.
type Stores struct {
	Users      imageapp.Directory
	Messages   imageapp.MessageStore
	Keys       imageapp.Keys
	Blobs      imageapp.Blobs
	Notifier   imageapp.Notifier
	SendKeys   imageapp.SendKeys
	Tombstones imageapp.TombstoneStore
}

// StoresOf picks the service's stores out of a backend's ports.
func StoresOf(p imageapp.Ports) Stores {
	return Stores{Users: p.Users, Messages: p.Messages, Keys: p.Keys, Blobs: p.Blobs,
		Notifier: p.Notifier, SendKeys: p.SendKeys, Tombstones: p.Tombstones}
}

// Ports is s as ports, the rest zero: for a kit that wraps ports
// (imageapptest.Wrap) before StoresOf takes them back.
func (s Stores) Ports() imageapp.Ports {
	return imageapp.Ports{Users: s.Users, Messages: s.Messages, Keys: s.Keys, Blobs: s.Blobs,
		Notifier: s.Notifier, SendKeys: s.SendKeys, Tombstones: s.Tombstones}
}

// Service orchestrates the ports. Zero-valued optional fields get defaults.
type Service struct {
	Stores

	// Provision runs post-confirmation provisioning for a user whose key or
	// topic is missing (the trigger failed or has not run yet).
	Provision imageapp.Provisioner

	// Notifying, when set, makes Send notify after it returns instead of
	// before: a slow notification service (SNS, a disk) never holds up a send
	// that is already stored. Whoever owns it waits on it before shutting down.
	Notifying *sync.WaitGroup

	// Events, when set, tells the users' open pages when a message arrives,
	// is opened or is deleted (live inbox); published like notifications.
	Events imageapp.Events

	// MaxSendTime bounds a send's upload and write (DefaultMaxSendTime if
	// zero); SweepOrphans' grace must be longer (see SweepGrace).
	MaxSendTime time.Duration

	// QuotaBytes is how many bytes of received images a user may have
	// stored; a send to a user at or over it is refused (EQUOTA). Zero
	// means no quota. A send is checked before its upload, so concurrent
	// sends may pass it by one upload each.
	QuotaBytes int64

	// Previewing, when set, makes previews after the send has answered, on
	// its workers (RunPreviews); without it Send makes them before it returns.
	Previewing *PreviewQueue

	// PreviewBudget bounds the bytes the previews' decoders hold at once
	// (one of DefaultPreviewBudget if nil).
	PreviewBudget *thumbnail.Budget

	App       string // the "app" value of every encryption context
	MaxPixels int
	Now       func() time.Time
	Log       *slog.Logger

	// MailDigests, when set, coalesces notification mail per recipient
	// (maildigest.go): the first at once, then a digest per MailWindow.
	MailDigests imageapp.MailDigests
	MailWindow  time.Duration // DefaultMailWindow if zero

	// Push, when set, sends a Web Push message to the recipient's
	// browsers for each image announced (push.go).
	Push Pusher

	// Metrics, when set, counts sends and opens (see Metrics).
	Metrics Metrics

	// ThumbKeys, when set, keeps unwrapped thumbnail keys in memory for
	// ThumbKeyTTL, so repeated pages cost no KMS call; without it every page
	// of previews costs one.
	ThumbKeys *ThumbKeyCache

	// Record, when set, writes every key unwrap to the decrypt record of
	// the key's owner (record.go); the server always sets it.
	Record DecryptRecorder
}

const (
	MaxCaptionLength  = 500
	MaxFilenameLength = 255
	DefaultPageSize   = 50
	MaxPageSize       = 200
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Service) maxPixels() int {
	if s.MaxPixels > 0 {
		return s.MaxPixels
	}
	return imagecheck.DefaultMaxPixels
}

// ContextOf is the encryption context that binds m's key and ciphertext.
func (s *Service) ContextOf(m *imageapp.Message) envelope.Context { return s.contextOf(m) }

func (s *Service) contextOf(m *imageapp.Message) envelope.Context {
	return envelope.Context{App: s.App, MessageID: m.ID, SenderID: m.SenderID, RecipientID: m.RecipientID}
}

// ensureProvisioned provisions lazily a user the post-confirmation step missed.
func (s *Service) ensureProvisioned(ctx context.Context, u imageapp.User) (imageapp.User, error) {
	if u.Provisioned() {
		return u, nil
	}
	if s.Provision == nil {
		return u, fmt.Errorf("messaging: user %s is not provisioned and no provisioner is set", u.ID)
	}
	s.log().InfoContext(ctx, "provisioning user lazily", "user_id", u.ID)
	return s.Provision(ctx, u)
}

// SendInput is one image to send.
type SendInput struct {
	To       string // recipient username
	Caption  string
	Filename string // as the sender's device named it; stored encrypted
	Body     io.Reader

	// Keep is how long the message lives: "" or "keep" (until deleted),
	// "1h", "1d", "7d", or "once" (view once); see imageapp.ParseKeep.
	Keep string

	// QuoteID is the message this one replies to (the conversation's
	// composer): one of the two people's conversation that the sender can
	// still see, or the send is refused (quote.go).
	QuoteID string

	// Rest, when set, is called once Body is fully read and returns the
	// fields as they stand after the whole upload: a multipart form may put
	// the caption after the file, and this lets the upload stream instead of
	// being buffered to learn it. They replace Caption and Keep.
	Rest func() (Rest, error)

	// Answered, when set, is closed by the caller once the send's answer
	// has been written and flushed to the client: the preview waits for it,
	// so it never takes the CPU from the answer. (The request's context
	// ends before the flush, so it cannot say this.)
	Answered <-chan struct{}
}

// Rest is the fields of a send that may come after its image.
type Rest struct {
	Caption string
	Keep    string
}

// meta is what is sealed next to the image: shown on open, never stored in the clear.
type meta struct {
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// Send checks the image, encrypts it under a fresh data key wrapped by the
// recipient's key, stores blob then metadata, and notifies the recipient.
// A failure at any step leaves neither blob nor metadata behind; a failed
// notification is logged and does not fail the send.
// Returns ENOTFOUND for an unknown recipient, EINVALID for bad fields, and
// the errors of imagecheck.Inspect for the image itself.
func (s *Service) Send(ctx context.Context, from imageapp.User, in SendInput) (*imageapp.Message, error) {
	album := AlbumInput{To: in.To, Caption: in.Caption, Keep: in.Keep, QuoteID: in.QuoteID, Rest: in.Rest, Answered: in.Answered}
	if in.Body != nil {
		album.Next = one(in.Filename, in.Body)
	}
	sent, err := s.SendAlbum(ctx, from, album)
	if err != nil {
		return nil, err
	}
	return sent[0], nil
}

// checkQuota refuses a send to a recipient whose stored images fill their
// quota, and returns what they have stored (0 without a quota).
func (s *Service) checkQuota(ctx context.Context, to imageapp.User) (int64, error) {
	if s.QuotaBytes <= 0 {
		return 0, nil
	}
	used, err := s.Messages.StoredBytes(ctx, to.ID)
	if err != nil {
		return 0, fmt.Errorf("messaging: read the recipient's stored bytes: %w", err)
	}
	if used >= s.QuotaBytes {
		s.log().WarnContext(ctx, "recipient's storage quota is full", "recipient_id", to.ID, "stored_bytes", used, "quota_bytes", s.QuotaBytes)
		return used, imageapp.ErrInboxFull(to.Username)
	}
	return used, nil
}

// recipient checks a send's input and returns its provisioned recipient.
func (s *Service) recipient(ctx context.Context, from imageapp.User, name, caption, keep string, hasImage bool) (imageapp.User, error) {
	if err := validCaption(caption); err != nil {
		return imageapp.User{}, err
	}
	if _, _, err := imageapp.ParseKeep(keep); err != nil {
		return imageapp.User{}, err
	}
	if strings.TrimSpace(name) == "" {
		return imageapp.User{}, imageapp.Errorf(imageapp.EINVALID, "Choose who to send the image to.")
	}
	if !hasImage {
		return imageapp.User{}, imageapp.Errorf(imageapp.EINVALID, "Choose an image to send.")
	}
	to, err := s.Users.UserByUsername(ctx, strings.TrimSpace(name))
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return to, imageapp.Errorf(imageapp.ENOTFOUND, "There is no user called %q.", name)
	} else if err != nil {
		return to, err
	}
	if to.ID == from.ID {
		return to, imageapp.Errorf(imageapp.EINVALID, "You cannot send an image to yourself.")
	}
	return s.ensureProvisioned(ctx, to)
}

// notifySoon notifies the recipient: answerGrace after the send's answer
// is written (answered closed; nil for no wait) when Notifying is set,
// detached from the request, which ends then; else before Send returns. A
// mail is a digest record and a file written and fsynced (or an SNS call):
// started before the answer, it slowed the answer's last steps.
func (s *Service) notifySoon(ctx context.Context, to imageapp.User, n imageapp.Notification, answered <-chan struct{}) {
	if s.Notifying == nil {
		s.notify(ctx, to, n)
		return
	}
	s.Notifying.Go(func() {
		s.awaitAnswer(ctx, answered, n.MessageID)
		nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout)
		defer cancel()
		s.notify(nctx, to, n)
	})
}

// awaitAnswer waits until a send's answer has been written (answered is
// closed; nil: no wait), at most answerWait, so that a client that does not
// read the answer cannot hold back what follows the send; then answerGrace
// more, for the client to take the answer in.
func (s *Service) awaitAnswer(ctx context.Context, answered <-chan struct{}, messageID string) {
	if answered == nil {
		return
	}
	t := time.NewTimer(answerWait)
	defer t.Stop()
	select {
	case <-answered:
	case <-t.C:
		s.log().WarnContext(ctx, "a send's answer took too long to write; going on without it", "message_id", messageID)
	}
	time.Sleep(answerGrace)
}

// settleFailedCreate decides a send whose message write reported an error.
// The write may have landed with its answer lost (a timeout; or an SDK retry
// of a PutItem that had succeeded, which then fails its own condition). The
// ID is new and random, so a message under it is this one: then the send
// stands. With no message the blob goes; when even that cannot be known the
// blob stays for the sweeper, rather than risk a message without its image.
func (s *Service) settleFailedCreate(ctx context.Context, id string, createErr error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	stored, err := s.Messages.MessageExists(ctx, id)
	switch {
	case err == nil && stored:
		s.log().WarnContext(ctx, "the message was stored although its write reported an error", "message_id", id, "err", createErr)
		return nil
	case err == nil:
		s.discard(id)
	default:
		s.log().ErrorContext(ctx, "cannot tell whether a failed message write landed; its blob is left to the sweeper",
			"message_id", id, "err", err)
	}
	return fmt.Errorf("messaging: store message: %w", createErr)
}

// notifyTimeout bounds a notification sent after Send returned.
const notifyTimeout = 30 * time.Second

// badImage turns a container the stripper refused into a 422.
func badImage(err error) error {
	if errors.Is(err, metastrip.ErrMalformed) || errors.Is(err, metastrip.ErrUnsupported) {
		return fmt.Errorf("%w: %v", imageapp.Errorf(imageapp.EBADIMAGE, "The image file is damaged or has an invalid structure."), err)
	}
	return err
}

// cleanCaption trims the caption and makes its line breaks "\n": forms send
// a textarea's as "\r\n", which the browser counted as one character.
func cleanCaption(c string) string {
	return strings.TrimSpace(strings.ReplaceAll(c, "\r\n", "\n"))
}

func validCaption(c string) error {
	if !utf8.ValidString(c) || utf8.RuneCountInString(cleanCaption(c)) > MaxCaptionLength {
		return imageapp.Errorf(imageapp.EINVALID, "%s", imageapp.Fill(imageapp.Rules().Upload.CaptionTooLong, MaxCaptionLength))
	}
	return nil
}

func sealMeta(md meta, dek []byte, ec envelope.Context) ([]byte, error) {
	raw, err := json.Marshal(md)
	if err != nil {
		return nil, fmt.Errorf("messaging: encode meta: %w", err)
	}
	sealed, err := envelope.Seal(raw, dek, ec)
	if err != nil {
		return nil, fmt.Errorf("messaging: seal meta: %w", err)
	}
	return sealed, nil
}

// putEncrypted streams body through the encrypting writer into the blob store
// and returns the number of plaintext bytes.
func (s *Service) putEncrypted(ctx context.Context, key string, body io.Reader, dek []byte, ec envelope.Context) (int64, error) {
	sealed := &sealedStream{body: body, dek: dek, ec: ec}
	putErr := s.Blobs.PutBlob(ctx, key, sealed)
	srcErr := sealed.finish()
	if srcErr != nil {
		// The upload itself failed (size cap, client gone, bad image): report that, not the store.
		return 0, fmt.Errorf("messaging: read upload: %w", srcErr)
	}
	if putErr != nil {
		return 0, fmt.Errorf("messaging: store blob: %w", putErr)
	}
	return sealed.n, nil
}

// sealedStream is an image as the blob store takes it: encrypted while it is
// read. A store that copies it into a writer (local files, through io.Copy)
// gets WriteTo, which encrypts in the caller's goroutine straight into that
// writer (a pipe and a goroutine in between cost about 15 % of a 10 MiB send
// on 2 cores). A store that reads it (the S3 uploader) gets Read, fed by a goroutine
// through a pipe. One stream is either written or read, never both.
type sealedStream struct {
	body io.Reader
	dek  []byte
	ec   envelope.Context

	n      int64 // plaintext bytes read from body
	srcErr error // what reading or encrypting body failed with

	pr   *io.PipeReader
	done chan struct{}
}

// WriteTo encrypts the whole body into w.
func (s *sealedStream) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	enc, err := envelope.NewWriter(cw, s.dek, s.ec, envelope.PurposeImage)
	if err != nil {
		s.srcErr = err
		return 0, err
	}
	s.n, err = io.Copy(enc, s.body)
	if err == nil {
		err = enc.Close()
	}
	if err != nil && cw.err == nil {
		s.srcErr = err // the upload's failure, not the store's
	}
	return cw.n, err
}

func (s *sealedStream) Read(p []byte) (int, error) {
	if s.pr == nil {
		pr, pw := io.Pipe()
		s.pr, s.done = pr, make(chan struct{})
		go func() {
			defer close(s.done)
			_, err := s.WriteTo(pw)
			pw.CloseWithError(err) // nil closes with EOF
		}()
	}
	return s.pr.Read(p)
}

// finish stops a pipe the store gave up on and returns the body's error.
func (s *sealedStream) finish() error {
	if s.pr != nil {
		s.pr.CloseWithError(errors.New("messaging: blob store stopped reading"))
		<-s.done
	}
	return s.srcErr
}

// countingWriter counts what reaches the store and keeps the store's own error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}

// discard removes the blob of a failed send or a deleted message, then its
// pending marker; a blob that cannot be removed keeps its marker, and the
// sweeper removes it later. It runs without the request's context, which
// may be the reason the send failed.
func (s *Service) discard(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Blobs.DeleteBlob(ctx, id); err != nil {
		s.log().ErrorContext(ctx, "could not remove a blob; the sweeper will", "message_id", id, "err", err)
		return
	}
	if err := s.Messages.ClearPending(ctx, id); err != nil {
		s.log().WarnContext(ctx, "could not clear a blob's pending marker; the sweeper will", "message_id", id, "err", err)
	}
}

// cleanFilename keeps the base name of what the client called the file,
// without path parts or control characters, and makes one up if it is empty.
func cleanFilename(name, contentType string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	if len(name) > MaxFilenameLength {
		name = name[:MaxFilenameLength]
		name = strings.ToValidUTF8(name, "")
	}
	if name == "" || name == "." || name == "/" {
		name = "image" + imagecheck.Extension(contentType)
	}
	return name
}

// Extension is the usual file extension of an accepted image type (".png"),
// or "" for any other type.
func Extension(contentType string) string { return imagecheck.Extension(contentType) }

// ImageTypes are the content types a send accepts, for clients that check
// before uploading.
func ImageTypes() []string { return imagecheck.Types() }

// NewUploadSpool holds an upload whose recipient is not known yet (a script
// that sends the file before "to"): on disk, encrypted under a key that
// only the spool knows.
func NewUploadSpool() (*UploadSpool, error) { return envelope.NewSpool() }

// UploadSpool is an upload held by NewUploadSpool.
type UploadSpool = envelope.Spool
