package local

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// TestDirectoryListsThroughListedIndex: with many users hidden, a directory
// page is still one range of an index that holds the listed users only, so
// hidden users cost a page nothing.
func TestDirectoryListsThroughListedIndex(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := &Directory{DB: db}
	for i := range 100 {
		id := fmt.Sprintf("u%03d", i)
		if err := d.PutUser(ctx, imageapp.User{ID: id, Username: "user" + id, Email: "u@example.com", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := d.SetPrivacy(ctx, id, imageapp.Privacy{ReadReceipts: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, search := range []string{"", "useru0"} {
		plan, err := d.ListUsersPlan(ctx, search, "")
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(plan, "\n"); !strings.Contains(p, "USING INDEX users_listed") || strings.Contains(p, "SCAN") {
			t.Errorf("search %q: the directory's plan is\n%s\nwant a range of users_listed", search, p)
		}
	}
	if err := d.SetPrivacy(ctx, "nobody", imageapp.Privacy{}); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("SetPrivacy of an unknown user = %v; want ENOTFOUND", err)
	}
}
