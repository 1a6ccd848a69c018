package local

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"imageapp/app/imageapp"
)

// Messages is the SQLite message store.
type Messages struct{ DB *DB }

var _ imageapp.MessageStore = (*Messages)(nil)

// CreateMessage inserts m; an existing ID is a conflict, never an overwrite.
func (s *Messages) CreateMessage(ctx context.Context, m *imageapp.Message) error {
	_, err := s.DB.exec(ctx, `
		INSERT INTO messages (id, sender_id, sender_name, recipient_id, recipient_name, created_at, read_at,
			content_type, size, key_id, wrapped_key, sealed_meta, preview, sender_preview, pair, expires_at, view_once, withheld, request, preview_due, quote_id, album_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.SenderID, m.SenderName, m.RecipientID, m.RecipientName, m.CreatedAt.UnixNano(), nullTime(m.ReadAt),
		m.ContentType, m.Size, m.KeyID, m.WrappedKey, m.SealedMeta, m.Preview, m.SenderPreview,
		imageapp.PairKey(m.SenderID, m.RecipientID), nullTime(m.ExpiresAt), m.ViewOnce, m.Withheld, m.Request, m.PreviewDue, m.QuoteID, m.AlbumID)
	if isUniqueViolation(err) {
		return imageapp.ErrMessageExists()
	}
	if err != nil {
		return fmt.Errorf("local: create message: %w", dbError(err))
	}
	return nil
}

const messageColumns = `id, sender_id, sender_name, recipient_id, recipient_name, created_at, read_at,
	content_type, size, key_id, wrapped_key, sealed_meta, preview, sender_preview, expires_at, view_once, withheld, request, preview_due, quote_id, album_id`

func scanMessage(row interface{ Scan(...any) error }) (*imageapp.Message, error) {
	var m imageapp.Message
	var created int64
	var read, expires sql.NullInt64
	err := row.Scan(&m.ID, &m.SenderID, &m.SenderName, &m.RecipientID, &m.RecipientName, &created, &read,
		&m.ContentType, &m.Size, &m.KeyID, &m.WrappedKey, &m.SealedMeta, &m.Preview, &m.SenderPreview, &expires, &m.ViewOnce, &m.Withheld, &m.Request, &m.PreviewDue, &m.QuoteID, &m.AlbumID)
	m.CreatedAt = time.Unix(0, created).UTC()
	if read.Valid {
		m.ReadAt = time.Unix(0, read.Int64).UTC()
	}
	if expires.Valid {
		m.ExpiresAt = time.Unix(0, expires.Int64).UTC()
	}
	return &m, err
}

// Message returns ENOTFOUND when there is no such message.
func (s *Messages) Message(ctx context.Context, id string) (*imageapp.Message, error) {
	m, err := scanMessage(s.DB.queryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, imageapp.ErrNoSuchMessage()
	}
	if err != nil {
		return nil, fmt.Errorf("local: get message: %w", err)
	}
	return m, nil
}

// Messages returns a page newest first; the cursor is the (created_at, id)
// of the last row, so each page is one index range scan however deep it is.
func (s *Messages) Messages(ctx context.Context, q imageapp.MessageQuery) (imageapp.MessagePage, error) {
	query, args, err := listQuery(q)
	if err != nil {
		return imageapp.MessagePage{}, err
	}
	rows, err := s.DB.query(ctx, query, args...)
	if err != nil {
		return imageapp.MessagePage{}, fmt.Errorf("local: list messages: %w", err)
	}
	defer rows.Close()
	var page imageapp.MessagePage
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return page, fmt.Errorf("local: list messages: %w", err)
		}
		page.Messages = append(page.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("local: list messages: %w", err)
	}
	if len(page.Messages) > q.Limit {
		page.Messages = page.Messages[:q.Limit]
		last := page.Messages[q.Limit-1]
		page.Next = encodeCursor(last.CreatedAt.UnixNano(), last.ID)
	}
	return page, nil
}

// listQuery is the query Messages runs for q, and its arguments; it reads
// one row more than the page, to know whether there is a next one.
func listQuery(q imageapp.MessageQuery) (string, []any, error) {
	var where []string
	var args []any
	switch q.Box {
	case imageapp.Sent:
		where, args = append(where, "sender_id = ?"), append(args, q.UserID)
	case imageapp.Conversation:
		where, args = append(where, "pair = ?"), append(args, imageapp.PairKey(q.UserID, q.With))
	case imageapp.Requests:
		where, args = append(where, "recipient_id = ?", "request = 1"), append(args, q.UserID)
	default: // the inbox: a withheld message is its sender's only, a request waits apart
		where, args = append(where, "recipient_id = ?", "withheld = 0", "request = 0"), append(args, q.UserID)
	}
	switch q.Status {
	case imageapp.UnreadMessages:
		where = append(where, "read_at IS NULL")
	case imageapp.ReadMessages:
		where = append(where, "read_at IS NOT NULL")
	}
	if q.Cursor != "" {
		created, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return "", nil, err
		}
		where = append(where, "(created_at, id) < (?, ?)")
		args = append(args, created, id)
	}
	args = append(args, q.Limit+1)
	return `SELECT ` + messageColumns + ` FROM messages WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY created_at DESC, id DESC LIMIT ?`, args, nil
}

func encodeCursor(created int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(created, 10) + ":" + id))
}

func decodeCursor(c string) (int64, string, error) {
	bad := imageapp.ErrBadPageLink()
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", bad
	}
	ts, id, ok := strings.Cut(string(raw), ":")
	created, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return 0, "", bad
	}
	return created, id, nil
}

// ConsumeViewOnce sets read_at of an unopened view-once message, in one
// conditional statement, and reports whether it did.
func (s *Messages) ConsumeViewOnce(ctx context.Context, id string, at time.Time) (bool, error) {
	res, err := s.DB.exec(ctx, `UPDATE messages SET read_at = ? WHERE id = ? AND view_once = 1 AND read_at IS NULL`, at.UnixNano(), id)
	if err != nil {
		return false, fmt.Errorf("local: consume view-once: %w", dbError(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return n == 1, err
	}
	if exists, err := s.MessageExists(ctx, id); err != nil || !exists {
		return false, cmp.Or(err, error(imageapp.ErrNoSuchMessage()))
	}
	return false, nil
}

// ExpiredBefore reads the partial index of expiring messages.
func (s *Messages) ExpiredBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	rows, err := s.DB.query(ctx, expiredQuery, cutoff.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("local: expired messages: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("local: expired messages: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

const expiredQuery = `SELECT id FROM messages WHERE expires_at IS NOT NULL AND expires_at < ? ORDER BY expires_at, id LIMIT ?`

// MarkRead sets read_at once; later calls keep the first time.
func (s *Messages) MarkRead(ctx context.Context, id string, at time.Time) error {
	_, err := s.DB.exec(ctx, `UPDATE messages SET read_at = ? WHERE id = ? AND read_at IS NULL`, at.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("local: mark read: %w", dbError(err))
	}
	return nil
}

// DeleteMessage removes the row and leaves a pending marker for its blob, in
// one transaction. Returns ENOTFOUND if the message is gone already.
func (s *Messages) DeleteMessage(ctx context.Context, id string) error {
	return s.DB.tx(ctx, func(tx *sql.Tx) error { return deleteMessageRow(ctx, tx, id) })
}

// deleteMessageRow is DeleteMessage's write, inside the caller's transaction.
func deleteMessageRow(ctx context.Context, tx *sql.Tx, id string) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("local: delete message: %w", dbError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return imageapp.ErrNoSuchMessage()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO pending_blobs (id, started_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at`, id, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("local: delete message: %w", dbError(err))
	}
	return nil
}

const countUnreadQuery = `SELECT count(*) FROM (SELECT 1 FROM messages WHERE recipient_id = ? AND read_at IS NULL AND withheld = 0 AND request = 0 LIMIT ?)`

// CountUnread is served by the partial index of unread messages and stops
// at imageapp.MaxUnreadCount.
func (s *Messages) CountUnread(ctx context.Context, recipientID string) (int, error) {
	var n int
	err := s.DB.queryRow(ctx, countUnreadQuery, recipientID, imageapp.MaxUnreadCount).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("local: count unread: %w", err)
	}
	return n, nil
}

// StoredBytes reads the recipient's row of stored_bytes, which triggers
// keep with every message inserted or deleted.
func (s *Messages) StoredBytes(ctx context.Context, recipientID string) (int64, error) {
	var n int64
	err := s.DB.queryRow(ctx, storedBytesQuery, recipientID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("local: stored bytes: %w", err)
	}
	return n, nil
}

const storedBytesQuery = `SELECT COALESCE((SELECT bytes FROM stored_bytes WHERE recipient_id = ?), 0)`

// RequestBytes sums the sizes of the recipient's requests from the partial
// index of requests (messages_requests), reading no other message; it reads
// them all, as one SQLite sum is cheaper than stopping at upTo.
func (s *Messages) RequestBytes(ctx context.Context, recipientID string, upTo int64) (int64, error) {
	var n int64
	err := s.DB.queryRow(ctx, requestBytesQuery, recipientID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("local: request bytes: %w", err)
	}
	return n, nil
}

const requestBytesQuery = `SELECT COALESCE(SUM(size), 0) FROM messages WHERE recipient_id = ? AND request = 1`

// StoredBytesPlan is SQLite's plan of StoredBytes' query, for the test
// that checks it reads one row by key.
func (s *Messages) StoredBytesPlan(ctx context.Context) ([]string, error) {
	return s.DB.explain(ctx, storedBytesQuery, "someone")
}

// MessageExists reports whether metadata exists for id.
func (s *Messages) MessageExists(ctx context.Context, id string) (bool, error) {
	var n int
	err := s.DB.queryRow(ctx, `SELECT count(*) FROM messages WHERE id = ?`, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("local: message exists: %w", err)
	}
	return n > 0, nil
}

// QueryPlan is SQLite's plan for one query the store runs.
type QueryPlan struct {
	Method string   // the store method that runs the query
	Steps  []string // EXPLAIN QUERY PLAN, one step a line, nested steps indented
}

// QueryPlans returns SQLite's plan of each query the store runs for q, built
// by the same code that runs it: the page query of Messages(q) and, unless
// q is of the sent box, the count of CountUnread(q.UserID). Tools read it to
// see which index a list is served by.
func (s *Messages) QueryPlans(ctx context.Context, q imageapp.MessageQuery) ([]QueryPlan, error) {
	query, args, err := listQuery(q)
	if err != nil {
		return nil, err
	}
	list, err := s.DB.explain(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("local: explain messages: %w", err)
	}
	plans := []QueryPlan{{Method: "Messages", Steps: list}}
	if q.Box == imageapp.Sent || q.Box == imageapp.Requests {
		return plans, nil
	}
	count, err := s.DB.explain(ctx, countUnreadQuery, q.UserID, imageapp.MaxUnreadCount)
	if err != nil {
		return nil, fmt.Errorf("local: explain unread count: %w", err)
	}
	return append(plans, QueryPlan{Method: "CountUnread", Steps: count}), nil
}

// PutPending records the marker of a blob upload about to start, unless a
// message with that ID exists (ECONFLICT). Writing it again moves its time.
func (s *Messages) PutPending(ctx context.Context, id string, started time.Time) error {
	res, err := s.DB.exec(ctx, `
		INSERT INTO pending_blobs (id, started_at)
		SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM messages WHERE id = ?)
		ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at`,
		id, started.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("local: put pending marker: %w", dbError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return imageapp.ErrMessageExists()
	}
	return nil
}

// ClearPending removes the marker of id; a missing one is fine.
func (s *Messages) ClearPending(ctx context.Context, id string) error {
	if _, err := s.DB.exec(ctx, `DELETE FROM pending_blobs WHERE id = ?`, id); err != nil {
		return fmt.Errorf("local: clear pending marker: %w", dbError(err))
	}
	return nil
}

const pendingBeforeQuery = `SELECT id, started_at FROM pending_blobs WHERE started_at < ? ORDER BY started_at, id LIMIT ?`

// PendingBefore reads the oldest markers through pending_blobs_started: a
// range of the index from its start, as long as the answer.
func (s *Messages) PendingBefore(ctx context.Context, cutoff time.Time, limit int) ([]imageapp.Pending, error) {
	rows, err := s.DB.query(ctx, pendingBeforeQuery, cutoff.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("local: pending markers: %w", err)
	}
	defer rows.Close()
	var out []imageapp.Pending
	for rows.Next() {
		var p imageapp.Pending
		var started int64
		if err := rows.Scan(&p.ID, &started); err != nil {
			return nil, fmt.Errorf("local: pending markers: %w", err)
		}
		p.Started = time.Unix(0, started).UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("local: pending markers: %w", err)
	}
	return out, nil
}

// PendingPlan is SQLite's plan of the sweeper's query (PendingBefore), for
// tests and tools that check it reads the index and not the table.
func (s *Messages) PendingPlan(ctx context.Context) ([]string, error) {
	return s.DB.explain(ctx, pendingBeforeQuery, time.Now().UnixNano(), 100)
}
