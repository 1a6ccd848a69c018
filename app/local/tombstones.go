package local

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// tombstonesMigration keeps one small row per gone message: its parties,
// how it went and when; no caption, file name or key.
const tombstonesMigration = `CREATE TABLE tombstones (
	message_id    TEXT PRIMARY KEY,
	sender_id     TEXT NOT NULL,
	recipient_id  TEXT NOT NULL,
	reason        TEXT NOT NULL,
	gone_at       INTEGER NOT NULL
);
CREATE INDEX tombstones_gone_at ON tombstones (gone_at);
CREATE INDEX tombstones_sender ON tombstones (sender_id);
CREATE INDEX tombstones_recipient ON tombstones (recipient_id);`

// tombstonePrune bounds how many outlived tombstones one write removes, so
// a write's cost does not grow with the tombstones kept.
const tombstonePrune = 16

var _ imageapp.TombstoneStore = (*Messages)(nil)

// DeleteMessageLeaving removes the row, leaves a pending marker for its
// blob and stores t, in one transaction; it also prunes a few tombstones
// older than imageapp.TombstoneRetention.
func (s *Messages) DeleteMessageLeaving(ctx context.Context, t imageapp.Tombstone) error {
	return s.DB.tx(ctx, func(tx *sql.Tx) error {
		if err := deleteMessageRow(ctx, tx, t.MessageID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tombstones (message_id, sender_id, recipient_id, reason, gone_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
			t.MessageID, t.SenderID, t.RecipientID, string(t.Reason), t.At.Unix())
		if err != nil {
			return fmt.Errorf("local: store tombstone: %w", dbError(err))
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM tombstones WHERE message_id IN
			(SELECT message_id FROM tombstones WHERE gone_at < ? ORDER BY gone_at LIMIT ?)`,
			t.At.Add(-imageapp.TombstoneRetention).Unix(), tombstonePrune)
		if err != nil {
			return fmt.Errorf("local: prune tombstones: %w", dbError(err))
		}
		return nil
	})
}

// Tombstone reads the tombstone of id for one of its parties.
func (s *Messages) Tombstone(ctx context.Context, id, viewerID string, now time.Time) (imageapp.Tombstone, error) {
	t := imageapp.Tombstone{MessageID: id}
	var reason string
	var at int64
	err := s.DB.queryRow(ctx, `SELECT sender_id, recipient_id, reason, gone_at FROM tombstones WHERE message_id = ?`, id).
		Scan(&t.SenderID, &t.RecipientID, &reason, &at)
	if isNoRows(err) {
		return imageapp.Tombstone{}, imageapp.ErrNoSuchMessage()
	} else if err != nil {
		return imageapp.Tombstone{}, fmt.Errorf("local: read tombstone: %w", dbError(err))
	}
	t.Reason, t.At = imageapp.GoneReason(reason), time.Unix(at, 0)
	if !t.Party(viewerID) || !now.Before(t.At.Add(imageapp.TombstoneRetention)) {
		return imageapp.Tombstone{}, imageapp.ErrNoSuchMessage()
	}
	return t, nil
}

// ForgetTombstones removes the tombstones userID is a party of.
func (s *Messages) ForgetTombstones(ctx context.Context, userID string) error {
	if _, err := s.DB.exec(ctx, `DELETE FROM tombstones WHERE sender_id = ? OR recipient_id = ?`, userID, userID); err != nil {
		return fmt.Errorf("local: forget tombstones: %w", dbError(err))
	}
	return nil
}
