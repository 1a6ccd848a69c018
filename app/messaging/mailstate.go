package messaging

import (
	"context"

	"imageapp/app/imageapp"
)

// MailState tells whether u's notification mail reaches them: confirmed,
// pending their confirmation, gone, or (local mode) the outbox.
func (s *Service) MailState(ctx context.Context, u imageapp.User) (imageapp.MailState, error) {
	if !u.Provisioned() {
		return imageapp.MailGone, nil // no topic yet: provisioning subscribes the address
	}
	return s.Notifier.MailState(ctx, u)
}

// ResendMailConfirmation asks for the confirmation mail of u's notification
// subscription again. A confirmed address (or the outbox) has nothing to
// confirm, and an unprovisioned user is provisioned, which subscribes them.
func (s *Service) ResendMailConfirmation(ctx context.Context, u imageapp.User) error {
	if !u.Provisioned() {
		if s.Provision == nil {
			return imageapp.Errorf(imageapp.EUNAVAILABLE, "Your account is not set up yet. Log out and in again.")
		}
		_, err := s.Provision(ctx, u)
		return err
	}
	return s.Notifier.ResendConfirmation(ctx, u)
}
