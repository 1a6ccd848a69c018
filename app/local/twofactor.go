package local

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"imageapp/app/imageapp"
)

// twoFactorMigration adds each user's authenticator-app enrolment
// (imageapp.TwoFactorStore): the secret sealed, the recovery codes hashed.
const twoFactorMigration = `CREATE TABLE two_factor (
	user_id        TEXT PRIMARY KEY,
	sealed_secret  BLOB NOT NULL,
	wrapped_key    BLOB NOT NULL,
	confirmed      INTEGER NOT NULL DEFAULT 0,
	last_step      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE recovery_codes (
	user_id  TEXT NOT NULL,
	hash     TEXT NOT NULL,
	PRIMARY KEY (user_id, hash)
);`

var _ imageapp.TwoFactorStore = (*Directory)(nil)

// TwoFactor reads the user's enrolment and unused recovery codes.
func (d *Directory) TwoFactor(ctx context.Context, userID string) (imageapp.TwoFactor, error) {
	var tf imageapp.TwoFactor
	err := d.DB.queryRow(ctx, `SELECT sealed_secret, wrapped_key, confirmed, last_step FROM two_factor WHERE user_id = ?`, userID).
		Scan(&tf.SealedSecret, &tf.WrappedKey, &tf.Confirmed, &tf.LastStep)
	if isNoRows(err) {
		return tf, imageapp.Errorf(imageapp.ENOTFOUND, "Two-factor sign-in is not set up.")
	}
	if err != nil {
		return tf, fmt.Errorf("local: two-factor: %w", err)
	}
	rows, err := d.DB.query(ctx, `SELECT hash FROM recovery_codes WHERE user_id = ? ORDER BY hash`, userID)
	if err != nil {
		return tf, fmt.Errorf("local: recovery codes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return tf, fmt.Errorf("local: recovery codes: %w", err)
		}
		tf.RecoveryHashes = append(tf.RecoveryHashes, h)
	}
	if err := rows.Err(); err != nil {
		return tf, fmt.Errorf("local: recovery codes: %w", err)
	}
	return tf, nil
}

// PutTwoFactor replaces an unconfirmed enrolment; a confirmed one stays.
func (d *Directory) PutTwoFactor(ctx context.Context, userID string, tf imageapp.TwoFactor) error {
	res, err := d.DB.exec(ctx, `INSERT INTO two_factor (user_id, sealed_secret, wrapped_key) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, wrapped_key = excluded.wrapped_key, last_step = 0
		WHERE confirmed = 0`, userID, tf.SealedSecret, tf.WrappedKey)
	if err != nil {
		return fmt.Errorf("local: put two-factor: %w", dbError(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errAlreadyOn(err)
	}
	return nil
}

func errAlreadyOn(err error) error {
	if err != nil {
		return fmt.Errorf("local: two-factor: %w", err)
	}
	return imageapp.Errorf(imageapp.ECONFLICT, "Two-factor sign-in is on already.")
}

// ConfirmTwoFactor marks the enrolment confirmed and stores the recovery
// code hashes, in one transaction.
func (d *Directory) ConfirmTwoFactor(ctx context.Context, userID string, hashes []string, step int64) error {
	return d.DB.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE two_factor SET confirmed = 1, last_step = ? WHERE user_id = ? AND confirmed = 0 AND last_step < ?`, step, userID, step)
		if err != nil {
			return fmt.Errorf("local: confirm two-factor: %w", dbError(err))
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				var one int
				if err := tx.QueryRowContext(ctx, `SELECT 1 FROM two_factor WHERE user_id = ?`, userID).Scan(&one); isNoRows(err) {
					return imageapp.Errorf(imageapp.ENOTFOUND, "Two-factor sign-in is not set up.")
				}
			}
			return errAlreadyOn(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("local: recovery codes: %w", dbError(err))
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, hash) VALUES (?, ?)`, userID, h); err != nil {
				return fmt.Errorf("local: recovery codes: %w", dbError(err))
			}
		}
		return nil
	})
}

// UseTwoFactorStep moves last_step forward, only forward.
func (d *Directory) UseTwoFactorStep(ctx context.Context, userID string, step int64) error {
	res, err := d.DB.exec(ctx, `UPDATE two_factor SET last_step = ? WHERE user_id = ? AND confirmed = 1 AND last_step < ?`, step, userID, step)
	if err != nil {
		return fmt.Errorf("local: use two-factor code: %w", dbError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("local: use two-factor code: %w", err)
	}
	if n == 0 {
		var confirmed bool
		err := d.DB.queryRow(ctx, `SELECT confirmed FROM two_factor WHERE user_id = ?`, userID).Scan(&confirmed)
		if isNoRows(err) || (err == nil && !confirmed) {
			return imageapp.Errorf(imageapp.ENOTFOUND, "Two-factor sign-in is not on.")
		}
		if err != nil {
			return fmt.Errorf("local: use two-factor code: %w", err)
		}
		return imageapp.Errorf(imageapp.ECONFLICT, "That code was used already.")
	}
	return nil
}

// UseRecoveryCode deletes the code's row; deleting none means it was not there.
func (d *Directory) UseRecoveryCode(ctx context.Context, userID, hash string) error {
	res, err := d.DB.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ? AND hash = ?`, userID, strings.ToLower(hash))
	if err != nil {
		return fmt.Errorf("local: use recovery code: %w", dbError(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("local: use recovery code: %w", err)
	}
	if n == 0 {
		return imageapp.Errorf(imageapp.ENOTFOUND, "That recovery code is not one of yours, or was used already.")
	}
	return nil
}

// DeleteTwoFactor deletes the enrolment and its recovery codes.
func (d *Directory) DeleteTwoFactor(ctx context.Context, userID string) error {
	return d.DB.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM recovery_codes WHERE user_id = ?`, `DELETE FROM two_factor WHERE user_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return fmt.Errorf("local: delete two-factor: %w", dbError(err))
			}
		}
		return nil
	})
}
