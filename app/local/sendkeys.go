package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// sendKeysMigration adds the keys of idempotent sends (imageapp.SendKeys):
// message_id is ” while the send runs.
const sendKeysMigration = `CREATE TABLE send_keys (
	sender_id   TEXT NOT NULL,
	key         TEXT NOT NULL,
	message_id  TEXT NOT NULL DEFAULT '',
	claimed_at  INTEGER NOT NULL,
	PRIMARY KEY (sender_id, key)
);`

// SendKeys is imageapp.SendKeys in the database.
type SendKeys struct{ DB *DB }

var _ imageapp.SendKeys = (*SendKeys)(nil)

// ClaimSendKey implements imageapp.SendKeys. The sender's keys past their
// time go on the way, so the table holds a day of each sender's sends.
func (k *SendKeys) ClaimSendKey(ctx context.Context, senderID, key string, now time.Time) (string, error) {
	var id string
	err := k.DB.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM send_keys WHERE sender_id = ? AND
			(claimed_at < ? OR (message_id = '' AND claimed_at < ?))`,
			senderID, now.Add(-imageapp.SendKeyTTL).UnixNano(), now.Add(-imageapp.SendKeyClaimTTL).UnixNano()); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT message_id FROM send_keys WHERE sender_id = ? AND key = ?`, senderID, key).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO send_keys (sender_id, key, claimed_at) VALUES (?, ?, ?)`, senderID, key, now.UnixNano())
			return err
		case err != nil:
			return err
		case id == "":
			return errSendRunning
		}
		return nil
	})
	if errors.Is(err, errSendRunning) {
		return "", imageapp.ErrSendKeyBusy()
	}
	if err != nil {
		return "", fmt.Errorf("local: claim send key: %w", dbError(err))
	}
	return id, nil
}

var errSendRunning = errors.New("local: send key claimed")

// FinishSendKey implements imageapp.SendKeys.
func (k *SendKeys) FinishSendKey(ctx context.Context, senderID, key, messageID string) error {
	if _, err := k.DB.exec(ctx, `UPDATE send_keys SET message_id = ? WHERE sender_id = ? AND key = ?`, messageID, senderID, key); err != nil {
		return fmt.Errorf("local: finish send key: %w", dbError(err))
	}
	return nil
}

// ReleaseSendKey implements imageapp.SendKeys.
func (k *SendKeys) ReleaseSendKey(ctx context.Context, senderID, key string) error {
	if _, err := k.DB.exec(ctx, `DELETE FROM send_keys WHERE sender_id = ? AND key = ? AND message_id = ''`, senderID, key); err != nil {
		return fmt.Errorf("local: release send key: %w", dbError(err))
	}
	return nil
}
