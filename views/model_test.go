package views

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"
)

// TestGroupBySenderFollowsTheSharedRule: the inbox rule of the server pages
// is the one written in testdata/inbox_groups.json, which the React client's
// group.js is tested against too.
func TestGroupBySenderFollowsTheSharedRule(t *testing.T) {
	raw, err := os.ReadFile("testdata/inbox_groups.json")
	if err != nil {
		t.Fatal(err)
	}
	var fixture struct {
		Cases []struct {
			Name     string
			Messages []struct {
				ID     string
				From   struct{ ID, Username string }
				SentAt time.Time  `json:"sent_at"`
				ReadAt *time.Time `json:"read_at"`
			}
			Groups []struct {
				Sender string
				IDs    []string
				Unread int
			}
		}
	}
	if err := json.Unmarshal(raw, &fixture); err != nil {
		t.Fatal(err)
	}
	if len(fixture.Cases) == 0 {
		t.Fatal("the fixture has no cases")
	}
	for _, c := range fixture.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var ms []Message
			for _, m := range c.Messages {
				v := Message{ID: m.ID, FromID: m.From.ID, From: m.From.Username, SentAt: m.SentAt}
				if m.ReadAt != nil {
					v.OpenedAt = *m.ReadAt
				}
				ms = append(ms, v)
			}
			got := GroupBySender(ms)
			if len(got) != len(c.Groups) {
				t.Fatalf("%d groups, want %d: %+v", len(got), len(c.Groups), got)
			}
			for i, want := range c.Groups {
				var ids []string
				for _, m := range got[i].Messages {
					ids = append(ids, m.ID)
				}
				if got[i].Sender != want.Sender || got[i].Unread != want.Unread || !slices.Equal(ids, want.IDs) {
					t.Errorf("group %d is %s %v (%d unread), want %s %v (%d unread)",
						i, got[i].Sender, ids, got[i].Unread, want.Sender, want.IDs, want.Unread)
				}
			}
		})
	}
}
