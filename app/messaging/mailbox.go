package messaging

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
)

// notFound is the one answer for a message that is missing or not the
// viewer's, so IDs of other people's messages reveal nothing.
func notFound() error {
	return imageapp.Errorf(imageapp.ENOTFOUND, "That message does not exist, or it is not yours.")
}

// visible loads a message the viewer may see: its recipient or its sender.
func (s *Service) visible(ctx context.Context, viewer imageapp.User, id string) (*imageapp.Message, error) {
	if id == "" || len(id) > 64 {
		return nil, notFound()
	}
	m, err := s.Messages.Message(ctx, id)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return nil, s.gone(ctx, viewer, id)
	} else if err != nil {
		return nil, err
	}
	if m.RecipientID != viewer.ID && m.SenderID != viewer.ID || m.Withheld && m.SenderID != viewer.ID {
		return nil, notFound()
	}
	if m.Expired(s.now()) {
		return nil, s.expired(ctx, viewer, m)
	}
	return m, nil
}

// List returns one page of the viewer's inbox or sent box, newest first.
func (s *Service) List(ctx context.Context, viewer imageapp.User, q imageapp.MessageQuery) (imageapp.MessagePage, error) {
	q.UserID = viewer.ID
	switch q.Box {
	case "":
		q.Box = imageapp.Inbox
	case imageapp.Inbox, imageapp.Sent:
	default:
		return imageapp.MessagePage{}, imageapp.Errorf(imageapp.EINVALID, "box must be inbox or sent.")
	}
	switch q.Status {
	case "":
		q.Status = imageapp.AllMessages
	case imageapp.AllMessages, imageapp.UnreadMessages, imageapp.ReadMessages:
	default:
		return imageapp.MessagePage{}, imageapp.Errorf(imageapp.EINVALID, "status must be all, unread or read.")
	}
	if q.Limit <= 0 {
		q.Limit = DefaultPageSize
	}
	q.Limit = min(q.Limit, MaxPageSize)
	stored := q
	if q.Box == imageapp.Sent && q.Status == imageapp.UnreadMessages {
		// The store cannot tell a read it must hide: it lists them all and
		// listReceipts keeps those that look unread, hidden reads included.
		stored.Status = imageapp.AllMessages
	}
	page, err := s.Messages.Messages(ctx, stored)
	return s.listReceipts(ctx, viewer, q, s.withoutExpired(page)), err
}

// Conversation returns one page of the images the viewer and the user
// called with exchanged, both ways, newest first. Returns ENOTFOUND for an
// unknown username.
func (s *Service) Conversation(ctx context.Context, viewer imageapp.User, with, cursor string, limit int) (imageapp.User, imageapp.MessagePage, error) {
	other, err := s.Users.UserByUsername(ctx, strings.TrimSpace(with))
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND || (err == nil && other.ID == viewer.ID) {
		return other, imageapp.MessagePage{}, imageapp.Errorf(imageapp.ENOTFOUND, "There is no conversation with %q.", with)
	} else if err != nil {
		return other, imageapp.MessagePage{}, err
	}
	if limit <= 0 {
		limit = DefaultPageSize
	}
	page, err := s.Messages.Messages(ctx, imageapp.MessageQuery{
		UserID: viewer.ID, With: other.ID, Box: imageapp.Conversation, Status: imageapp.AllMessages,
		Cursor: cursor, Limit: min(limit, MaxPageSize),
	})
	return other, s.hideReceipts(ctx, viewer, withoutWithheld(viewer, s.withoutExpired(page)), other), err
}

// UnreadCount counts the viewer's unread messages.
func (s *Service) UnreadCount(ctx context.Context, viewer imageapp.User) (int, error) {
	return s.Messages.CountUnread(ctx, viewer.ID)
}

// Opened is a message with its decrypted caption and file name.
type Opened struct {
	*imageapp.Message
	Caption  string
	Filename string
}

// Open decrypts a message's caption and file name and, when the viewer is the
// recipient, marks it read. how names the viewer's session and the purpose
// for the decrypt record (imageapp.PurposeOpenPage if none). Returns
// ENOTFOUND unless the viewer is the recipient or the sender, and
// EINTEGRITY when the stored data was altered.
func (s *Service) Open(ctx context.Context, viewer imageapp.User, id string, how ...Access) (*Opened, error) {
	o, err := s.readMeta(ctx, viewer, id, accessOf(viewer, imageapp.PurposeOpenPage, how))
	if err == nil {
		s.count(MetricOpens, 1)
	}
	if err != nil || o.ViewOnce || o.RecipientID != viewer.ID || !o.Unread() {
		return o, err // a view-once message is read only by ViewOnce
	}
	now := s.now()
	if err := s.Messages.MarkRead(ctx, o.ID, now); err != nil {
		return nil, fmt.Errorf("messaging: mark read: %w", err)
	}
	o.ReadAt = now
	s.publishSoon(ctx, s.openedEventsFor(ctx, viewer, o.Message)...)
	return o, nil
}

// openMeta decrypts m's caption and file name with its unwrapped data key.
func (s *Service) openMeta(ctx context.Context, m *imageapp.Message, dek []byte) (*Opened, error) {
	raw, err := envelope.Open(m.SealedMeta, dek, s.contextOf(m))
	var md meta
	if err == nil {
		err = json.Unmarshal(raw, &md)
	}
	if err != nil {
		return nil, s.integrity(ctx, m, err)
	}
	return &Opened{Message: m, Caption: md.Caption, Filename: md.Filename}, nil
}

// Image is a decrypting stream of a message's image.
type Image struct {
	*imageapp.Message
	io.Reader
	blob io.Closer
	buf  *bufio.Reader // the decrypted segments, pooled: given back by Close
}

// NewImage is an image already decrypted, read from r, which Close closes:
// for adapters and tests that hand an image on without the service
// (Service.OpenImage and Service.ViewOnce decrypt one from its blob).
func NewImage(m *imageapp.Message, r io.ReadCloser) *Image {
	return &Image{Message: m, Reader: r, blob: r}
}

// segmentReaders hold one decrypted segment each, for the image streams:
// a view of a few KiB would otherwise allocate (and the GC clear) 64 KiB.
var segmentReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, envelope.SegmentSize) }}

// Close releases the blob and the stream's buffer; the image reads
// nothing after.
func (img *Image) Close() error {
	err := img.blob.Close()
	if img.buf != nil {
		img.buf.Reset(nil)
		segmentReaders.Put(img.buf)
		img.buf, img.Reader = nil, closedImage{}
	}
	return err
}

// WriteTo writes the decrypted image to w a whole segment at a time, with
// no copy through io.Copy's buffer; an expiring image goes through its
// cut (untilReader) as Read would.
func (img *Image) WriteTo(w io.Writer) (int64, error) {
	if img.buf != nil && img.Reader == io.Reader(img.buf) {
		return img.buf.WriteTo(w)
	}
	return io.Copy(w, struct{ io.Reader }{img.Reader})
}

// closedImage is an image's stream after Close.
type closedImage struct{}

func (closedImage) Read([]byte) (int, error) { return 0, errImageClosed }

var errImageClosed = errors.New("messaging: read of a closed image")

// OpenImage returns the decrypted image as a stream. The first segment is
// decrypted before it returns, so a wrong key, a swapped blob or a damaged
// header fails here with EINTEGRITY, before a response has started. A later
// segment that fails makes Read return an error wrapping
// envelope.ErrAuthentication; no unauthenticated byte is ever returned.
// how names the viewer's session and the purpose for the decrypt record
// (imageapp.PurposeView if none; a download or an export says so).
func (s *Service) OpenImage(ctx context.Context, viewer imageapp.User, id string, how ...Access) (*Image, error) {
	m, err := s.openable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if m.ViewOnce {
		return nil, errOpensOnce()
	}
	dek, err := s.dataKey(ctx, m, accessOf(viewer, imageapp.PurposeView, how))
	if err != nil {
		return nil, err
	}
	defer clear(dek)
	img, err := s.imageStream(ctx, m, dek)
	if err != nil || m.ExpiresAt.IsZero() {
		return img, err
	}
	// An expiring image is not shown past its time, however early its
	// stream began: a slow download is cut when the message expires.
	img.Reader = &untilReader{r: img.Reader, at: m.ExpiresAt, now: s.now}
	return img, nil
}

// ErrExpiredMidStream is what an image's stream reads once its message
// expired while the stream was open.
var ErrExpiredMidStream = errors.New("messaging: the message expired while its image was streaming")

// untilReader reads r until at, by now's clock; then it fails with
// ErrExpiredMidStream.
type untilReader struct {
	r   io.Reader
	at  time.Time
	now func() time.Time
}

func (u *untilReader) Read(p []byte) (int, error) {
	if !u.now().Before(u.at) {
		return 0, ErrExpiredMidStream
	}
	return u.r.Read(p)
}

// imageStream opens m's blob and decrypts its first segment with dek.
func (s *Service) imageStream(ctx context.Context, m *imageapp.Message, dek []byte) (*Image, error) {
	blob, err := s.Blobs.Blob(ctx, m.ID)
	if err != nil {
		if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
			return nil, s.integrity(ctx, m, err)
		}
		return nil, fmt.Errorf("messaging: open blob: %w", err)
	}
	dr, err := envelope.NewReader(blob, dek, s.contextOf(m), envelope.PurposeImage)
	var br *bufio.Reader
	if err == nil {
		br = segmentReaders.Get().(*bufio.Reader)
		br.Reset(dr)
		if _, err = br.Peek(1); err != nil {
			br.Reset(nil)
			segmentReaders.Put(br)
		}
	}
	if err != nil {
		blob.Close()
		if IsAuthError(err) {
			return nil, s.integrity(ctx, m, err)
		}
		return nil, fmt.Errorf("messaging: read blob: %w", err) // the store failed, not the data
	}
	return &Image{Message: m, Reader: br, blob: blob, buf: br}, nil
}

// Delete removes a message for good; its recipient or its sender may do it.
// Metadata goes first, leaving a pending marker for the blob in the same
// write: a blob left behind by a crash is swept later, while metadata
// without a blob would be a message that cannot open.
func (s *Service) Delete(ctx context.Context, viewer imageapp.User, id string) error {
	m, err := s.visible(ctx, viewer, id)
	if err != nil {
		return err
	}
	if err := s.shred(ctx, m, deletedBy(viewer, m)); err != nil {
		if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
			return s.gone(ctx, viewer, id)
		}
		return fmt.Errorf("messaging: delete message: %w", err)
	}
	s.log().InfoContext(ctx, "message deleted", "message_id", m.ID, "by", viewer.ID)
	return nil
}

// dataKey unwraps the message's data key under its recipient's key, in the
// recipient's decrypt record.
func (s *Service) dataKey(ctx context.Context, m *imageapp.Message, a Access) ([]byte, error) {
	dek, err := s.unwrap(ctx, m.RecipientID, m.ID, a, m.KeyID, m.WrappedKey, s.contextOf(m).Map())
	if err != nil {
		switch imageapp.ErrorCode(err) {
		case imageapp.EINTEGRITY:
			return nil, s.integrity(ctx, m, err)
		case imageapp.EUNAVAILABLE:
			return nil, err
		}
		return nil, fmt.Errorf("messaging: decrypt data key: %w", err)
	}
	return dek, nil
}

// integrity logs why a message failed to decrypt and returns the error a
// person sees.
func (s *Service) integrity(ctx context.Context, m *imageapp.Message, cause error) error {
	s.log().ErrorContext(ctx, "message failed authentication", "message_id", m.ID, "err", cause)
	return imageapp.Errorf(imageapp.EINTEGRITY,
		"This message cannot be opened: its stored data failed the integrity check. It may have been altered or damaged.")
}

// IsAuthError reports whether err came from a ciphertext that failed authentication mid-stream.
func IsAuthError(err error) bool { return errors.Is(err, envelope.ErrAuthentication) }
