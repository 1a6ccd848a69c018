package messaging

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// DefaultMailWindow is the least time between two notification mails to
// one recipient when Service.MailWindow is zero: a burst of sends makes one
// mail at once and one digest this long after it. SNS suspends an email
// subscription that gets more than about ten messages a second; a mail
// every few minutes stays far below that, however many instances send.
const DefaultMailWindow = 5 * time.Minute

// digestBatch is how many due digests one read of a sweep takes.
const digestBatch = 100

func (s *Service) mailWindow() time.Duration {
	if s.MailWindow > 0 {
		return s.MailWindow
	}
	return DefaultMailWindow
}

// notify tells the recipient of one image: at once when no mail went to
// them within the window (MailDigests decides, for every instance at
// once), else in their next digest. A failure is logged and counted; the
// message stays sent, and the live inbox tells the recipient anyway.
func (s *Service) notify(ctx context.Context, to imageapp.User, n imageapp.Notification) {
	if s.MailDigests != nil {
		mailNow, err := s.MailDigests.Record(ctx, to.ID, n.SenderName, s.now(), s.mailWindow())
		if err != nil {
			// No mail rather than one mail per send: a burst must never
			// reach the address unthrottled.
			s.count(MetricStoreErrors, 1)
			s.log().WarnContext(ctx, "could not record a notification; no mail for it", "message_id", n.MessageID, "err", err)
			return
		}
		if !mailNow {
			s.count(MetricMailsCoalesced, 1)
			return
		}
	}
	if err := s.Notifier.Notify(ctx, to, n); err != nil {
		s.count(MetricMailErrors, 1)
		s.log().WarnContext(ctx, "notification failed; the message was sent", "message_id", n.MessageID, "err", err)
		s.retryInDigest(ctx, to, n)
		return
	}
	s.count(MetricMailsSent, 1)
}

// retryInDigest puts an image whose mail at once failed into the
// recipient's next digest: Record, right after the claim, always defers.
func (s *Service) retryInDigest(ctx context.Context, to imageapp.User, n imageapp.Notification) {
	if s.MailDigests == nil {
		return
	}
	if _, err := s.MailDigests.Record(ctx, to.ID, n.SenderName, s.now(), s.mailWindow()); err != nil {
		s.count(MetricStoreErrors, 1)
		s.log().WarnContext(ctx, "could not keep a failed notification for the digest", "message_id", n.MessageID, "err", err)
	}
}

// SweepMailDigests mails the digests that are due, and returns how many
// went. It runs on one instance of the cluster at a time (under a lease);
// its cost grows with the digests due, not with the users. A digest is
// settled only after its mail went, so a crash in between mails it again
// at the next sweep rather than never. A digest for a user who turned
// mail off, or who is gone, is dropped.
func (s *Service) SweepMailDigests(ctx context.Context) (int, error) {
	if s.MailDigests == nil {
		return 0, nil
	}
	sent := 0
	var errs []error
	for {
		due, err := s.MailDigests.Due(ctx, s.now(), digestBatch)
		if err != nil {
			return sent, sweepError(ctx, append(errs, err))
		}
		for _, d := range due {
			mailed, err := s.mailDigest(ctx, d)
			if mailed {
				sent++
			}
			if err != nil {
				errs = append(errs, err)
			}
			if ctx.Err() != nil || len(errs) >= sweepErrors {
				return sent, sweepError(ctx, errs)
			}
		}
		// A digest that failed stays due; reading again would find it again.
		if len(due) < digestBatch || len(errs) > 0 {
			return sent, sweepError(ctx, errs)
		}
	}
}

// mailDigest mails d to its recipient, if they still want mail, and
// settles it.
func (s *Service) mailDigest(ctx context.Context, d imageapp.Digest) (mailed bool, err error) {
	to, err := s.Users.UserByID(ctx, d.RecipientID)
	switch {
	case imageapp.ErrorCode(err) == imageapp.ENOTFOUND:
		// The account is gone: nothing to tell.
	case err != nil:
		return false, err
	case !imageapp.PrivacyOf(to).NotifyByMail || !to.Provisioned():
		// Mail turned off since: the digest goes unsent.
	default:
		n := imageapp.Notification{RecipientID: to.ID, Images: d.Images, Senders: d.Senders}
		if err := s.Notifier.Notify(ctx, to, n); err != nil {
			s.count(MetricMailErrors, 1)
			return false, fmt.Errorf("messaging: mail a digest: %w", err)
		}
		mailed = true
		s.count(MetricDigestsSent, 1)
	}
	if err := s.MailDigests.Settle(ctx, d, s.now(), s.mailWindow()); err != nil {
		return mailed, err
	}
	return mailed, nil
}
