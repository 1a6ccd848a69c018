package messaging

import (
	"context"
	"fmt"

	"imageapp/app/imageapp"
)

// deletedBy is how a delete by viewer of m went.
func deletedBy(viewer imageapp.User, m *imageapp.Message) imageapp.GoneReason {
	if viewer.ID == m.SenderID {
		return imageapp.GoneDeletedBySender
	}
	return imageapp.GoneDeletedByRecipient
}

// tombstoneOf is what is left of m once it went for reason: its parties
// (not the recipient of a withheld message, who never learnt of it), the
// reason and the time; nothing of its content.
func (s *Service) tombstoneOf(m *imageapp.Message, reason imageapp.GoneReason) imageapp.Tombstone {
	t := imageapp.Tombstone{MessageID: m.ID, SenderID: m.SenderID, RecipientID: m.RecipientID,
		Reason: reason, At: s.now().Truncate(1e9)}
	if m.Withheld {
		t.RecipientID = ""
	}
	return t
}

// deleteRow removes m's row, leaving a tombstone that says reason when the
// backend keeps them and reason is set (a purge leaves none).
func (s *Service) deleteRow(ctx context.Context, m *imageapp.Message, reason imageapp.GoneReason) error {
	if reason == "" || s.Tombstones == nil {
		return s.Messages.DeleteMessage(ctx, m.ID)
	}
	return s.Tombstones.DeleteMessageLeaving(ctx, s.tombstoneOf(m, reason))
}

// gone is the answer for a message ID the store does not hold: what
// happened to it, if viewer is one of its two people and its tombstone is
// kept; else the same ENOTFOUND as for an ID that never existed.
func (s *Service) gone(ctx context.Context, viewer imageapp.User, id string) error {
	if s.Tombstones == nil {
		return notFound()
	}
	t, err := s.Tombstones.Tombstone(ctx, id, viewer.ID, s.now())
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return notFound()
	} else if err != nil {
		return fmt.Errorf("messaging: read tombstone: %w", err)
	}
	return s.goneError(ctx, viewer, t.Reason, t.SenderID, t.RecipientID)
}

// goneError says to viewer what happened to a message of senderID to
// recipientID.
func (s *Service) goneError(ctx context.Context, viewer imageapp.User, reason imageapp.GoneReason, senderID, recipientID string) error {
	switch reason {
	case imageapp.GoneViewedOnce:
		return imageapp.ErrGone(reason, "This image was viewed once and is gone.")
	case imageapp.GoneExpired:
		return imageapp.ErrGone(reason, "This image expired and is gone for good.")
	}
	by := senderID
	if reason == imageapp.GoneDeletedByRecipient {
		by = recipientID
	}
	if by == viewer.ID {
		return imageapp.ErrGone(reason, "You deleted this image.")
	}
	u, err := s.Users.UserByID(ctx, by)
	if err != nil {
		if imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			s.log().WarnContext(ctx, "could not name who deleted a message", "err", err)
		}
		return imageapp.ErrGone(reason, "The other person deleted this image.")
	}
	return imageapp.ErrGone(reason, fmt.Sprintf("%s deleted this image.", u.Username))
}
