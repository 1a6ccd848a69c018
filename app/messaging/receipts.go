package messaging

import (
	"context"
	"time"

	"imageapp/app/imageapp"
)

// Read receipts, as Signal has them: a person who turns them off does not
// tell their senders when they open an image, and in return does not see
// when others open theirs. Read state passes from a recipient to a sender
// only while both have receipts on, by their settings now (a change applies
// to old messages too). The recipient's own unread/read state is theirs and
// always shown to them.

// receipts remembers the settings of the people a page names, so each is
// read from the directory at most once per page.
type receipts struct {
	s  *Service
	on map[string]bool // user ID → has read receipts on
}

func (s *Service) receipts(known ...imageapp.User) *receipts {
	r := &receipts{s: s, on: make(map[string]bool, len(known))}
	for _, u := range known {
		r.on[u.ID] = !u.NoReadReceipts
	}
	return r
}

// shared reports whether read state passes between viewer and other. A
// person the directory cannot tell about shares nothing (fails closed).
func (r *receipts) shared(ctx context.Context, viewer imageapp.User, otherID string) bool {
	if viewer.NoReadReceipts {
		return false
	}
	on, ok := r.on[otherID]
	if !ok {
		u, err := r.s.Users.UserByID(ctx, otherID)
		if err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			r.s.log().WarnContext(ctx, "read receipts: read the recipient's settings; hiding their read state", "user_id", otherID, "err", err)
		}
		on = err == nil && !u.NoReadReceipts
		r.on[otherID] = on
	}
	return on
}

// hide blanks ReadAt of each message the viewer sent whose read state they
// may not see. Messages to themselves, and those they received, keep it.
func (r *receipts) hide(ctx context.Context, viewer imageapp.User, msgs []*imageapp.Message) {
	for _, m := range msgs {
		if m.SenderID != viewer.ID || m.RecipientID == viewer.ID || m.ReadAt.IsZero() {
			continue
		}
		if !r.shared(ctx, viewer, m.RecipientID) {
			m.ReadAt = time.Time{}
		}
	}
}

// hideReceipts is hide for one page; known are users already read (the
// other person of a conversation), so they cost no directory read.
func (s *Service) hideReceipts(ctx context.Context, viewer imageapp.User, page imageapp.MessagePage, known ...imageapp.User) imageapp.MessagePage {
	s.receipts(known...).hide(ctx, viewer, page.Messages)
	return page
}

// listReceipts hides read state on a mailbox page; a sent box filtered by
// read state then keeps the rows by the state they show, so the filter
// does not tell what the rows do not: a read whose receipt is hidden is
// listed as unread, never as read. (List asks the store for the whole sent
// box when it is filtered to unread, so such a read is among the rows;
// the page may hold fewer than its limit, and its cursor goes on.)
func (s *Service) listReceipts(ctx context.Context, viewer imageapp.User, q imageapp.MessageQuery, page imageapp.MessagePage) imageapp.MessagePage {
	page = s.hideReceipts(ctx, viewer, page)
	if q.Box != imageapp.Sent || q.Status == imageapp.AllMessages {
		return page
	}
	kept := page.Messages[:0]
	for _, m := range page.Messages {
		if m.ReadAt.IsZero() == (q.Status == imageapp.UnreadMessages) {
			kept = append(kept, m)
		}
	}
	page.Messages = kept
	return page
}

// openedEventsFor are the events of reader opening m: the sender hears of
// it only when read state passes between the two.
func (s *Service) openedEventsFor(ctx context.Context, reader imageapp.User, m *imageapp.Message) []live {
	events := openedEvents(m)
	if m.SenderID == reader.ID || s.receipts().shared(ctx, reader, m.SenderID) {
		return events
	}
	kept := events[:0]
	for _, l := range events {
		if l.userID != m.SenderID {
			kept = append(kept, l)
		}
	}
	return kept
}
