package local

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// TestQueryPlans: each list the store runs reads the index of its own rows,
// and the plans are of the queries Messages runs (a bad cursor fails both).
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &Messages{DB: db}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 5 {
		m := &imageapp.Message{ID: fmt.Sprintf("m%d", i), SenderID: "alice", SenderName: "alice",
			RecipientID: "bob", RecipientName: "bob", CreatedAt: t0.Add(time.Duration(i) * time.Second),
			ContentType: "image/png", Size: 1, KeyID: "k", WrappedKey: []byte("w"), SealedMeta: []byte("s")}
		if i%2 == 0 {
			m.ReadAt = m.CreatedAt
		}
		if err := s.CreateMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.Messages(ctx, imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Limit: 2})
	if err != nil || page.Next == "" {
		t.Fatalf("first page: %v, next %q", err, page.Next)
	}

	for _, c := range []struct {
		q    imageapp.MessageQuery
		want map[string]string // method → index its plan names
	}{
		{imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Limit: 50},
			map[string]string{"Messages": "USING INDEX messages_inbox (", "CountUnread": "INDEX messages_unread"}},
		{imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Cursor: page.Next, Limit: 50},
			map[string]string{"Messages": "USING INDEX messages_inbox ("}},
		{imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Status: imageapp.UnreadMessages, Limit: 200},
			map[string]string{"Messages": "USING INDEX messages_unread"}},
		{imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Status: imageapp.ReadMessages, Limit: 50},
			map[string]string{"Messages": "USING INDEX messages_inbox_read"}},
		{imageapp.MessageQuery{UserID: "alice", Box: imageapp.Sent, Cursor: page.Next, Limit: 50},
			map[string]string{"Messages": "USING INDEX messages_sent"}},
		{imageapp.MessageQuery{UserID: "bob", Box: imageapp.Requests, Cursor: page.Next, Limit: 50},
			map[string]string{"Messages": "USING INDEX messages_requests"}},
	} {
		plans, err := s.QueryPlans(ctx, c.q)
		if err != nil {
			t.Fatalf("%+v: %v", c.q, err)
		}
		wantPlans := 2
		if c.q.Box == imageapp.Sent || c.q.Box == imageapp.Requests {
			wantPlans = 1
		}
		if len(plans) != wantPlans {
			t.Errorf("%+v: %d plans, want %d: %+v", c.q, len(plans), wantPlans, plans)
		}
		for _, p := range plans {
			want, ok := c.want[p.Method]
			if !ok {
				continue
			}
			if got := strings.Join(p.Steps, "\n"); !strings.Contains(got, want) {
				t.Errorf("%+v: %s plan is\n%s\nwant it to say %q", c.q, p.Method, got, want)
			}
		}
	}

	bad := imageapp.MessageQuery{UserID: "bob", Cursor: "not a cursor", Limit: 50}
	_, listErr := s.Messages(ctx, bad)
	_, planErr := s.QueryPlans(ctx, bad)
	if imageapp.ErrorCode(listErr) != imageapp.EINVALID || imageapp.ErrorCode(planErr) != imageapp.EINVALID {
		t.Errorf("a bad cursor: Messages %v, QueryPlans %v; want EINVALID from both", listErr, planErr)
	}
}

// TestStoredBytesPlan: the quota's count, read on every send, is one row
// found by key, never a sum over the recipient's messages.
func TestStoredBytesPlan(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan, err := (&Messages{DB: db}).StoredBytesPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan, "\n"); !strings.Contains(got, "SEARCH stored_bytes USING INDEX sqlite_autoindex_stored_bytes_1") ||
		strings.Contains(got, "messages") {
		t.Fatalf("plan:\n%s\nwant one search of stored_bytes by key", got)
	}
}
