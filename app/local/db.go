// Package local holds the embedded backend: SQLite for accounts, the
// directory and message metadata, files for encrypted blobs, a keyring whose
// per-user keys are wrapped by a master key, and an outbox for mail.
package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"imageapp/app/imageapp"
)

// DB is the SQLite database in the data directory.
type DB struct {
	db    *sql.DB
	stmts sync.Map // query → *sql.Stmt
}

const maxConns = 16

// OpenDB opens (creating if needed) <dir>/imageapp.db in WAL mode and
// applies pending migrations.
func OpenDB(ctx context.Context, dir string) (*DB, error) {
	path := filepath.Join(dir, "imageapp.db")
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		// A deleted row's bytes (a wrapped data key) are overwritten, not
		// left in a free page of the file.
		"&_pragma=secure_delete(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("local: open %s: %w", path, err)
	}
	// Keep the connections: database/sql keeps 2 idle by default, so under
	// load it would open (and parse the pragmas, map the WAL index, prepare
	// every statement) and close a connection per request. WAL lets readers
	// run alongside the one writer; more connections than this only queue.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	d := &DB{db: db}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := d.backfillSkeletons(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// ownerOnly creates the database file with mode 0600 if it is missing, and
// makes it and its WAL and shared-memory files 0600 if they are looser.
// SQLite creates the -wal and -shm files with the database file's mode, and
// the database itself with the umask's (0644), whatever the directory's.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("local: create %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			continue // -wal and -shm exist only while open
		}
		if info.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("local: chmod 600 %s: %w", p, err)
			}
		}
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error {
	d.stmts.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
	return d.db.Close()
}

// stmt prepares query once and reuses it: SQLite takes longer to parse
// the short queries of a request than to run them.
func (d *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := d.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := d.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := d.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// queryRow is row for a read: it runs to its end even if its request ends
// first (see readContext).
func (d *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return d.row(readContext(ctx), query, args...)
}

// row is QueryRowContext through a prepared statement, under ctx as it
// is: for a write that returns a row (RETURNING), whose wait for the write
// lock ctx bounds, as for exec.
func (d *DB) row(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := d.stmt(ctx, query)
	if err != nil {
		return d.db.QueryRowContext(ctx, query, args...) // reports the same error through Scan
	}
	return s.QueryRowContext(ctx, args...)
}

// query is QueryContext through a prepared statement; like queryRow, it
// is not interrupted when its request ends.
func (d *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = readContext(ctx)
	s, err := d.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// readContext is ctx for a read that is not interrupted when ctx ends.
// With a context that can end, database/sql and the driver each start a
// goroutine per statement to watch it, which took longer than the point
// reads of a request themselves (bench README); a read in WAL mode never
// waits for a lock, and every read here is a page of rows at most, so it
// ends on its own in well under a millisecond. Writes keep their context:
// it bounds their wait for the write lock. A read that finds all
// connections taken waits for one even if its client has gone; writers
// hand theirs back within their busy timeout (10 s).
func readContext(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// exec is ExecContext through a prepared statement.
func (d *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := d.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// explain returns SQLite's plan for query with args (EXPLAIN QUERY PLAN):
// one step a line, each nested step indented two spaces more.
func (d *DB) explain(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	depth := map[int]int{}
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		depth[id] = depth[parent] + 1
		out = append(out, strings.Repeat("  ", depth[id]-1)+detail)
	}
	return out, rows.Err()
}

// migrations run in order, once each; append, never edit.
var migrations = []string{
	`CREATE TABLE accounts (
		id              TEXT PRIMARY KEY,
		username        TEXT NOT NULL,
		username_key    TEXT NOT NULL UNIQUE,
		email           TEXT NOT NULL,
		password_hash   TEXT NOT NULL,
		confirmed_at    INTEGER,
		created_at      INTEGER NOT NULL
	);
	CREATE TABLE codes (
		account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
		purpose     TEXT NOT NULL,
		code_hash   BLOB NOT NULL,
		expires_at  INTEGER NOT NULL,
		attempts    INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (account_id, purpose)
	);
	CREATE TABLE users (
		id            TEXT PRIMARY KEY,
		username      TEXT NOT NULL,
		username_key  TEXT NOT NULL UNIQUE,
		email         TEXT NOT NULL,
		key_id        TEXT NOT NULL DEFAULT '',
		topic         TEXT NOT NULL DEFAULT '',
		created_at    INTEGER NOT NULL
	);
	CREATE TABLE user_keys (
		id          TEXT PRIMARY KEY,
		user_id     TEXT NOT NULL UNIQUE,
		wrapped     BLOB NOT NULL,
		created_at  INTEGER NOT NULL
	);
	CREATE TABLE messages (
		id              TEXT PRIMARY KEY,
		sender_id       TEXT NOT NULL,
		sender_name     TEXT NOT NULL,
		recipient_id    TEXT NOT NULL,
		recipient_name  TEXT NOT NULL,
		created_at      INTEGER NOT NULL,
		read_at         INTEGER,
		content_type    TEXT NOT NULL,
		size            INTEGER NOT NULL,
		key_id          TEXT NOT NULL,
		wrapped_key     BLOB NOT NULL,
		sealed_meta     BLOB NOT NULL
	);
	CREATE INDEX messages_inbox ON messages (recipient_id, created_at DESC, id DESC);
	CREATE INDEX messages_sent ON messages (sender_id, created_at DESC, id DESC);
	CREATE INDEX messages_unread ON messages (recipient_id, created_at DESC, id DESC) WHERE read_at IS NULL;`,
	`ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;`,
	// Wrong codes counted per account over a day, across new codes, so asking
	// for a fresh code does not buy fresh guesses.
	`ALTER TABLE codes ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE codes ADD COLUMN failures_since INTEGER NOT NULL DEFAULT 0;`,
	// The HTML inbox lists read messages under the unread ones on every view
	// and every refresh; without this, an inbox of many unread scans them all
	// to find the first read one.
	`CREATE INDEX messages_inbox_read ON messages (recipient_id, created_at DESC, id DESC) WHERE read_at IS NOT NULL;`,
	// Pending markers of blob uploads (Messages.PutPending): the sweeper
	// reads the oldest through the index and nothing else. A message row
	// clears its marker in the same statement, by the trigger.
	`CREATE TABLE pending_blobs (
		id          TEXT PRIMARY KEY,
		started_at  INTEGER NOT NULL
	);
	CREATE INDEX pending_blobs_started ON pending_blobs (started_at, id);
	CREATE TRIGGER messages_clear_pending AFTER INSERT ON messages BEGIN
		DELETE FROM pending_blobs WHERE id = NEW.id;
	END;`,
	// Who asked for each username's codes and who tried them (identity.go,
	// checkCode), kept by username whether or not it has an account, so the
	// answers do not tell. source is a keyed hash of a device or address;
	// '' counts the wrong codes of everyone but the code's requester.
	// codes.failures and failures_since are no longer used.
	`CREATE TABLE code_tries (
		username_key    TEXT NOT NULL,
		purpose         TEXT NOT NULL,
		source          TEXT NOT NULL,
		failures        INTEGER NOT NULL DEFAULT 0,
		failures_since  INTEGER NOT NULL DEFAULT 0,
		requested_at    INTEGER NOT NULL DEFAULT 0,
		touched_at      INTEGER NOT NULL,
		PRIMARY KEY (username_key, purpose, source)
	);
	CREATE INDEX code_tries_touched ON code_tries (touched_at);`,
	// Each recipient's stored bytes, for their storage quota
	// (Messages.StoredBytes): kept by the triggers in the same statement as
	// the message's row, so a send reads one row however full the inbox.
	`CREATE TABLE stored_bytes (
		recipient_id  TEXT PRIMARY KEY,
		bytes         INTEGER NOT NULL
	);
	INSERT INTO stored_bytes (recipient_id, bytes) SELECT recipient_id, SUM(size) FROM messages GROUP BY recipient_id;
	CREATE TRIGGER messages_count_stored AFTER INSERT ON messages BEGIN
		INSERT INTO stored_bytes (recipient_id, bytes) VALUES (NEW.recipient_id, NEW.size)
			ON CONFLICT (recipient_id) DO UPDATE SET bytes = bytes + excluded.bytes;
	END;
	CREATE TRIGGER messages_uncount_stored AFTER DELETE ON messages BEGIN
		UPDATE stored_bytes SET bytes = bytes - OLD.size WHERE recipient_id = OLD.recipient_id;
	END;`,
	// Previews (thumbnail and caption start), sealed under each party's
	// thumbnail key (users.thumb_key, wrapped by their own key), and the conversation a message belongs to:
	// pair is the two user IDs in order (imageapp.PairKey), so the images
	// two people exchanged are one range of one index.
	`ALTER TABLE users ADD COLUMN thumb_key BLOB;
	ALTER TABLE messages ADD COLUMN preview BLOB;
	ALTER TABLE messages ADD COLUMN sender_preview BLOB;
	ALTER TABLE messages ADD COLUMN pair TEXT NOT NULL DEFAULT '';
	UPDATE messages SET pair = CASE WHEN sender_id < recipient_id
		THEN sender_id || '|' || recipient_id ELSE recipient_id || '|' || sender_id END;
	CREATE INDEX messages_pair ON messages (pair, created_at DESC, id DESC);`,
	// Expiring and view-once messages: the expiry sweep reads the partial
	// index, which holds the expiring messages only.
	`ALTER TABLE messages ADD COLUMN expires_at INTEGER;
	ALTER TABLE messages ADD COLUMN view_once INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX messages_expiry ON messages (expires_at, id) WHERE expires_at IS NOT NULL;`,
	// Usernames of deleted accounts, kept from new accounts for a while.
	retiredMigration,
	// Privacy settings (privacy.go).
	privacyMigration,
	// Blocks and withheld messages (blocks.go).
	blocksMigration,
	// Email notifications off (privacy.go).
	noMailMigration,
	// Email changes waiting for their code (emailchange.go).
	emailChangeMigration,
	// Each user's active sessions (sessions.go).
	sessionsMigration,
	// Message requests and contacts (requests.go).
	requestsMigration,
	// Previews made after the send answered (previews.go).
	previewsMigration,
	// Username skeletons, for look-alikes, and deletions in progress
	// (accountdelete.go); backfillSkeletons fills in the rows before it.
	skeletonMigration,
	// Keys of idempotent sends (sendkeys.go).
	sendKeysMigration,
	// Authenticator-app two-factor (twofactor.go).
	twoFactorMigration,
	// Passkeys and WebAuthn ceremonies under way (passkeys.go).
	passkeysMigration,
	// Web Push subscriptions (push.go).
	pushMigration,
	// Sessions kept signed in (sessions.go).
	sessionsKeepMigration,
	// Decrypt records (decryptrecord.go).
	decryptRecordMigration,
	// Notification mail coalesced per recipient (maildigests.go).
	mailDigestsMigration,
	// What is left of gone messages, for their two people (tombstones.go).
	tombstonesMigration,
	// The message a reply quotes (messages.go).
	`ALTER TABLE messages ADD COLUMN quote_id TEXT NOT NULL DEFAULT '';`,
	// Images sent together in one send share an album ID (messages.go).
	`ALTER TABLE messages ADD COLUMN album_id TEXT NOT NULL DEFAULT '';`,
}

func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("local: migrate: %w", err)
	}
	for i, stmt := range migrations {
		version := i + 1
		err := d.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, version)
			return err
		})
		if err != nil {
			return fmt.Errorf("local: migration %d: %w", version, err)
		}
	}
	return nil
}

// tx runs fn in a write transaction (BEGIN IMMEDIATE, so writers queue on
// the busy timeout instead of failing on lock upgrade).
func (d *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return dbError(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return dbError(tx.Commit())
}

// dbError turns a full or read-only disk into an error a person can act on.
func dbError(err error) error {
	switch sqliteCode(err) & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: %v", imageapp.ErrDiskFull(), err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("%w: %v", imageapp.ErrCannotWrite(), err)
	}
	return err
}

// isUniqueViolation: a row with that key (primary or unique) is there.
func isUniqueViolation(err error) bool {
	code := sqliteCode(err)
	return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// sqliteCode is err's SQLite result code (extended: the driver turns them
// on), or 0 when err is not SQLite's.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }

// Ping reports whether the database answers a trivial query.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}
