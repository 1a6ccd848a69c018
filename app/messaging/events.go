package messaging

import (
	"context"
	"time"

	"imageapp/app/imageapp"
)

// liveTimeout bounds publishing one live event (a count and a publish).
const liveTimeout = 5 * time.Second

// live is one live event for one user. counted says whether it carries the
// user's unread count (the recipient's events do; a sender's do not need it).
type live struct {
	userID  string
	event   imageapp.Event
	counted bool
}

// publishSoon tells the users' open pages what changed, after the caller
// returns when Notifying is set (like notifySoon), and never fails the
// change: the pages also catch up when they reconnect. Each event carries
// no secret: a kind, a mailbox, a message ID, a sender's name, a count.
func (s *Service) publishSoon(ctx context.Context, events ...live) {
	if s.Events == nil || len(events) == 0 {
		return
	}
	run := func(ctx context.Context) {
		for _, l := range events {
			s.publish(ctx, l)
		}
	}
	if s.Notifying == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), liveTimeout)
		defer cancel()
		run(ctx)
		return
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), liveTimeout)
	s.Notifying.Go(func() {
		defer cancel()
		run(pctx)
	})
}

func (s *Service) publish(ctx context.Context, l live) {
	l.event.Unread = -1
	if l.counted {
		if n, err := s.Messages.CountUnread(ctx, l.userID); err == nil {
			l.event.Unread = n
		} else {
			s.log().WarnContext(ctx, "live event: count unread", "user_id", l.userID, "err", err)
		}
	}
	if _, err := s.Events.Publish(ctx, l.userID, l.event); err != nil {
		s.log().WarnContext(ctx, "live event not delivered; open pages catch up when they reconnect",
			"user_id", l.userID, "kind", l.event.Kind, "err", err)
	}
}

// sentEvents are the events of a new message: the recipient's inbox has it
// (with their new count), the sender's other pages list it under Sent.
func sentEvents(m *imageapp.Message) []live {
	kind := imageapp.EventMessage
	if m.Request {
		kind = imageapp.EventRequest // the inbox shows that a request waits, not the image
	}
	return onlySender(m, []live{
		{userID: m.RecipientID, counted: true, event: imageapp.Event{Kind: kind, Box: imageapp.Inbox, MessageID: m.ID, From: m.SenderName}},
		{userID: m.SenderID, event: imageapp.Event{Kind: imageapp.EventMessage, Box: imageapp.Sent, MessageID: m.ID}},
	})
}

// onlySender keeps a withheld message's events from its recipient, who
// must never learn of it.
func onlySender(m *imageapp.Message, events []live) []live {
	if !m.Withheld {
		return events
	}
	kept := events[:0]
	for _, e := range events {
		if e.userID == m.SenderID {
			kept = append(kept, e)
		}
	}
	return kept
}

// openedEvents are the events of a message its recipient opened for the
// first time: their count fell, and the sender's Sent view shows it opened.
func openedEvents(m *imageapp.Message) []live {
	return []live{
		{userID: m.RecipientID, counted: true, event: imageapp.Event{Kind: imageapp.EventRead, Box: imageapp.Inbox, MessageID: m.ID}},
		{userID: m.SenderID, event: imageapp.Event{Kind: imageapp.EventOpened, Box: imageapp.Sent, MessageID: m.ID}},
	}
}

// deletedEvents: a deleted message leaves both people's lists.
func deletedEvents(m *imageapp.Message) []live {
	return onlySender(m, []live{
		{userID: m.RecipientID, counted: true, event: imageapp.Event{Kind: imageapp.EventDeleted, Box: imageapp.Inbox, MessageID: m.ID}},
		{userID: m.SenderID, event: imageapp.Event{Kind: imageapp.EventDeleted, Box: imageapp.Sent, MessageID: m.ID}},
	})
}
