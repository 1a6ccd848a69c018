package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// mailDigestsMigration keeps, per recipient, when their last notification
// mail went and what waits for their digest (imageapp.MailDigests). due is
// set only while a digest waits, so the sweep reads a partial index of
// the due digests alone.
const mailDigestsMigration = `CREATE TABLE mail_digests (
	recipient_id  TEXT PRIMARY KEY,
	last_sent     INTEGER NOT NULL,
	images        INTEGER NOT NULL DEFAULT 0,
	due           INTEGER
);
CREATE INDEX mail_digests_due ON mail_digests (due) WHERE due IS NOT NULL;
CREATE TABLE mail_digest_senders (
	recipient_id  TEXT NOT NULL,
	sender        TEXT NOT NULL,
	PRIMARY KEY (recipient_id, sender)
);`

// MailDigests is imageapp.MailDigests in the database; its transactions
// are the conditional writes (one writer at a time).
type MailDigests struct{ DB *DB }

var _ imageapp.MailDigests = (*MailDigests)(nil)

// Record implements imageapp.MailDigests.
func (m *MailDigests) Record(ctx context.Context, recipientID, sender string, now time.Time, window time.Duration) (bool, error) {
	mailNow := false
	err := m.DB.tx(ctx, func(tx *sql.Tx) error {
		var lastSent int64
		var due sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT last_sent, due FROM mail_digests WHERE recipient_id = ?`, recipientID).Scan(&lastSent, &due)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && !due.Valid && lastSent <= now.Add(-window).UnixNano()):
			mailNow = true
			_, err = tx.ExecContext(ctx, `INSERT INTO mail_digests (recipient_id, last_sent) VALUES (?, ?)
				ON CONFLICT (recipient_id) DO UPDATE SET last_sent = excluded.last_sent, images = 0, due = NULL`,
				recipientID, now.UnixNano())
			return err
		case err != nil:
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mail_digests SET images = images + 1, due = coalesce(due, last_sent + ?)
			WHERE recipient_id = ?`, window.Nanoseconds(), recipientID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO mail_digest_senders (recipient_id, sender) VALUES (?, ?)`, recipientID, sender)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("local: record a notification: %w", dbError(err))
	}
	return mailNow, nil
}

// Due implements imageapp.MailDigests: one range of the partial index,
// then each digest's senders.
func (m *MailDigests) Due(ctx context.Context, now time.Time, limit int) ([]imageapp.Digest, error) {
	rows, err := m.DB.query(ctx, `SELECT recipient_id, images, due FROM mail_digests
		WHERE due IS NOT NULL AND due <= ? ORDER BY due LIMIT ?`, now.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("local: due digests: %w", err)
	}
	var out []imageapp.Digest
	for rows.Next() {
		var d imageapp.Digest
		var due int64
		if err := rows.Scan(&d.RecipientID, &d.Images, &due); err != nil {
			rows.Close()
			return nil, fmt.Errorf("local: due digests: %w", err)
		}
		d.Due = time.Unix(0, due).UTC()
		out = append(out, d)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("local: due digests: %w", err)
	}
	for i := range out {
		if out[i].Senders, err = m.senders(ctx, out[i].RecipientID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (m *MailDigests) senders(ctx context.Context, recipientID string) ([]string, error) {
	rows, err := m.DB.query(ctx, `SELECT sender FROM mail_digest_senders WHERE recipient_id = ? ORDER BY sender`, recipientID)
	if err != nil {
		return nil, fmt.Errorf("local: a digest's senders: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("local: a digest's senders: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Settle implements imageapp.MailDigests. With images left (recorded after
// d was read) the senders stay: a name may show twice, never go missing.
func (m *MailDigests) Settle(ctx context.Context, d imageapp.Digest, now time.Time, window time.Duration) error {
	err := m.DB.tx(ctx, func(tx *sql.Tx) error {
		var left int
		err := tx.QueryRowContext(ctx, `UPDATE mail_digests SET images = max(images - ?, 0), last_sent = ?,
			due = CASE WHEN images - ? > 0 THEN ? END WHERE recipient_id = ? RETURNING images`,
			d.Images, now.UnixNano(), d.Images, now.Add(window).UnixNano(), d.RecipientID).Scan(&left)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && left > 0) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM mail_digest_senders WHERE recipient_id = ?`, d.RecipientID)
		return err
	})
	if err != nil {
		return fmt.Errorf("local: settle a digest: %w", dbError(err))
	}
	return nil
}
