package accounts

import (
	"context"

	"imageapp/app/imageapp"
)

// ChangePassword sets u's new password, confirmed by the current one
// (EFORBIDDEN when wrong: the session stands, the password does not
// change), and ends every session of u; it returns u as the directory has
// it now, so the caller can open a fresh session for the device that asked
// (whose old one ended with the others). Returns EINVALID for a new
// password that breaks the policy.
func (s *Service) ChangePassword(ctx context.Context, u imageapp.User, current, newPassword string) (imageapp.User, error) {
	if err := imageapp.ValidatePassword(newPassword); err != nil {
		return u, err
	}
	if err := s.Identity.ChangePassword(ctx, u.Username, current, newPassword); err != nil {
		if imageapp.ErrorCode(err) == imageapp.EUNAUTHORIZED {
			return u, imageapp.Errorf(imageapp.EFORBIDDEN, "That is not your current password.")
		}
		return u, err
	}
	if err := s.endAllSessions(ctx, u.ID); err != nil {
		return u, err
	}
	s.log().InfoContext(ctx, "password changed; every session ended", "user_id", u.ID)
	return s.Users.UserByID(ctx, u.ID)
}
