package accounts

import (
	"context"
	"strings"

	"imageapp/app/imageapp"
)

// RequestEmailChange mails a code to newEmail, confirmed by u's password
// (EFORBIDDEN when wrong). Nothing changes until ConfirmEmailChange.
// Returns EINVALID for an address that is not one, or is u's already.
func (s *Service) RequestEmailChange(ctx context.Context, who imageapp.Requester, u imageapp.User, password, newEmail string) error {
	newEmail = strings.TrimSpace(newEmail)
	if err := imageapp.ValidateEmail(newEmail); err != nil {
		return err
	}
	if strings.EqualFold(newEmail, u.Email) {
		return imageapp.Errorf(imageapp.EINVALID, "That is your email address already.")
	}
	return wrongPassword(s.Identity.RequestEmailChange(ctx, who, u.Username, password, newEmail))
}

// ConfirmEmailChange takes the mailed code and makes the new address u's
// everywhere: the account, the directory entry, and the notification
// subscription, after telling the old address (a security notice). Every
// refused code gets sign-up's one answer, ErrCodeNotAccepted; a wrong
// password is EFORBIDDEN. Returns u as the directory has it now.
func (s *Service) ConfirmEmailChange(ctx context.Context, who imageapp.Requester, u imageapp.User, password, code string) (imageapp.User, error) {
	if err := imageapp.ValidateCode(code); err != nil {
		return u, err
	}
	newEmail, err := s.Identity.ConfirmEmailChange(ctx, who, u.Username, password, code)
	if err != nil {
		return u, codeAnswer(wrongPassword(err))
	}
	if newEmail == "" || newEmail == u.Email {
		return u, imageapp.ErrCodeNotAccepted() // no change was waiting
	}
	old := u.Email
	u.Email = newEmail
	if err := s.Users.PutUser(ctx, u); err != nil {
		return u, err
	}
	s.log().InfoContext(ctx, "email changed", "user_id", u.ID)
	if err := s.Notifier.ChangeEmail(ctx, u, old); err != nil {
		// The address has changed; the settings page shows whether mail
		// reaches the new one and can subscribe it again.
		s.log().ErrorContext(ctx, "move notifications to the new email", "user_id", u.ID, "err", err)
	}
	return s.Users.UserByID(ctx, u.ID)
}

// CancelEmailChange forgets u's waiting change; its code stops working.
func (s *Service) CancelEmailChange(ctx context.Context, u imageapp.User) error {
	return s.Identity.CancelEmailChange(ctx, u.Username)
}

// wrongPassword turns the port's wrong-login answer into the settings'
// one: the session stands, the password was wrong.
func wrongPassword(err error) error {
	if imageapp.ErrorCode(err) == imageapp.EUNAUTHORIZED {
		return imageapp.Errorf(imageapp.EFORBIDDEN, "That is not your password.")
	}
	return err
}
