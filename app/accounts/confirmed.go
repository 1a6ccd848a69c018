package accounts

import (
	"context"

	"imageapp/app/imageapp"
)

// ConfirmedUser is the provisioned user of a just-confirmed account, for the
// web layer to start the session of the browser that signed up (it holds a
// proof of the sign-up; Confirm has checked the code). Returns ENOTFOUND
// for an account not provisioned yet: that person logs in, as before, and
// Login provisions it.
func (s *Service) ConfirmedUser(ctx context.Context, username string) (imageapp.User, error) {
	u, err := s.Users.UserByUsername(ctx, username)
	if err != nil {
		return imageapp.User{}, err
	}
	if !u.Provisioned() {
		return imageapp.User{}, imageapp.Errorf(imageapp.ENOTFOUND, "The account is not ready yet. Log in.")
	}
	return u, nil
}
