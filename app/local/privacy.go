package local

import (
	"context"
	"fmt"

	"imageapp/app/imageapp"
)

// privacyMigration adds the privacy settings to users. The directory lists
// through users_listed, which holds only listed users, so a page is still
// one range of one index however many people hide.
const privacyMigration = `ALTER TABLE users ADD COLUMN no_read_receipts INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE users ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX users_listed ON users (username_key) WHERE hidden = 0;`

// noMailMigration adds the email notification setting: 1 when a user
// turned the mail off, so existing users keep getting it.
const noMailMigration = `ALTER TABLE users ADD COLUMN no_mail INTEGER NOT NULL DEFAULT 0;`

// SetPrivacy stores the user's privacy settings.
func (d *Directory) SetPrivacy(ctx context.Context, userID string, p imageapp.Privacy) error {
	res, err := d.DB.exec(ctx, `UPDATE users SET no_read_receipts = ?, hidden = ?, no_mail = ?, message_requests = ? WHERE id = ?`,
		!p.ReadReceipts, !p.Listed, !p.NotifyByMail, p.MessageRequests, userID)
	if err != nil {
		return fmt.Errorf("local: set privacy: %w", dbError(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return imageapp.ErrNoSuchUser()
	}
	return nil
}
