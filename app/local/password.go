package local

import (
	"context"
	"fmt"

	"imageapp/app/imageapp"
)

// ChangePassword checks the current password as Login does (EUNAUTHORIZED
// when wrong, the same answer as a login), then stores the new one's hash.
// The policy is checked first, so a weak new password costs no hashing.
func (id *Identity) ChangePassword(ctx context.Context, username, current, newPassword string) error {
	if err := imageapp.ValidatePassword(newPassword); err != nil {
		return err
	}
	p, err := id.login(ctx, username, current)
	if err != nil {
		return err
	}
	pwHash, err := id.hash(ctx, newPassword)
	if err != nil {
		return err
	}
	res, err := id.DB.exec(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, pwHash, p.ID)
	if err != nil {
		return fmt.Errorf("local: change password: %w", dbError(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return imageapp.ErrWrongLogin() // deleted since the check
	}
	return nil
}
