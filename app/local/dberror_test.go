package local

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"imageapp/app/imageapp"
)

// TestSQLiteErrorsByCode: a full database, a read-only one and a duplicate
// key are told apart by SQLite's result codes, not by the words of its
// messages (real SQLite: max_page_count fills the file, query_only
// refuses writes).
func TestSQLiteErrorsByCode(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the pragmas below hold for this connection
	for _, q := range []string{`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, blob BLOB)`, `INSERT INTO t (id, name) VALUES (1, 'a')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	_, err = db.Exec(`INSERT INTO t (id, name) VALUES (2, 'a')`)
	if !isUniqueViolation(err) {
		t.Errorf("a second 'a' in a UNIQUE column: %v; want a unique violation", err)
	}
	_, err = db.Exec(`INSERT INTO t (id, name) VALUES (1, 'b')`)
	if !isUniqueViolation(err) {
		t.Errorf("a second primary key 1: %v; want a unique violation", err)
	}
	if isUniqueViolation(errors.New("UNIQUE constraint failed: t.name")) {
		t.Error("an error that only says the words is taken for SQLite's")
	}

	if _, err := db.Exec(`PRAGMA max_page_count = 3`); err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`INSERT INTO t (id, name, blob) VALUES (3, 'c', zeroblob(1000000))`)
	if got := dbError(err); !strings.Contains(fmt.Sprint(got), imageapp.ErrDiskFull().Error()) {
		t.Errorf("a full database: %v; want the disk-full error", got)
	}
	if _, err := db.Exec(`PRAGMA max_page_count = 1000000`); err != nil {
		t.Fatal(err)
	}

	if _, err := db.Exec(`PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`INSERT INTO t (id, name) VALUES (4, 'd')`)
	if got := dbError(err); !strings.Contains(fmt.Sprint(got), imageapp.ErrCannotWrite().Error()) {
		t.Errorf("a read-only database: %v; want the cannot-write error", got)
	}
	if dbError(nil) != nil {
		t.Error("dbError(nil) is not nil")
	}
}
