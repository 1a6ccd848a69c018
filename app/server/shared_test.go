package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"imageapp/app/valkey/valkeytest"
)

// TestSharedLimitsHoldAcrossInstances: two instances on one shared store
// count a client's attempts as one; alone, each would allow the full burst.
func TestSharedLimitsHoldAcrossInstances(t *testing.T) {
	store := valkeytest.Start(t)
	shared := func(c *Config) { c.ValkeyURL = store.URL }
	a, b := startApp(t, t.TempDir(), shared), startApp(t, t.TempDir(), shared)
	burst := 20 // web.DefaultLimits().PerIP
	clients := []*client{a.client(), b.client()}
	for i := range burst {
		r := clients[i%2].postForm("/login", url.Values{"username": {"nobody" + string(rune('a'+i))}, "password": {"wrong password!"}})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401 (wrong password)", i+1, r.status)
		}
	}
	for i, c := range clients {
		r := c.postForm("/login", url.Values{"username": {"nobody"}, "password": {"wrong password!"}})
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Errorf("instance %d after %d attempts over both: %d (Retry-After %q), want 429", i+1, burst, r.status, r.header.Get("Retry-After"))
		}
	}
}

// TestSharedLimitsFailClosed: with the shared store gone, logins and
// sign-ups are refused with 503 and a message that says why, never let
// through unchecked.
func TestSharedLimitsFailClosed(t *testing.T) {
	store := valkeytest.Start(t)
	app := startApp(t, t.TempDir(), func(c *Config) { c.ValkeyURL = store.URL })
	app.signUp("alice")
	store.Stop()
	c := app.client()
	for _, try := range []struct {
		path string
		form url.Values
	}{
		{"/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}}},
		{"/signup", url.Values{"username": {"bob"}, "email": {"bob@example.com"}, "password": {"correct horse battery"}}},
		{"/api/login", url.Values{"username": {"alice"}, "password": {"correct horse battery"}}},
	} {
		r := c.postForm(try.path, try.form)
		if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "not accepting") {
			t.Errorf("POST %s with the store down: %d %.200s; want 503 saying sign-in is not accepted now", try.path, r.status, r.body)
		}
	}
	if len(c.sessionCookies()) != 0 {
		t.Error("a login got a session while its limits could not be checked")
	}
}
