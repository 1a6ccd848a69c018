package local

import (
	"context"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// A database from before skeletons gets them when it opens: accounts that
// looked alike before the rule keep their names (the oldest holds the
// skeleton), and a new look-alike is refused.
func TestOpeningBackfillsTheSkeletonsOfOlderAccounts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := OpenDB(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"alice", "aIice", "bob"} {
		_, err := db.db.ExecContext(ctx, `INSERT INTO accounts (id, username, username_key, email, password_hash, created_at, confirmed_at)
			VALUES (?, ?, lower(?), 'x@example.com', 'h', ?, 1)`, name+"-id", name, name, int64(i))
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.db.ExecContext(ctx, `INSERT INTO retired_usernames (username_key, until) VALUES ('dave', ?)`,
		time.Now().Add(time.Hour).UnixNano()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = OpenDB(ctx, dir)
	if err != nil {
		t.Fatalf("reopen with look-alike accounts stored: %v", err)
	}
	defer db.Close()
	var sk string
	if err := db.db.QueryRowContext(ctx, `SELECT skeleton FROM accounts WHERE id = 'alice-id'`).Scan(&sk); err != nil || sk != imageapp.UsernameSkeleton("alice") {
		t.Errorf("alice's skeleton %q, %v; want %q", sk, err, imageapp.UsernameSkeleton("alice"))
	}
	id := &Identity{DB: db, Outbox: &Outbox{Dir: t.TempDir()}, Pepper: random(32)}
	for _, name := range []string{"al1ce", "dave_"} {
		err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: name, Email: "new@example.com", Password: "correct horse battery"})
		if imageapp.ErrorCode(err) != imageapp.ECONFLICT {
			t.Errorf("sign-up of %s after the backfill: %v; want %s", name, err, imageapp.ECONFLICT)
		}
	}
}
