package conformance

import (
	"slices"
	"strings"
	"testing"

	"imageapp/app/imageapp"
)

// searchAll pages through the directory's answer to search, limit users a
// page, checking that each page is no longer than limit, and returns the
// usernames lower-cased (Cognito keeps them so; the embedded backend keeps
// the case they were signed up with).
func searchAll(t *testing.T, e *env, search string, limit int) []string {
	t.Helper()
	var names []string
	q := imageapp.UserQuery{Search: search, Limit: limit}
	for pages := 1; ; pages++ {
		page, err := e.Users.ListUsers(e.ctx, q)
		if err != nil {
			t.Fatalf("search %q: %v", search, err)
		}
		if len(page.Users) > limit {
			t.Fatalf("search %q: a page of %d users, limit %d", search, len(page.Users), limit)
		}
		for _, u := range page.Users {
			names = append(names, strings.ToLower(u.Username))
		}
		if page.Next == "" {
			break
		}
		if pages > 50 {
			t.Fatalf("search %q: the cursor does not advance", search)
		}
		q.Cursor = page.Next
	}
	return names
}

// testDirectorySearch: a search is a case-insensitive prefix of the
// username, answered in username order; a substring elsewhere in a name
// does not match, and a character no username can have matches no one.
func testDirectorySearch(t *testing.T, e *env) {
	for _, name := range []string{"alice", "Alicia", "bob", "malice", "al_x", "Albert"} {
		e.user(t, name)
	}
	for _, tc := range []struct {
		search string
		want   []string
	}{
		{"AL", []string{"al_x", "albert", "alice", "alicia"}},
		{"alic", []string{"alice", "alicia"}},
		{"ALICE", []string{"alice"}},
		{"  bo ", []string{"bob"}},
		{"lic", nil}, // a substring, not a prefix: neither alice nor malice
		{"m", []string{"malice"}},
		{"al%", nil},
		{"a l", nil},
		{"zz", nil},
	} {
		if got := searchAll(t, e, tc.search, 10); !slices.Equal(got, tc.want) {
			t.Errorf("search %q found %v; want %v", tc.search, got, tc.want)
		}
	}
}

// testDirectoryPages: the whole directory, and a search, page in username
// order across pages with any page size; a cursor of another search or one
// the store did not make is refused.
func testDirectoryPages(t *testing.T, e *env) {
	var all []string
	for _, name := range []string{"dave", "Carol", "erin", "anna", "Bert", "ann", "Dan", "annika"} {
		e.user(t, name)
		all = append(all, strings.ToLower(name))
	}
	slices.Sort(all)
	for _, limit := range []int{1, 2, 3, 8, 50} {
		if got := searchAll(t, e, "", limit); !slices.Equal(got, all) {
			t.Errorf("the whole directory in pages of %d: %v; want %v", limit, got, all)
		}
	}
	if got, want := searchAll(t, e, "ANN", 1), []string{"ann", "anna", "annika"}; !slices.Equal(got, want) {
		t.Errorf("search %q in pages of 1: %v; want %v", "ANN", got, want)
	}
	page, err := e.Users.ListUsers(e.ctx, imageapp.UserQuery{Search: "ann", Limit: 1})
	if err != nil || page.Next == "" {
		t.Fatalf("first page of %q: %+v, %v; want a next page", "ann", page, err)
	}
	for _, q := range []imageapp.UserQuery{
		{Search: "d", Cursor: page.Next, Limit: 1}, // the cursor of another search
		{Cursor: "not a cursor!", Limit: 1},
		{Cursor: "bm90IGEgdXNlcm5hbWUh", Limit: 1}, // base64 of something that is no username
	} {
		_, err := e.Users.ListUsers(e.ctx, q)
		wantCode(t, "a directory page with cursor "+q.Cursor, err, imageapp.EINVALID)
	}
}
