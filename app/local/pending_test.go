package local

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// TestSweepAndSearchReadIndexes: the sweeper's read of old markers and a
// directory page are ranges of their indexes, never scans of their tables,
// with many messages and users stored: their cost is the rows they return.
func TestSweepAndSearchReadIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, d := &Messages{DB: db}, &Directory{DB: db}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 200 {
		id := fmt.Sprintf("%032x", i)
		if err := s.PutPending(ctx, id, t0); err != nil {
			t.Fatal(err)
		}
		m := &imageapp.Message{ID: id, SenderID: "alice", SenderName: "alice", RecipientID: "bob", RecipientName: "bob",
			CreatedAt: t0, ContentType: "image/png", Size: 1, KeyID: "k", WrappedKey: []byte("w"), SealedMeta: []byte("s")}
		if err := s.CreateMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := d.PutUser(ctx, imageapp.User{ID: id, Username: fmt.Sprintf("user%03d", i), Email: "u@example.com", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutPending(ctx, "ff", t0); err != nil {
		t.Fatal(err)
	}
	got, err := s.PendingBefore(ctx, t0.Add(time.Second), 100)
	if err != nil || len(got) != 1 || got[0].ID != "ff" || !got[0].Started.Equal(t0) {
		t.Fatalf("200 delivered + 1 pending: PendingBefore = %+v, %v; want the one marker", got, err)
	}

	plan, err := s.PendingPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "INDEX pending_blobs_started") || strings.Contains(p, "SCAN") {
		t.Errorf("the sweeper's query plan is\n%s\nwant a search of pending_blobs_started, no scan", p)
	}
	for _, tc := range []struct{ search, after, want string }{
		{"", "", "(username_key>?)"},
		{"", "user150", "(username_key>?)"},
		{"user1", "", "(username_key>? AND username_key<?)"}, // SQLite writes >= as >
		{"user1", "user150", "(username_key>? AND username_key<?)"},
	} {
		plan, err := d.ListUsersPlan(ctx, tc.search, tc.after)
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(plan, "\n"); !strings.Contains(p, "SEARCH users USING INDEX") || !strings.Contains(p, tc.want) ||
			strings.Contains(p, "SCAN") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("search %q after %q: the directory's query plan is\n%s\nwant one range %s of the username index, no scan or sort",
				tc.search, tc.after, p, tc.want)
		}
	}
}
