package messaging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/imagecheck"
	"imageapp/app/metastrip"
)

// MaxAlbumImages is how many images one send may carry.
const MaxAlbumImages = 10

// AlbumInput is a send of one or more images (at most MaxAlbumImages) to
// one recipient, with one caption and one keep-for for them all.
type AlbumInput struct {
	To      string // recipient username
	Caption string
	Keep    string // as SendInput.Keep; it applies to every image
	QuoteID string // as SendInput.QuoteID; the first image carries it

	// Next returns the next image and the name the sender's device gave
	// it, or io.EOF after the last. An image's body is read to its end
	// before Next is called again, so a multipart upload streams one part
	// at a time.
	Next func() (filename string, body io.Reader, err error)

	// Rest, when set, is called once every image is read (as SendInput.Rest).
	Rest func() (Rest, error)

	// Answered is as SendInput.Answered.
	Answered <-chan struct{}
}

// ErrTooManyImages refuses a send of more than MaxAlbumImages images.
func ErrTooManyImages() *imageapp.Error {
	return imageapp.Errorf(imageapp.EINVALID, "Send at most %d images at once; this send has more. Nothing was sent.", MaxAlbumImages)
}

// staged is an image of a send whose blob is stored (under a pending
// marker) and whose message is not written yet.
type staged struct {
	m        *imageapp.Message
	filename string
	dek      []byte
}

// one is the Next of a send of a single image.
func one(filename string, body io.Reader) func() (string, io.Reader, error) {
	done := false
	return func() (string, io.Reader, error) {
		if done || body == nil {
			return "", nil, io.EOF
		}
		done = true
		return filename, body, nil
	}
}

// SendAlbum sends one or more images as Send sends one: each image has its
// own data key, blob and message. Images sent together share an AlbumID
// (none for a single image), the caption goes with the first, and keep-for
// and view-once apply to all. All or nothing: every image is checked and
// its blob stored under a pending marker before any message is written; an
// image refused (or one too many, or over the recipient's quota) removes
// the blobs stored so far, and the error names the image (its position and
// file name). Should writing the messages fail midway, those written are
// deleted again. The recipient gets one notification and one live event
// for the whole send.
func (s *Service) SendAlbum(ctx context.Context, from imageapp.User, in AlbumInput) ([]*imageapp.Message, error) {
	if s.Previewing != nil {
		defer s.Previewing.sendStarted()() // queued previews let it go first (previewYield)
	}
	to, err := s.recipient(ctx, from, in.To, in.Caption, in.Keep, in.Next != nil)
	if err != nil {
		return nil, err
	}
	used, err := s.checkQuota(ctx, to)
	if err != nil {
		return nil, err
	}
	if err := s.checkQuote(ctx, from, to, in.QuoteID); err != nil {
		return nil, err
	}
	request, err := s.isRequest(ctx, to, from) // read once: the allowance and the message both need it
	if err != nil {
		return nil, err
	}
	if err := s.checkRequestAllowance(ctx, to, request); err != nil {
		return nil, err
	}
	withheld, err := s.blocks(ctx, to, from)
	if err != nil {
		return nil, err
	}
	request = request && !withheld // a block takes precedence: withheld, never a request
	// Whom one sends to is whom one knows: their images reach one, even
	// with message requests on. Recorded first: a send that fails after
	// leaves a contact, never an image that came as a request for nothing.
	if err := s.remember(ctx, from, to); err != nil {
		return nil, err
	}
	if err := s.replyAccepts(ctx, from, to); err != nil {
		return nil, err
	}

	// One MaxSendTime for the whole send, so no sweep takes a blob of it.
	ctx, cancel := context.WithTimeout(ctx, s.maxSendTime())
	defer cancel()
	var images []*staged
	defer func() {
		for _, st := range images {
			clear(st.dek)
		}
	}()
	fail := func(err error) ([]*imageapp.Message, error) {
		for _, st := range images {
			s.discard(st.m.ID)
		}
		return nil, err
	}
	var stagedBytes int64
	for i := 1; ; i++ {
		name, body, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err)
		}
		if i > MaxAlbumImages {
			return fail(ErrTooManyImages())
		}
		if i > 1 && s.QuotaBytes > 0 && used+stagedBytes >= s.QuotaBytes {
			// Every image counts: the album may not pass the quota by more than its last image.
			s.log().WarnContext(ctx, "album fills the recipient's storage quota", "recipient_id", to.ID, "image", i)
			return fail(nameImage(i, name, imageapp.ErrInboxFull(to.Username)))
		}
		st, err := s.stage(ctx, from, to, name, body, withheld, request)
		if err != nil {
			var refused *imageapp.Error
			if !errors.As(err, &refused) || (i == 1 && !s.moreFollow(in.Next)) {
				// Not the image's fault (the upload, a store), or a single
				// image: said as Send always said it.
				return fail(err)
			}
			return fail(nameImage(i, name, err))
		}
		images = append(images, st)
		stagedBytes += st.m.Size
	}
	if len(images) == 0 {
		return nil, imageapp.Errorf(imageapp.EINVALID, "Choose an image to send.")
	}

	caption, keep := in.Caption, in.Keep
	if in.Rest != nil {
		rest, err := in.Rest()
		if err == nil {
			caption, keep = rest.Caption, rest.Keep
			err = validCaption(caption)
		}
		if err != nil {
			return fail(err)
		}
	}
	album := ""
	if len(images) > 1 {
		album = imageapp.NewID()
	}
	for i, st := range images {
		m := st.m
		if err := s.setRetention(m, keep); err != nil {
			return fail(err)
		}
		md := meta{Filename: cleanFilename(st.filename, m.ContentType)}
		if i == 0 {
			md.Caption = cleanCaption(caption) // the album's caption and quote, once
			m.QuoteID = in.QuoteID
		}
		ec := s.contextOf(m)
		if m.SealedMeta, err = sealMeta(md, st.dek, ec); err != nil {
			return fail(err)
		}
		m.AlbumID = album
		m.PreviewDue = !m.ViewOnce // nothing of a view-once image shows before its one view
	}
	sent, err := s.createAll(ctx, images)
	if err != nil {
		return nil, err
	}

	first := sent[0]
	if !first.Withheld && !first.Request { // withheld: the recipient never knows; a request waits unannounced
		if imageapp.PrivacyOf(to).NotifyByMail { // off: no mail, the live inbox still updates
			s.notifySoon(ctx, to, imageapp.Notification{RecipientID: to.ID, SenderName: from.Username, MessageID: first.ID}, in.Answered)
		}
		s.pushSoon(ctx, to, from.Username, first.ID, in.Answered) // once for the album, to the browsers they turned push on in (push.go)
	}
	events := sentEvents(first)
	for i := range events {
		events[i].event.Album, events[i].event.Images = album, len(sent)
	}
	held := false
	for i, st := range images {
		if !st.m.PreviewDue {
			continue
		}
		snapshot := *st.m
		job := &previewJob{m: &snapshot, from: from, to: to, dek: slices.Clone(st.dek)}
		if i == 0 {
			job.caption = cleanCaption(caption)
			job.events, held = events, true // the album's one event goes out with its first preview
		}
		s.queuePreview(ctx, job, in.Answered)
	}
	if !held {
		s.publishSoon(ctx, events...)
	}
	s.count(MetricSends, int64(len(sent)))
	for _, m := range sent {
		s.log().InfoContext(ctx, "message sent", "message_id", m.ID, "sender_id", m.SenderID, "recipient_id", m.RecipientID,
			"bytes", m.Size, "content_type", m.ContentType, "album_id", m.AlbumID)
	}
	return sent, nil
}

// moreFollow reports whether another image follows a refused first one,
// which makes the send an album whose refusal names the image. It reads
// on to the next image's part; whatever it finds is dropped with the send.
func (s *Service) moreFollow(next func() (string, io.Reader, error)) bool {
	_, body, err := next()
	return err == nil && body != nil
}

// nameImage says which image of an album was refused, keeping the reason
// (and its code) of the refusal.
func nameImage(i int, filename string, err error) error {
	var e *imageapp.Error
	if !errors.As(err, &e) {
		return err // not the image's fault (a store, the upload): said as it is
	}
	name := cleanFilename(filename, "")
	return fmt.Errorf("%w: %w", imageapp.Errorf(e.Code, "Image %d (%s) was refused: %s Nothing was sent.", i, name, e.Message), err)
}

// stage checks one image, strips its metadata and stores it encrypted
// under a fresh data key, behind a pending marker; its message is not
// written yet.
func (s *Service) stage(ctx context.Context, from, to imageapp.User, filename string, body io.Reader, withheld, request bool) (*staged, error) {
	if body == nil {
		return nil, imageapp.Errorf(imageapp.EINVALID, "Choose an image to send.")
	}
	checked, err := imagecheck.Inspect(body, s.maxPixels())
	if err != nil {
		return nil, err
	}
	// EXIF, GPS and other metadata go before a byte is encrypted.
	clean, err := metastrip.Strip(checked.ContentType, checked.Body)
	if err != nil {
		return nil, badImage(err)
	}
	m := &imageapp.Message{
		ID:            imageapp.NewID(),
		SenderID:      from.ID,
		SenderName:    from.Username,
		RecipientID:   to.ID,
		RecipientName: to.Username,
		CreatedAt:     s.now(),
		ContentType:   checked.ContentType,
		KeyID:         to.KeyID,
		Withheld:      withheld,
		Request:       request,
	}
	ec := s.contextOf(m)
	dk, err := s.Keys.GenerateDataKey(ctx, m.KeyID, ec.Map())
	if err != nil {
		return nil, fmt.Errorf("messaging: generate data key: %w", err)
	}
	m.WrappedKey = dk.Ciphertext
	if err := s.Messages.PutPending(ctx, m.ID, m.CreatedAt); err != nil {
		clear(dk.Plaintext)
		return nil, fmt.Errorf("messaging: mark the upload pending: %w", err)
	}
	if m.Size, err = s.putEncrypted(ctx, m.ID, clean, dk.Plaintext, ec); err != nil {
		clear(dk.Plaintext)
		s.discard(m.ID)
		return nil, badImage(err)
	}
	return &staged{m: m, filename: filename, dek: dk.Plaintext}, nil
}

// createAll writes the messages of staged images, in order. Should one
// fail, those written are deleted again and every blob removed: no part
// of an album stays listed.
func (s *Service) createAll(ctx context.Context, images []*staged) ([]*imageapp.Message, error) {
	sent := make([]*imageapp.Message, 0, len(images))
	for i, st := range images {
		err := s.Messages.CreateMessage(ctx, st.m)
		if err != nil {
			err = s.settleFailedCreate(ctx, st.m.ID, err) // nil: it landed after all
		}
		if err != nil {
			for _, m := range sent {
				s.unsend(ctx, m)
			}
			for _, rest := range images[i+1:] {
				s.discard(rest.m.ID)
			}
			return nil, err
		}
		sent = append(sent, st.m)
	}
	return sent, nil
}

// unsend deletes a message of an album whose other messages could not be
// written, then its blob; a message that cannot be deleted is logged (it
// stays, listed, until its sender or recipient deletes it).
func (s *Service) unsend(ctx context.Context, m *imageapp.Message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.Messages.DeleteMessage(ctx, m.ID); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		s.log().ErrorContext(ctx, "could not delete a message of an album that failed midway", "message_id", m.ID, "album_id", m.AlbumID, "err", err)
		return
	}
	s.discard(m.ID)
}
