package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDeleteAccountOverHTTP: the settings page leads to a page that says
// what goes; a wrong password deletes nothing; the right one deletes the
// account, logs out, and the name is kept from a new sign-up.
func TestDeleteAccountOverHTTP(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	sendWithCaption(t, alice, "bob", "for bob")
	sendWithCaption(t, bob, "alice", "from bob")

	if r := bob.get("/settings"); !strings.Contains(r.body, `href="/settings/delete"`) {
		t.Fatal("the settings page has no way to delete the account")
	}
	page := bob.get("/settings/delete")
	for _, want := range []string{"nobody can open any image ever sent to you", "90 days", "stay with the people you sent them to", `name="password"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the deletion page does not say %q", want)
		}
	}
	if r := bob.postForm("/settings/delete", url.Values{"password": {"wrong password!"}}); r.status != http.StatusForbidden || !strings.Contains(r.body, "not deleted") {
		t.Fatalf("a wrong password: %d; want 403 and 'not deleted'", r.status)
	}
	if r := bob.get("/api/me"); r.status != http.StatusOK {
		t.Fatalf("after a wrong password bob is logged out: %d", r.status)
	}
	r := bob.postForm("/settings/delete", url.Values{"password": {"correct horse battery"}})
	if r.status != http.StatusOK || r.url != "/login" || !strings.Contains(r.body, "Your account is deleted") {
		t.Fatalf("delete: %d at %s; want the login page saying so", r.status, r.url)
	}
	if r := bob.get("/api/me"); r.status != http.StatusUnauthorized {
		t.Errorf("after deletion /api/me: %d; want 401", r.status)
	}
	if r := app.client().postForm("/login", url.Values{"username": {"bob"}, "password": {"correct horse battery"}}); r.url == "/inbox" {
		t.Error("the deleted account can still log in")
	}
	r = app.client().postForm("/signup", url.Values{"username": {"Bob"}, "email": {"bob2@example.com"}, "password": {"correct horse battery"}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "kept for 90 days") {
		t.Errorf("sign-up as Bob: %d; want 409 saying the name is kept", r.status)
	}
	var n int
	must(t, app.db.QueryRow(`SELECT count(*) FROM messages WHERE recipient_name = 'bob'`).Scan(&n))
	if n != 0 {
		t.Errorf("%d messages to bob are still stored", n)
	}
	if r := alice.get("/api/messages?box=inbox"); !strings.Contains(r.body, "from bob") {
		t.Error("the image bob sent alice is gone with his account")
	}
	// The JSON twin.
	carol := app.signUp("carol")
	if r := carol.do(jsonRequest(t, app, http.MethodDelete, "/api/me", `{"password":"correct horse battery"}`)); r.status != http.StatusNoContent {
		t.Errorf("DELETE /api/me: %d %s", r.status, r.body)
	}
}

func jsonRequest(t *testing.T, app *testApp, method, path, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, app.server.URL+path, strings.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	return req
}
