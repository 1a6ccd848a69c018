package messaging

import (
	"context"

	"imageapp/app/imageapp"
)

// Pusher sends a Web Push message to the browsers a user turned
// notifications on in (the server's adapter over webpush.Sender). It is
// told the sender's username only: the message names the sender and
// where to open the conversation, never the caption or the image.
type Pusher interface {
	PushNewImage(ctx context.Context, to imageapp.User, sender string) error
}

// pushSoon pushes to the recipient's browsers, after Send returns when
// Notifying is set (as mail is), detached from the request. Several images
// from one sender replace each other in the browser (the message's tag is
// the sender), so no coalescing is kept here. A failure is logged; the
// message stays sent.
func (s *Service) pushSoon(ctx context.Context, to imageapp.User, sender, messageID string, answered <-chan struct{}) {
	if s.Push == nil {
		return
	}
	push := func(ctx context.Context) {
		if err := s.Push.PushNewImage(ctx, to, sender); err != nil {
			s.log().WarnContext(ctx, "web push failed; the message was sent", "message_id", messageID, "err", err)
		}
	}
	if s.Notifying == nil {
		push(ctx)
		return
	}
	s.Notifying.Go(func() {
		s.awaitAnswer(ctx, answered, messageID) // as notifySoon: its encryption is CPU the answer needs
		nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout)
		defer cancel()
		push(nctx)
	})
}
