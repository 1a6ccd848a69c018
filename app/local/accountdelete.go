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
// entry, and a retired_usernames row that keeps the name (and its
// look-alikes) from new accounts for a while; that row is written first.

// retiredMigration is the table of usernames kept from new accounts.
const retiredMigration = `CREATE TABLE retired_usernames (
	username_key  TEXT PRIMARY KEY,
	until         INTEGER NOT NULL
);`

// DeleteAccount checks the password, then removes the account; its codes
// go with it (ON DELETE CASCADE).
func (id *Identity) DeleteAccount(ctx context.Context, username, password string) error {
	if _, err := id.login(ctx, username, password); err != nil {
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

// RetireUsername records the retirement of u's name, with its skeleton,
// before anything of u's goes; the row names u, which marks the deletion
// begun. Sign-up reads it in the transaction that inserts an account.
func (d *Directory) RetireUsername(ctx context.Context, u imageapp.User, until time.Time) error {
	return d.DB.tx(ctx, func(tx *sql.Tx) error { return retire(ctx, tx, u, until) })
}

func retire(ctx context.Context, tx *sql.Tx, u imageapp.User, until time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO retired_usernames (username_key, until, skeleton, user_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (username_key) DO UPDATE SET until = max(until, excluded.until), skeleton = excluded.skeleton,
			user_id = excluded.user_id, login_gone = CASE WHEN user_id = excluded.user_id THEN login_gone ELSE 0 END`,
		strings.ToLower(u.Username), until.UnixNano(), imageapp.UsernameSkeleton(u.Username), u.ID)
	if err != nil {
		return fmt.Errorf("local: retire username: %w", dbError(err))
	}
	return nil
}

// BeginLoginDeletion marks u's retirement row: their login is being deleted.
func (d *Directory) BeginLoginDeletion(ctx context.Context, u imageapp.User) error {
	_, err := d.DB.exec(ctx, `UPDATE retired_usernames SET login_gone = 1 WHERE username_key = ? AND user_id = ?`,
		strings.ToLower(u.Username), u.ID)
	if err != nil {
		return fmt.Errorf("local: mark the login gone: %w", dbError(err))
	}
	return nil
}

// LoginDeletionBegun reads the mark BeginLoginDeletion leaves.
func (d *Directory) LoginDeletionBegun(ctx context.Context, u imageapp.User) (bool, error) {
	var gone bool
	err := d.DB.queryRow(ctx, `SELECT login_gone FROM retired_usernames WHERE username_key = ? AND user_id = ?`,
		strings.ToLower(u.Username), u.ID).Scan(&gone)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("local: read the deletion: %w", err)
	}
	return gone, nil
}

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
		return retire(ctx, tx, u, until)
	})
}

// UsernameRetired reports whether username, or a name that looks like it,
// is kept from new accounts now.
func (d *Directory) UsernameRetired(ctx context.Context, username string) (bool, error) {
	var n int
	err := d.DB.queryRow(ctx, `SELECT count(*) FROM retired_usernames WHERE skeleton = ? AND until > ?`,
		imageapp.UsernameSkeleton(username), time.Now().UnixNano()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("local: retired username: %w", err)
	}
	return n > 0, nil
}
