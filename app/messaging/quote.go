package messaging

import (
	"context"

	"imageapp/app/imageapp"
)

// errQuoteGone refuses a reply to an image the sender cannot see: gone
// (deleted, expired, viewed once), never theirs, or withheld from them.
func errQuoteGone() error {
	return imageapp.Errorf(imageapp.EINVALID, "The image you are replying to is gone. Send without the quote, or reply to another image.")
}

// checkQuote checks the message a send from from to to replies to: one of
// their conversation that from can still see. The reply stores only its ID.
func (s *Service) checkQuote(ctx context.Context, from, to imageapp.User, id string) error {
	if id == "" {
		return nil
	}
	q, err := s.visible(ctx, from, id)
	if err != nil {
		if quoteIsGone(err) {
			return errQuoteGone()
		}
		return err
	}
	if q.SenderID != to.ID && q.RecipientID != to.ID || q.Request && q.RecipientID == from.ID {
		return errQuoteGone()
	}
	if q.ViewOnce && !q.ReadAt.IsZero() {
		return errQuoteGone()
	}
	return nil
}

// Quoted returns the messages that msgs quote and that viewer can still
// see, by ID, with their previews; a quote missing from the map is gone
// ("Original image is gone"). Quotes found among msgs are not read again.
func (s *Service) Quoted(ctx context.Context, viewer imageapp.User, msgs []*imageapp.Message, how ...Access) (map[string]*imageapp.Message, map[string]Preview, error) {
	byID := map[string]*imageapp.Message{}
	for _, m := range msgs {
		byID[m.ID] = m
	}
	found := map[string]*imageapp.Message{}
	var read []*imageapp.Message
	for _, m := range msgs {
		if m.QuoteID == "" || found[m.QuoteID] != nil {
			continue
		}
		if q, ok := byID[m.QuoteID]; ok {
			found[q.ID] = q
			continue
		}
		q, err := s.visible(ctx, viewer, m.QuoteID)
		switch {
		case err == nil:
			found[q.ID] = q
			read = append(read, q)
		case !quoteIsGone(err):
			return nil, nil, err
		}
	}
	for id, q := range found {
		if q.ViewOnce && !q.ReadAt.IsZero() || q.Request && q.RecipientID == viewer.ID {
			delete(found, id)
		}
	}
	return found, s.Previews(ctx, viewer, read, how...), nil
}

// quoteIsGone reports whether err says a quoted message cannot be shown:
// unknown to the viewer, or gone (a tombstone's 410 is for the message
// itself, not for the reply that quotes it).
func quoteIsGone(err error) bool {
	_, gone := imageapp.Gone(err)
	return gone || imageapp.ErrorCode(err) == imageapp.ENOTFOUND
}
