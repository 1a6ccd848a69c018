package local

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"imageapp/app/imageapp"
)

// Directory is the SQLite directory of provisioned users.
type Directory struct{ DB *DB }

var (
	_ imageapp.Directory       = (*Directory)(nil)
	_ imageapp.SessionVersions = (*Directory)(nil)
)

// BumpSessionVersion ends every session of the user.
func (d *Directory) BumpSessionVersion(ctx context.Context, userID string) error {
	_, err := d.DB.exec(ctx, `UPDATE users SET session_version = session_version + 1 WHERE id = ?`, userID)
	if err != nil {
		return fmt.Errorf("local: bump session version: %w", dbError(err))
	}
	return nil
}

// PutUser inserts u, or updates the entry with the same ID. A retired
// name (its account deleted, or being deleted) is not provisioned again,
// as DynamoDB's tombstone refuses it.
func (d *Directory) PutUser(ctx context.Context, u imageapp.User) error {
	_, err := d.DB.exec(ctx, `
		INSERT INTO users (id, username, username_key, email, key_id, topic, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM retired_usernames WHERE username_key = ? AND until > ?)
		ON CONFLICT (id) DO UPDATE SET email = excluded.email, key_id = excluded.key_id, topic = excluded.topic`,
		u.ID, u.Username, strings.ToLower(u.Username), u.Email, u.KeyID, u.Topic, u.CreatedAt.UnixNano(),
		strings.ToLower(u.Username), time.Now().UnixNano())
	if err == nil {
		var n int
		err = d.DB.queryRow(ctx, `SELECT count(*) FROM users WHERE id = ?`, u.ID).Scan(&n)
		if err == nil && n == 0 {
			return imageapp.ErrUsernameTaken(u.Username)
		}
	}
	if isUniqueViolation(err) {
		return imageapp.ErrUsernameTaken(u.Username)
	}
	if err != nil {
		return fmt.Errorf("local: put user: %w", dbError(err))
	}
	return nil
}

// SetThumbKey stores wrapped unless the user has a thumbnail key, and
// returns the stored one.
func (d *Directory) SetThumbKey(ctx context.Context, userID string, wrapped []byte) ([]byte, error) {
	_, err := d.DB.exec(ctx, `UPDATE users SET thumb_key = ? WHERE id = ? AND thumb_key IS NULL`, wrapped, userID)
	if err != nil {
		return nil, fmt.Errorf("local: set thumbnail key: %w", dbError(err))
	}
	u, err := d.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	return u.ThumbKey, nil
}

const userColumns = `id, username, email, key_id, topic, created_at, session_version, thumb_key, no_read_receipts, hidden, no_mail, message_requests`

func scanUser(row interface{ Scan(...any) error }) (imageapp.User, error) {
	var u imageapp.User
	var created int64
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.KeyID, &u.Topic, &created, &u.SessionVersion, &u.ThumbKey,
		&u.NoReadReceipts, &u.Hidden, &u.NoMail, &u.MessageRequests)
	u.CreatedAt = time.Unix(0, created).UTC()
	return u, err
}

// UserByID returns ENOTFOUND when there is no such user.
func (d *Directory) UserByID(ctx context.Context, id string) (imageapp.User, error) {
	return d.one(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
}

// UserByUsername returns ENOTFOUND when there is no such user.
func (d *Directory) UserByUsername(ctx context.Context, username string) (imageapp.User, error) {
	return d.one(ctx, `SELECT `+userColumns+` FROM users WHERE username_key = ?`, strings.ToLower(username))
}

func (d *Directory) one(ctx context.Context, query string, arg string) (imageapp.User, error) {
	u, err := scanUser(d.DB.queryRow(ctx, query, arg))
	if isNoRows(err) {
		return u, imageapp.ErrNoSuchUser()
	}
	if err != nil {
		return u, fmt.Errorf("local: get user: %w", err)
	}
	return u, nil
}

// ListUsers pages through users by lowercased username, those that start
// with the search: one range of the username_key index from the cursor (or
// the prefix) to the end of the prefix's range.
func (d *Directory) ListUsers(ctx context.Context, q imageapp.UserQuery) (imageapp.UserPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	prefix, ok := imageapp.UsernamePrefix(q.Search)
	after, err := imageapp.ParseUserCursor(q.Cursor, prefix)
	if err != nil || !ok {
		return imageapp.UserPage{}, err
	}
	query, args := listUsersQuery(prefix, after, limit+1)
	rows, err := d.DB.query(ctx, query, args...)
	if err != nil {
		return imageapp.UserPage{}, fmt.Errorf("local: list users: %w", err)
	}
	defer rows.Close()
	var page imageapp.UserPage
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return page, fmt.Errorf("local: list users: %w", err)
		}
		page.Users = append(page.Users, u)
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("local: list users: %w", err)
	}
	if len(page.Users) > limit {
		page.Users = page.Users[:limit]
		page.Next = imageapp.UserCursor(strings.ToLower(page.Users[limit-1].Username))
	}
	return page, nil
}

// listUsersQuery is the page query of ListUsers: one range of the
// username_key index, from just after the cursor (or from the prefix) to
// prefixEnd, the prefix with its last byte one higher (usernames are ASCII,
// so it never overflows). One lower bound only: with two, SQLite would seek
// by one and filter by the other. "hidden = 0" picks the partial index
// users_listed, which holds listed users only.
func listUsersQuery(prefix, after string, limit int) (string, []any) {
	lower, from := "hidden = 0 AND username_key > ?", any(after)
	if after == "" && prefix != "" {
		lower, from = "hidden = 0 AND username_key >= ?", prefix
	}
	if prefix == "" {
		return `SELECT ` + userColumns + ` FROM users WHERE ` + lower + ` ORDER BY username_key LIMIT ?`,
			[]any{from, limit}
	}
	end := prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1)
	return `SELECT ` + userColumns + ` FROM users WHERE ` + lower + ` AND username_key < ?
		ORDER BY username_key LIMIT ?`, []any{from, end, limit}
}

// ListUsersPlan is SQLite's plan of ListUsers' query for a search and the
// username key a cursor holds ("" for the first page), for tests and tools
// that check it is one range of the username index.
func (d *Directory) ListUsersPlan(ctx context.Context, search, after string) ([]string, error) {
	prefix, _ := imageapp.UsernamePrefix(search)
	query, args := listUsersQuery(prefix, after, 51)
	return d.DB.explain(ctx, query, args...)
}

// nullTime maps a zero time to NULL.
func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}
