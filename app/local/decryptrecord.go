package local

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// decryptRecordMigration adds the decrypt records (imageapp.DecryptRecord):
// one head per user and the entries under it, by user and sequence number.
const decryptRecordMigration = `CREATE TABLE decrypt_heads (
	user_id    TEXT PRIMARY KEY,
	seq        INTEGER NOT NULL,
	hash       BLOB NOT NULL,
	at         INTEGER NOT NULL,
	signature  BLOB NOT NULL
);
CREATE TABLE decrypt_entries (
	user_id     TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	at          INTEGER NOT NULL,
	message_id  TEXT NOT NULL,
	by_user     TEXT NOT NULL,
	by_username TEXT NOT NULL,
	by_session  TEXT NOT NULL,
	by_device   TEXT NOT NULL,
	by_job      TEXT NOT NULL,
	purpose     TEXT NOT NULL,
	context     TEXT NOT NULL,
	prev        BLOB NOT NULL,
	hash        BLOB NOT NULL,
	PRIMARY KEY (user_id, seq)
) WITHOUT ROWID;`

// DecryptRecord is imageapp.DecryptRecord in the database.
type DecryptRecord struct{ DB *DB }

var _ imageapp.DecryptRecord = (*DecryptRecord)(nil)

// expireBatch bounds the expired entries one append removes: the oldest
// are looked at, so an append costs the same however long the record.
const expireBatch = 64

// RecordHead implements imageapp.DecryptRecord.
func (r *DecryptRecord) RecordHead(ctx context.Context, userID string) (imageapp.DecryptHead, error) {
	h := imageapp.DecryptHead{UserID: userID}
	var at int64
	err := r.DB.queryRow(ctx, `SELECT seq, hash, at, signature FROM decrypt_heads WHERE user_id = ?`, userID).
		Scan(&h.Seq, &h.Hash, &at, &h.Signature)
	if isNoRows(err) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("local: read record head: %w", dbError(err))
	}
	h.At = time.UnixMilli(at).UTC()
	return h, nil
}

var errHeadMoved = errors.New("local: record head moved")

// AppendRecord implements imageapp.DecryptRecord in one transaction.
func (r *DecryptRecord) AppendRecord(ctx context.Context, userID string, prev imageapp.DecryptHead, entries []imageapp.DecryptEntry, next imageapp.DecryptHead) error {
	err := r.DB.tx(ctx, func(tx *sql.Tx) error {
		var seq int64
		var hash []byte
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM decrypt_heads WHERE user_id = ?`, userID).Scan(&seq, &hash)
		if isNoRows(err) {
			err = nil
		}
		if err != nil {
			return err
		}
		if seq != prev.Seq || !bytes.Equal(hash, prev.Hash) {
			return errHeadMoved
		}
		for _, e := range entries {
			encCtx, err := json.Marshal(e.Context)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO decrypt_entries (user_id, seq, at, message_id, by_user, by_username,
				by_session, by_device, by_job, purpose, context, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				userID, e.Seq, e.At.UnixMilli(), e.MessageID, e.By.UserID, e.By.Username, e.By.Session, e.By.Device, e.By.Job,
				string(e.Purpose), string(encCtx), e.Prev, e.Hash); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO decrypt_heads (user_id, seq, hash, at, signature) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at, signature = excluded.signature`,
			userID, next.Seq, next.Hash, next.At.UnixMilli(), next.Signature); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM decrypt_entries WHERE user_id = ? AND at < ? AND seq IN
			(SELECT seq FROM decrypt_entries WHERE user_id = ? ORDER BY seq LIMIT ?)`,
			userID, next.At.Add(-imageapp.RecordRetention).UnixMilli(), userID, expireBatch)
		return err
	})
	if errors.Is(err, errHeadMoved) {
		return imageapp.Errorf(imageapp.ECONFLICT, "The decrypt record moved on; read its head again.")
	}
	if err != nil {
		return fmt.Errorf("local: append record: %w", dbError(err))
	}
	return nil
}

// RecordEntries implements imageapp.DecryptRecord; entries past the
// retention that no append has removed yet are left out.
func (r *DecryptRecord) RecordEntries(ctx context.Context, userID string, before int64, limit int) ([]imageapp.DecryptEntry, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := r.DB.query(ctx, `SELECT seq, at, message_id, by_user, by_username, by_session, by_device, by_job, purpose, context, prev, hash
		FROM decrypt_entries WHERE user_id = ? AND seq < ? AND at >= ? ORDER BY seq DESC LIMIT ?`,
		userID, before, time.Now().Add(-imageapp.RecordRetention).UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("local: read record: %w", dbError(err))
	}
	defer rows.Close()
	var out []imageapp.DecryptEntry
	for rows.Next() {
		var e imageapp.DecryptEntry
		var at int64
		var purpose, encCtx string
		if err := rows.Scan(&e.Seq, &at, &e.MessageID, &e.By.UserID, &e.By.Username, &e.By.Session, &e.By.Device, &e.By.Job,
			&purpose, &encCtx, &e.Prev, &e.Hash); err != nil {
			return nil, fmt.Errorf("local: read record: %w", err)
		}
		e.At, e.Purpose = time.UnixMilli(at).UTC(), imageapp.DecryptPurpose(purpose)
		if err := json.Unmarshal([]byte(encCtx), &e.Context); err != nil {
			return nil, fmt.Errorf("local: read record entry %d: %w", e.Seq, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("local: read record: %w", dbError(err))
	}
	return out, nil
}

// DeleteRecord implements imageapp.DecryptRecord.
func (r *DecryptRecord) DeleteRecord(ctx context.Context, userID string) error {
	err := r.DB.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM decrypt_entries WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM decrypt_heads WHERE user_id = ?`, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("local: delete record: %w", dbError(err))
	}
	return nil
}
