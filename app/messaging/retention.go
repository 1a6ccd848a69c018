package messaging

import (
	"context"
	"fmt"
	"io"
	"time"

	"imageapp/app/imageapp"
)

// Expiry and view-once. An expired message is gone for every reader at the
// second it expires (visible refuses it, lists leave it out), and the expiry
// sweep shreds it within a minute: the row, which holds the only wrapped copy
// of its data key, goes first, then the blob. A view-once message opens only
// through ViewOnce, a POST in the web layer (never a GET, which a link
// preview or a prefetch could make), which shreds it as it is shown.

// setRetention applies keep to m: its expiry, in whole seconds (the unit of
// DynamoDB's TTL), rounded up so it never ends early, or view-once.
func (s *Service) setRetention(m *imageapp.Message, keep string) error {
	d, once, err := imageapp.ParseKeep(keep)
	if err != nil {
		return err
	}
	m.ViewOnce = once
	if d > 0 {
		at := m.CreatedAt.Add(d)
		if t := at.Truncate(time.Second); t.Before(at) {
			at = t.Add(time.Second)
		}
		m.ExpiresAt = at
	}
	return nil
}

// expired answers a party asking for a message whose time ran out, and
// shreds it now rather than at the next sweep.
func (s *Service) expired(ctx context.Context, viewer imageapp.User, m *imageapp.Message) error {
	s.shredDetached(ctx, m, imageapp.GoneExpired)
	return s.goneError(ctx, viewer, imageapp.GoneExpired, m.SenderID, m.RecipientID)
}

// shred removes a message for good: its row first (the only wrapped copy
// of its data key goes with it, and a pending marker for the blob comes in
// the same write, and a tombstone that says reason unless it is ""), then
// the blob. Open pages hear that it is gone.
func (s *Service) shred(ctx context.Context, m *imageapp.Message, reason imageapp.GoneReason) error {
	if err := s.deleteRow(ctx, m, reason); err != nil {
		return err
	}
	s.publishSoon(ctx, deletedEvents(m)...)
	s.discard(m.ID)
	return nil
}

// shredDetached shreds m apart from the request that found it expired.
func (s *Service) shredDetached(ctx context.Context, m *imageapp.Message, reason imageapp.GoneReason) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.shred(ctx, m, reason); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		s.log().WarnContext(ctx, "could not shred an expired message; the sweep will", "message_id", m.ID, "err", err)
	}
}

// withoutExpired leaves out of a page the messages whose time ran out.
func (s *Service) withoutExpired(page imageapp.MessagePage) imageapp.MessagePage {
	now := s.now()
	kept := page.Messages[:0]
	for _, m := range page.Messages {
		if !m.Expired(now) {
			kept = append(kept, m)
		}
	}
	page.Messages = kept
	return page
}

// SweepExpired shreds the messages whose time ran out: one ExpiredBefore
// per batch, then for each a consistent read and the shred. It returns how
// many it shredded; one it cannot shred stays for the next sweep.
func (s *Service) SweepExpired(ctx context.Context) (int, error) {
	shredded, failures := 0, 0
	seen := map[string]bool{}
	for {
		now := s.now()
		ids, err := s.Messages.ExpiredBefore(ctx, now.Add(time.Second), sweepBatch)
		if err != nil {
			return shredded, fmt.Errorf("messaging: expired messages: %w", err)
		}
		fresh := 0
		for _, id := range ids {
			if seen[id] { // the index may list a shredded message a moment longer
				continue
			}
			seen[id], fresh = true, fresh+1
			m, err := s.Messages.Message(ctx, id)
			if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
				continue
			}
			if err == nil && m.Expired(now) {
				err = s.shred(ctx, m, imageapp.GoneExpired)
				if err == nil {
					shredded++
				}
			}
			if err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
				s.log().WarnContext(ctx, "could not shred an expired message", "message_id", id, "err", err)
				if failures++; failures >= sweepErrors {
					return shredded, fmt.Errorf("messaging: expiry sweep stopped after %d failures: %w", failures, err)
				}
			}
		}
		if fresh == 0 || len(ids) < sweepBatch || ctx.Err() != nil {
			return shredded, ctx.Err()
		}
	}
}

// errOpensOnce refuses a plain GET of a view-once image.
func errOpensOnce() error {
	return imageapp.Errorf(imageapp.ECONFLICT, "This image opens once: open it from its page, with the Open button.")
}

// ViewOnce shows a view-once message to its recipient, once: it claims the
// view in one conditional write (of racing views, one wins), unwraps the
// data key, shreds the row, and returns the image as a stream whose Close
// removes the blob. Anyone else gets ENOTFOUND; a second view gets
// EVIEWEDONCE (410) from the message's tombstone. how
// names the viewer's session for the decrypt record.
func (s *Service) ViewOnce(ctx context.Context, viewer imageapp.User, id string, how ...Access) (*Opened, *Image, error) {
	m, err := s.openable(ctx, viewer, id)
	if err != nil {
		return nil, nil, err
	}
	if !m.ViewOnce {
		return nil, nil, imageapp.Errorf(imageapp.EINVALID, "This image is not a view-once image: open it as usual.")
	}
	if m.RecipientID != viewer.ID {
		return nil, nil, imageapp.Errorf(imageapp.ENOTFOUND, "Only %s can open this image, once.", m.RecipientName)
	}
	dek, err := s.dataKey(ctx, m, accessOf(viewer, imageapp.PurposeViewOnce, how))
	if err != nil {
		return nil, nil, err
	}
	defer clear(dek)
	won, err := s.Messages.ConsumeViewOnce(ctx, m.ID, s.now())
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND { // another view won and shredded it
		return nil, nil, s.gone(ctx, viewer, m.ID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("messaging: claim the view: %w", err)
	}
	if !won {
		return nil, nil, imageapp.ErrGone(imageapp.GoneViewedOnce, "This image was viewed once and is gone.")
	}
	opened, img, err := s.openWith(ctx, m, dek)
	if err != nil {
		s.shredDetached(ctx, m, imageapp.GoneViewedOnce)
		return nil, nil, err
	}
	// The row, and the only wrapped copy of the data key, go before a byte
	// is shown; the blob goes when the stream closes (or to the sweeper).
	if err := s.deleteRow(ctx, m, imageapp.GoneViewedOnce); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		img.blob.Close()
		return nil, nil, fmt.Errorf("messaging: shred a viewed-once message: %w", err)
	}
	s.publishSoon(ctx, deletedEvents(m)...)
	img.blob = discardOnClose{img.blob, func() { s.discard(m.ID) }}
	s.log().InfoContext(ctx, "view-once message viewed and shredded", "message_id", m.ID)
	return opened, img, nil
}

// openWith decrypts m's caption and opens its image with an unwrapped key.
func (s *Service) openWith(ctx context.Context, m *imageapp.Message, dek []byte) (*Opened, *Image, error) {
	opened, err := s.openMeta(ctx, m, dek)
	if err != nil {
		return nil, nil, err
	}
	img, err := s.imageStream(ctx, m, dek)
	if err != nil {
		return nil, nil, err
	}
	return opened, img, nil
}

// discardOnClose closes a blob, then removes it.
type discardOnClose struct {
	io.Closer
	after func()
}

func (d discardOnClose) Close() error {
	err := d.Closer.Close()
	d.after()
	return err
}

// PurgeReceived shreds every message sent to userID, page by page: for a
// deleted account, whose key is destroyed already, so the messages are
// unreadable before this runs; it removes what is left of them, and last
// the user's decrypt record (nothing of theirs can be unwrapped any more).
func (s *Service) PurgeReceived(ctx context.Context, userID string) (int, error) {
	purged := 0
	for _, box := range []imageapp.Box{imageapp.Inbox, imageapp.Requests} {
		n, err := s.purgeBox(ctx, userID, box)
		if purged += n; err != nil {
			return purged, err
		}
	}
	if s.Tombstones != nil {
		if err := s.Tombstones.ForgetTombstones(ctx, userID); err != nil {
			return purged, fmt.Errorf("messaging: delete the tombstones: %w", err)
		}
	}
	if s.Record != nil {
		if err := s.Record.Forget(ctx, userID); err != nil {
			return purged, fmt.Errorf("messaging: delete the decrypt record: %w", err)
		}
	}
	return purged, nil
}

// purgeBox shreds every message of one of userID's boxes.
func (s *Service) purgeBox(ctx context.Context, userID string, box imageapp.Box) (int, error) {
	purged := 0
	q := imageapp.MessageQuery{UserID: userID, Box: box, Status: imageapp.AllMessages, Limit: MaxPageSize}
	for {
		page, err := s.Messages.Messages(ctx, q)
		if err != nil {
			return purged, fmt.Errorf("messaging: list messages to purge: %w", err)
		}
		for _, m := range page.Messages {
			if err := s.shred(ctx, m, ""); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
				return purged, fmt.Errorf("messaging: purge message %s: %w", m.ID, err)
			}
			purged++
		}
		if q.Cursor = page.Next; q.Cursor == "" {
			return purged, nil
		}
	}
}
