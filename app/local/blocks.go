package local

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// blocksMigration adds who blocks whom, and withheld messages: those sent
// to someone who blocks the sender. A withheld message is the sender's
// only: the recipient's queries leave it out, and it does not count
// against the recipient's storage quota (the triggers are remade for it).
const blocksMigration = `CREATE TABLE blocks (
	blocker_id  TEXT NOT NULL,
	blocked_id  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	PRIMARY KEY (blocker_id, blocked_id)
);
ALTER TABLE messages ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER messages_count_stored;
DROP TRIGGER messages_uncount_stored;
CREATE TRIGGER messages_count_stored AFTER INSERT ON messages WHEN NEW.withheld = 0 BEGIN
	INSERT INTO stored_bytes (recipient_id, bytes) VALUES (NEW.recipient_id, NEW.size)
		ON CONFLICT (recipient_id) DO UPDATE SET bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER messages_uncount_stored AFTER DELETE ON messages WHEN OLD.withheld = 0 BEGIN
	UPDATE stored_bytes SET bytes = bytes - OLD.size WHERE recipient_id = OLD.recipient_id;
END;`

// SetBlocked adds or removes one block.
func (d *Directory) SetBlocked(ctx context.Context, blockerID, blockedID string, blocked bool) error {
	if !blocked {
		if _, err := d.DB.exec(ctx, `DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?`, blockerID, blockedID); err != nil {
			return fmt.Errorf("local: unblock: %w", dbError(err))
		}
		return nil
	}
	var n int
	if err := d.DB.queryRow(ctx, `SELECT count(*) FROM blocks WHERE blocker_id = ?`, blockerID).Scan(&n); err != nil {
		return fmt.Errorf("local: count blocks: %w", err)
	}
	if n >= imageapp.MaxBlocked {
		return imageapp.Errorf(imageapp.EINVALID, "You can block at most %d people.", imageapp.MaxBlocked)
	}
	_, err := d.DB.exec(ctx, `INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, blockerID, blockedID, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("local: block: %w", dbError(err))
	}
	return nil
}

// Blocked lists the people blockerID blocks.
func (d *Directory) Blocked(ctx context.Context, blockerID string) ([]string, error) {
	rows, err := d.DB.query(ctx, `SELECT blocked_id FROM blocks WHERE blocker_id = ?`, blockerID)
	if err != nil {
		return nil, fmt.Errorf("local: blocked: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("local: blocked: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
