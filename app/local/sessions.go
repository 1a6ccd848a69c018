package local

import (
	"context"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// sessionsMigration adds each user's active sessions (imageapp.SessionRegistry):
// a session cookie works only while its row is here.
const sessionsMigration = `CREATE TABLE sessions (
	sid         TEXT PRIMARY KEY,
	user_id     TEXT NOT NULL,
	device      TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	last_seen   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, last_seen DESC);`

// sessionsKeepMigration marks the sessions kept signed in.
const sessionsKeepMigration = `ALTER TABLE sessions ADD COLUMN keep INTEGER NOT NULL DEFAULT 0;`

var _ imageapp.SessionRegistry = (*Directory)(nil)

// AddSession inserts s, then drops the user's sessions past MaxSessions,
// those seen longest ago.
func (d *Directory) AddSession(ctx context.Context, userID string, s imageapp.Session) error {
	_, err := d.DB.exec(ctx, `INSERT INTO sessions (sid, user_id, device, created_at, last_seen, keep) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (sid) DO NOTHING`, s.ID, userID, s.Device, s.Created.UnixNano(), s.LastSeen.UnixNano(), s.KeepSignedIn)
	if err != nil {
		return fmt.Errorf("local: add session: %w", dbError(err))
	}
	_, err = d.DB.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND sid NOT IN
		(SELECT sid FROM sessions WHERE user_id = ? ORDER BY last_seen DESC, sid LIMIT ?)`, userID, userID, imageapp.MaxSessions)
	if err != nil {
		return fmt.Errorf("local: trim sessions: %w", dbError(err))
	}
	return nil
}

// TouchSession updates the session's last_seen, if it is still there.
func (d *Directory) TouchSession(ctx context.Context, userID, sid string, at time.Time) error {
	_, err := d.DB.exec(ctx, `UPDATE sessions SET last_seen = ? WHERE sid = ? AND user_id = ?`, at.UnixNano(), sid, userID)
	if err != nil {
		return fmt.Errorf("local: touch session: %w", dbError(err))
	}
	return nil
}

// EndSession deletes the session's row.
func (d *Directory) EndSession(ctx context.Context, userID, sid string) error {
	if _, err := d.DB.exec(ctx, `DELETE FROM sessions WHERE sid = ? AND user_id = ?`, sid, userID); err != nil {
		return fmt.Errorf("local: end session: %w", dbError(err))
	}
	return nil
}

// KeepOnlySession deletes every session row of the user but keep's.
func (d *Directory) KeepOnlySession(ctx context.Context, userID, keep string) error {
	if _, err := d.DB.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND sid != ?`, userID, keep); err != nil {
		return fmt.Errorf("local: end sessions: %w", dbError(err))
	}
	return nil
}

// Sessions reads the user's rows, one range of sessions_user.
func (d *Directory) Sessions(ctx context.Context, userID string) ([]imageapp.Session, error) {
	rows, err := d.DB.query(ctx, `SELECT sid, device, created_at, last_seen, keep FROM sessions WHERE user_id = ?
		ORDER BY last_seen DESC, sid`, userID)
	if err != nil {
		return nil, fmt.Errorf("local: sessions: %w", err)
	}
	defer rows.Close()
	var out []imageapp.Session
	for rows.Next() {
		var s imageapp.Session
		var created, seen int64
		if err := rows.Scan(&s.ID, &s.Device, &created, &seen, &s.KeepSignedIn); err != nil {
			return nil, fmt.Errorf("local: sessions: %w", err)
		}
		s.Created, s.LastSeen = time.Unix(0, created).UTC(), time.Unix(0, seen).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}
