package local

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// passkeysMigration adds the users' passkeys (imageapp.PasskeyStore) and the
// challenges of ceremonies under way (imageapp.Ceremonies).
const passkeysMigration = `CREATE TABLE passkeys (
	id          BLOB PRIMARY KEY,
	user_id     TEXT NOT NULL,
	name        TEXT NOT NULL,
	record      BLOB NOT NULL,
	sign_count  INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	last_used   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX passkeys_user ON passkeys (user_id, created_at DESC);
CREATE TABLE ceremonies (
	id          TEXT PRIMARY KEY,
	data        BLOB NOT NULL,
	expires_at  INTEGER NOT NULL
);
CREATE INDEX ceremonies_expiry ON ceremonies (expires_at);`

var (
	_ imageapp.PasskeyStore = (*Directory)(nil)
	_ imageapp.Ceremonies   = (*Directory)(nil)
)

// AddPasskey inserts p if the user has room for it, in one statement.
func (d *Directory) AddPasskey(ctx context.Context, p imageapp.Passkey) error {
	res, err := d.DB.exec(ctx, `INSERT INTO passkeys (id, user_id, name, record, sign_count, created_at)
		SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM passkeys WHERE user_id = ?) < ?`,
		p.ID, p.UserID, p.Name, p.Record, int64(p.SignCount), p.Created.UnixNano(), p.UserID, imageapp.MaxPasskeys)
	if isUniqueViolation(err) {
		return imageapp.Errorf(imageapp.ECONFLICT, "That passkey is registered already.")
	}
	if err != nil {
		return fmt.Errorf("local: add passkey: %w", dbError(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("local: add passkey: %w", err)
		}
		return imageapp.Errorf(imageapp.EFORBIDDEN, "You have %d passkeys, the most you can have. Remove one to add another.", imageapp.MaxPasskeys)
	}
	return nil
}

const passkeyColumns = `id, user_id, name, record, sign_count, created_at, last_used`

type scanner interface{ Scan(...any) error }

func scanPasskey(row scanner) (imageapp.Passkey, error) {
	var p imageapp.Passkey
	var count, created, used int64
	if err := row.Scan(&p.ID, &p.UserID, &p.Name, &p.Record, &count, &created, &used); err != nil {
		return p, err
	}
	p.SignCount, p.Created = uint32(count), time.Unix(0, created).UTC()
	if used != 0 {
		p.LastUsed = time.Unix(0, used).UTC()
	}
	return p, nil
}

// Passkey reads one passkey by ID.
func (d *Directory) Passkey(ctx context.Context, id []byte) (imageapp.Passkey, error) {
	p, err := scanPasskey(d.DB.queryRow(ctx, `SELECT `+passkeyColumns+` FROM passkeys WHERE id = ?`, id))
	if isNoRows(err) {
		return p, imageapp.Errorf(imageapp.ENOTFOUND, "That passkey is not registered.")
	}
	if err != nil {
		return p, fmt.Errorf("local: passkey: %w", err)
	}
	return p, nil
}

// Passkeys lists the user's passkeys, newest first.
func (d *Directory) Passkeys(ctx context.Context, userID string) ([]imageapp.Passkey, error) {
	rows, err := d.DB.query(ctx, `SELECT `+passkeyColumns+` FROM passkeys WHERE user_id = ? ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("local: passkeys: %w", err)
	}
	defer rows.Close()
	var out []imageapp.Passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, fmt.Errorf("local: passkeys: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("local: passkeys: %w", err)
	}
	return out, nil
}

// UsePasskey moves the counter forward (or keeps 0 at 0) and notes the use.
func (d *Directory) UsePasskey(ctx context.Context, id []byte, count uint32, at time.Time) error {
	res, err := d.DB.exec(ctx, `UPDATE passkeys SET sign_count = ?, last_used = ?
		WHERE id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))`, int64(count), at.UnixNano(), id, int64(count), int64(count))
	if err != nil {
		return fmt.Errorf("local: use passkey: %w", dbError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("local: use passkey: %w", err)
	}
	if n == 0 {
		if _, err := d.Passkey(ctx, id); err != nil {
			return err
		}
		return imageapp.Errorf(imageapp.ECONFLICT, "That passkey's counter did not go up.")
	}
	return nil
}

// RemovePasskey deletes the user's passkey.
func (d *Directory) RemovePasskey(ctx context.Context, userID string, id []byte) error {
	res, err := d.DB.exec(ctx, `DELETE FROM passkeys WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("local: remove passkey: %w", dbError(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("local: remove passkey: %w", err)
		}
		return imageapp.Errorf(imageapp.ENOTFOUND, "That passkey is not one of yours.")
	}
	return nil
}

// PutCeremony stores the ceremony and drops expired ones, so unfinished
// ceremonies do not pile up.
func (d *Directory) PutCeremony(ctx context.Context, id string, data []byte, expires time.Time) error {
	if _, err := d.DB.exec(ctx, `DELETE FROM ceremonies WHERE expires_at < ?`, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("local: sweep ceremonies: %w", dbError(err))
	}
	if _, err := d.DB.exec(ctx, `INSERT INTO ceremonies (id, data, expires_at) VALUES (?, ?, ?)`, id, data, expires.UnixNano()); err != nil {
		return fmt.Errorf("local: put ceremony: %w", dbError(err))
	}
	return nil
}

// TakeCeremony deletes the ceremony's row and returns its data, if it had
// not expired.
func (d *Directory) TakeCeremony(ctx context.Context, id string, now time.Time) ([]byte, error) {
	var data []byte
	var expires int64
	err := d.DB.row(ctx, `DELETE FROM ceremonies WHERE id = ? RETURNING data, expires_at`, id).Scan(&data, &expires)
	if isNoRows(err) || (err == nil && expires <= now.UnixNano()) {
		return nil, imageapp.Errorf(imageapp.ENOTFOUND, "That sign-in attempt expired. Start again.")
	}
	if err != nil {
		return nil, fmt.Errorf("local: take ceremony: %w", dbError(err))
	}
	return data, nil
}
