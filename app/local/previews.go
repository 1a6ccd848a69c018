package local

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// previewsMigration marks the messages whose previews are still to be made
// (imageapp.Message.PreviewDue); the partial index holds those only, so the
// sweep that redoes them reads the due ones, not every message.
const previewsMigration = `ALTER TABLE messages ADD COLUMN preview_due INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX messages_preview_due ON messages (created_at, id) WHERE preview_due = 1;`

// SetPreviews stores a message's sealed previews and clears its mark.
func (s *Messages) SetPreviews(ctx context.Context, id string, recipient, sender []byte) error {
	res, err := s.DB.exec(ctx, `UPDATE messages SET preview = ?, sender_preview = ?, preview_due = 0 WHERE id = ?`,
		recipient, sender, id)
	if err != nil {
		return fmt.Errorf("local: set previews: %w", dbError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("local: set previews: %w", err)
	} else if n == 0 {
		return imageapp.ErrNoSuchMessage()
	}
	return nil
}

const previewsDueQuery = `SELECT id FROM messages WHERE preview_due = 1 AND created_at < ? ORDER BY created_at, id LIMIT ?`

// PreviewsDueBefore reads messages_preview_due, which holds only the due ones.
func (s *Messages) PreviewsDueBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	rows, err := s.DB.query(ctx, previewsDueQuery, cutoff.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("local: due previews: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("local: due previews: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("local: due previews: %w", err)
	}
	return ids, nil
}

// PreviewsDuePlan is SQLite's plan of the sweep's query (PreviewsDueBefore),
// for a test that it reads the partial index.
func (s *Messages) PreviewsDuePlan(ctx context.Context) ([]string, error) {
	return s.DB.explain(ctx, previewsDueQuery, time.Now().UnixNano(), 100)
}
