package local

import (
	"context"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// BenchmarkPointRead reads a user by username, as every session check
// does, with a request's context (which can end): through the app's
// queryRow, which reads under readContext, and, as the baseline, through
// row, the same prepared statement with the context as it is, which makes
// database/sql and the driver each watch it from a goroutine of their own:
//
//	go test ./app/local -bench PointRead
func BenchmarkPointRead(b *testing.B) {
	ctx := context.Background()
	db, err := OpenDB(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	d := &Directory{DB: db}
	if err := d.PutUser(ctx, imageapp.User{ID: "0123456789abcdef", Username: "alice", Email: "alice@example.com", CreatedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	query := `SELECT ` + userColumns + ` FROM users WHERE username_key = ?`
	request, cancel := context.WithCancel(ctx)
	defer cancel()
	b.Run("watched", func(b *testing.B) {
		for b.Loop() {
			if _, err := scanUser(db.row(request, query, "alice")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("readContext", func(b *testing.B) {
		for b.Loop() {
			if _, err := scanUser(db.queryRow(request, query, "alice")); err != nil {
				b.Fatal(err)
			}
		}
	})
}
