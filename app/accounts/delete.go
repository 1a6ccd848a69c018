package accounts

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// RetireDays is how long a deleted account's username is kept from new
// accounts: the people who still have images from the deleted account see
// its name in their inbox and conversations, and may send to it from
// habit. For three months a new account cannot take the name, so nobody
// passes for the person who left, and nobody receives images meant for
// them. After that the name is free again.
const RetireDays = 90

// DeleteAccount deletes u's account for good, confirmed by their password
// (EFORBIDDEN when wrong: the session stands, the deletion does not). Their key goes first — KMS schedules its
// deletion and refuses it from then on (locally its row is erased) — which
// makes every image ever sent to them unreadable at once; then their
// sessions end, the login goes, the directory entry (the username is
// retired for RetireDays), the notification topic, and the messages sent
// to them with their blobs. Images they sent stay with their recipients.
func (s *Service) DeleteAccount(ctx context.Context, u imageapp.User, password string) error {
	if _, err := s.Identity.Login(ctx, u.Username, password); err != nil {
		if imageapp.ErrorCode(err) == imageapp.EUNAUTHORIZED {
			return imageapp.Errorf(imageapp.EFORBIDDEN, "That password is not right, so the account was not deleted.")
		}
		return err
	}
	steps := []struct {
		what string
		do   func() error
	}{
		{"destroy the key", func() error { return s.Keys.DestroyUserKey(ctx, u.KeyID) }},
		{"end the sessions", func() error { return s.endAllSessions(ctx, u.ID) }},
		{"delete the login", func() error { return s.Identity.DeleteAccount(ctx, u.Username, password) }},
		{"delete the directory entry", func() error {
			return s.Users.DeleteUser(ctx, u, s.now().Add(RetireDays*24*time.Hour))
		}},
		{"delete the notification topic", func() error { return s.Notifier.DeleteUserTopic(ctx, u) }},
		{"delete the messages sent to them", func() error {
			n, err := s.Mailbox.PurgeReceived(ctx, u.ID)
			s.log().Info("deleted account's messages removed", "user_id", u.ID, "messages", n)
			return err
		}},
	}
	for i, step := range steps {
		if err := step.do(); err != nil {
			s.log().Error("account deletion stopped", "user_id", u.ID, "step", step.what, "done", i, "err", err)
			if i == 0 {
				return fmt.Errorf("accounts: %s: %w", step.what, err)
			}
			return fmt.Errorf("%w: %w", imageapp.Errorf(imageapp.EINTERNAL,
				"Your key is destroyed, so nobody can open the images sent to you, but deleting the rest failed. Try again, or tell the operator."), err)
		}
	}
	s.log().Info("account deleted", "user_id", u.ID)
	return nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
