package local

import (
	"context"
	"database/sql"
	"fmt"

	"imageapp/app/imageapp"
)

// Look-alike usernames (imageapp.UsernameSkeleton): accounts.skeleton is
// unique, so one account holds a name and all that look like it, and
// retired_usernames.skeleton retires the look-alikes of a deleted name with
// it. A retired_usernames row with a user_id is a deletion in progress (or
// done): login_gone records that its login's deletion has begun.
const skeletonMigration = `ALTER TABLE accounts ADD COLUMN skeleton TEXT;
CREATE UNIQUE INDEX accounts_skeleton ON accounts (skeleton);
ALTER TABLE retired_usernames ADD COLUMN skeleton TEXT;
ALTER TABLE retired_usernames ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE retired_usernames ADD COLUMN login_gone INTEGER NOT NULL DEFAULT 0;
CREATE INDEX retired_usernames_skeleton ON retired_usernames (skeleton, until);`

// backfillSkeletons gives the rows written before skeletonMigration their
// skeletons; once done it finds no row (one read of each index). Accounts
// that looked alike before the rule keep their names: the oldest holds the
// skeleton, each later one a skeleton of its own (suffixed with its ID),
// which no new name can have.
func (d *DB) backfillSkeletons(ctx context.Context) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, username FROM accounts WHERE skeleton IS NULL ORDER BY created_at, id`)
		if err != nil {
			return fmt.Errorf("local: backfill skeletons: %w", err)
		}
		type acct struct{ id, name string }
		var todo []acct
		for rows.Next() {
			var a acct
			if err := rows.Scan(&a.id, &a.name); err != nil {
				rows.Close()
				return fmt.Errorf("local: backfill skeletons: %w", err)
			}
			todo = append(todo, a)
		}
		rows.Close()
		for _, a := range todo {
			sk := imageapp.UsernameSkeleton(a.name)
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE skeleton = ?`, sk).Scan(&n); err != nil {
				return fmt.Errorf("local: backfill skeletons: %w", err)
			}
			if n > 0 {
				sk += "#" + a.id
			}
			if _, err := tx.ExecContext(ctx, `UPDATE accounts SET skeleton = ? WHERE id = ?`, sk, a.id); err != nil {
				return fmt.Errorf("local: backfill skeletons: %w", dbError(err))
			}
		}
		retired, err := tx.QueryContext(ctx, `SELECT username_key FROM retired_usernames WHERE skeleton IS NULL`)
		if err != nil {
			return fmt.Errorf("local: backfill skeletons: %w", err)
		}
		var keys []string
		for retired.Next() {
			var k string
			if err := retired.Scan(&k); err != nil {
				retired.Close()
				return fmt.Errorf("local: backfill skeletons: %w", err)
			}
			keys = append(keys, k)
		}
		retired.Close()
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `UPDATE retired_usernames SET skeleton = ? WHERE username_key = ?`,
				imageapp.UsernameSkeleton(k), k); err != nil {
				return fmt.Errorf("local: backfill skeletons: %w", dbError(err))
			}
		}
		return nil
	})
}
