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
// (EFORBIDDEN when wrong: the session stands, the deletion does not).
//
// The username is retired first (for RetireDays), while the account still
// holds it: were the login removed before, a sign-up in between would find
// the name free and receive what people still send to it. Then their key
// goes — KMS schedules its deletion and refuses it from then on (locally
// its row is erased) — which makes every image ever sent to them unreadable
// at once; then the login, the notification topic, the messages sent to
// them with their blobs, their passkeys, two-factor enrolment and push
// subscriptions, the directory entry, and last their sessions,
// which the session that asked needs until then to retry. Images they sent
// stay with their recipients.
//
// Every step is idempotent, so a deletion that stopped half-way is finished
// by trying again. Once the login is gone the password logs in no more, so
// the directory marks the login's deletion before it runs
// (BeginLoginDeletion), and a retry after the mark asks for no password: the
// deletion was confirmed with it. Then a login that refuses the password is
// taken for gone; should it be there still (the person typed another
// password on the retry), it reaches nothing: its key is gone, and a
// retired name is not provisioned again.
func (s *Service) DeleteAccount(ctx context.Context, who imageapp.Requester, u imageapp.User, password string) error {
	loginGoing, err := s.Users.LoginDeletionBegun(ctx, u)
	if err != nil {
		return err
	}
	if !loginGoing {
		if _, err := s.Identity.Login(ctx, who, u.Username, password); err != nil {
			if imageapp.ErrorCode(err) == imageapp.EUNAUTHORIZED {
				return imageapp.Errorf(imageapp.EFORBIDDEN, "That password is not right, so the account was not deleted.")
			}
			return err
		}
	}
	until := s.now().Add(RetireDays * 24 * time.Hour)
	steps := []struct {
		what string
		do   func() error
	}{
		{"retire the username", func() error { return s.Users.RetireUsername(ctx, u, until) }},
		{"destroy the key", func() error { return s.Keys.DestroyUserKey(ctx, u.KeyID) }},
		{"delete the login", func() error {
			if err := s.Users.BeginLoginDeletion(ctx, u); err != nil {
				return err
			}
			err := s.Identity.DeleteAccount(ctx, u.Username, password)
			if loginGoing && imageapp.ErrorCode(err) == imageapp.EUNAUTHORIZED {
				return nil // deleted by the try before
			}
			return err
		}},
		{"delete the notification topic", func() error { return s.Notifier.DeleteUserTopic(ctx, u) }},
		{"delete the messages sent to them", func() error {
			n, err := s.Mailbox.PurgeReceived(ctx, u.ID)
			s.log().InfoContext(ctx, "deleted account's messages removed", "user_id", u.ID, "messages", n)
			return err
		}},
		{"forget passkeys, two-factor and push subscriptions", func() error { return s.SignIn.forgetSignIn(ctx, u.ID) }},
		{"delete the directory entry", func() error { return s.Users.DeleteUser(ctx, u, until) }},
		{"end the sessions", func() error { return s.endAllSessions(ctx, u.ID) }},
	}
	for i, step := range steps {
		if err := step.do(); err != nil {
			s.log().ErrorContext(ctx, "account deletion stopped", "user_id", u.ID, "step", step.what, "done", i, "err", err)
			if i < 2 {
				return fmt.Errorf("%w: accounts: %s: %w", imageapp.Errorf(imageapp.EINTERNAL,
					"Deleting your account failed before anything was deleted. Try again."), step.what, err)
			}
			return fmt.Errorf("%w: %w", imageapp.Errorf(imageapp.EINTERNAL,
				"Your key is destroyed, so nobody can open the images sent to you, but deleting the rest failed. Try again to finish."), err)
		}
	}
	s.log().InfoContext(ctx, "account deleted", "user_id", u.ID)
	return nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
