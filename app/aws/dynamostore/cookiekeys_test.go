package dynamostore_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"imageapp/app/aws/dynamostore"
	"imageapp/app/imageapp"
)

// reversing is a stand-in for the app's KMS key: these tests are about the
// users table, not about the wrapping (see app/aws/awsbackend for that).
type reversing struct{}

func (reversing) Wrap(_ context.Context, p []byte) ([]byte, error) { return reverse(p), nil }
func (reversing) Unwrap(_ context.Context, c []byte) ([]byte, error) {
	return reverse(c), nil
}

func reverse(b []byte) []byte {
	out := bytes.Clone(b)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// TestTheCookieKeysItemIsNoUser: the ring lives in the users table under a
// key no username can take, and nothing that reads users ever returns it:
// not the directory's pages, not a search, not a lookup by name, and no user
// can be stored under it.
func TestTheCookieKeysItemIsNoUser(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, name := range []string{"carol", "cookie_monster", "dave"} {
		if err := f.users.PutUser(ctx, imageapp.User{ID: "id-" + name, Username: name, Email: name + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	ring := &dynamostore.CookieKeys{DB: f.client, Table: f.users.Table, Wrap: reversing{}}
	if _, err := ring.Load(ctx); err != nil {
		t.Fatalf("create the ring: %v", err)
	}
	if _, err := ring.Rotate(ctx); err != nil {
		t.Fatalf("rotate: %v", err)
	}

	check := func(what string, users []imageapp.User) {
		t.Helper()
		for _, u := range users {
			if u.ID == "" || strings.HasPrefix(u.Username, "#") {
				t.Errorf("%s returned %+v, which is not a user", what, u)
			}
		}
	}
	listAll := func(when string) {
		t.Helper()
		for _, search := range []string{"", "#", "#cookie", "#cookie-keys", "c", "cookie", "keys"} {
			seen := 0
			cursor := ""
			for page := 0; page < 20; page++ {
				p, err := f.users.ListUsers(ctx, imageapp.UserQuery{Search: search, Cursor: cursor, Limit: 1})
				if err != nil {
					t.Fatalf("list users %q: %v", search, err)
				}
				check(when+": ListUsers(search "+search+")", p.Users)
				seen += len(p.Users)
				if cursor = p.Next; cursor == "" {
					break
				}
			}
			if search == "" && seen != 3 {
				t.Errorf("%s: the whole directory lists %d users; want the 3 people", when, seen)
			}
		}
	}
	listAll("before the upgrade's backfill")
	// The one Scan of the users table (an upgrade's backfill of the
	// directory index) must not put the ring into the directory either.
	if _, err := f.users.BackfillDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	listAll("after the backfill")
	if u, err := f.users.UserByUsername(ctx, dynamostore.CookieKeysKey); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("UserByUsername(%q) = %+v, %v; want ENOTFOUND", dynamostore.CookieKeysKey, u, err)
	}
	err := f.users.PutUser(ctx, imageapp.User{ID: "id-x", Username: dynamostore.CookieKeysKey})
	if imageapp.ErrorCode(err) != imageapp.EINVALID {
		t.Errorf("PutUser under the ring's key: %v; want EINVALID", err)
	}
	if r, err := ring.Load(ctx); err != nil || r.Version != 2 || len(r.Pairs) != 2 {
		t.Errorf("the ring after all that: version %d, %d pairs, %v; want it untouched", r.Version, len(r.Pairs), err)
	}
}
