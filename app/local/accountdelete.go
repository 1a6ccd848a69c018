package local

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"imageapp/app/imageapp"
)

// Deleting an account, locally: the account row (codes go with it), the
// user's key row (every data key it wrapped is lost with it), the directory
// entry, and a retired_usernames row that keeps the name from new accounts
// for a while.

// retiredMigration is the table of usernames kept from new accounts.
const retiredMigration = `CREATE TABLE retired_usernames (
	username_key  TEXT PRIMARY KEY,
	until         INTEGER NOT NULL
);`

// DeleteAccount checks the password, then removes the account; its codes
// go with it (ON DELETE CASCADE).
func (id *Identity) DeleteAccount(ctx context.Context, username, password string) error {
	if _, err := id.Login(ctx, username, password); err != nil {
		return err
	}
	if _, err := id.DB.exec(ctx, `DELETE FROM accounts WHERE username_key = ?`, strings.ToLower(username)); err != nil {
		return fmt.Errorf("local: delete account: %w", dbError(err))
	}
	return nil
}

// DestroyUserKey erases the key's row: the master key wraps nothing that
// could unwrap the key's data keys any more.
func (k *Keyring) DestroyUserKey(ctx context.Context, keyID string) error {
	if _, err := k.DB.exec(ctx, `DELETE FROM user_keys WHERE id = ?`, keyID); err != nil {
		return fmt.Errorf("local: keyring: destroy key: %w", dbError(err))
	}
	k.mu.Lock()
	delete(k.cache, keyID)
	k.mu.Unlock()
	return nil
}

// DeleteUserTopic has nothing to remove: local notifications go to the
// outbox by address.
func (n *Notifier) DeleteUserTopic(ctx context.Context, u imageapp.User) error { return nil }

// DeleteUser removes the entry and retires the username, in one transaction.
func (d *Directory) DeleteUser(ctx context.Context, u imageapp.User, until time.Time) error {
	return d.DB.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, u.ID); err != nil {
			return fmt.Errorf("local: delete user: %w", dbError(err))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM blocks WHERE blocker_id = ?`, u.ID); err != nil {
			return fmt.Errorf("local: delete the user's blocks: %w", dbError(err))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE user_id = ?`, u.ID); err != nil {
			return fmt.Errorf("local: delete the user's contacts: %w", dbError(err))
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO retired_usernames (username_key, until) VALUES (?, ?)
			ON CONFLICT (username_key) DO UPDATE SET until = max(until, excluded.until)`, strings.ToLower(u.Username), until.UnixNano())
		if err != nil {
			return fmt.Errorf("local: retire username: %w", dbError(err))
		}
		return nil
	})
}

// UsernameRetired reports whether username is kept from new accounts now.
func (d *Directory) UsernameRetired(ctx context.Context, username string) (bool, error) {
	var until int64
	err := d.DB.queryRow(ctx, `SELECT until FROM retired_usernames WHERE username_key = ?`, strings.ToLower(username)).Scan(&until)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("local: retired username: %w", err)
	}
	return time.Now().UnixNano() < until, nil
}
