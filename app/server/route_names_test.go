package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestBlockRouteNames: the JSON twin of the page's /people/{username}/block
// is /api/people/{username}/block (PUT blocks, DELETE unblocks); the former
// /api/blocks/{username} still answers the same for older clients.
func TestBlockRouteNames(t *testing.T) {
	app := startApp(t, t.TempDir())
	bob := app.signUp("bob")
	app.signUp("carol")
	call := func(method, path string, want int) {
		t.Helper()
		req, err := http.NewRequest(method, app.server.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := bob.do(req); r.status != want {
			t.Errorf("%s %s: %d %s; want %d", method, path, r.status, r.body, want)
		}
	}
	blocked := func(want bool) {
		t.Helper()
		if r := bob.get("/api/me/blocked"); strings.Contains(r.body, `"username":"carol"`) != want {
			t.Errorf("carol blocked: want %v, the list says %s", want, r.body)
		}
	}
	for _, names := range [][2]string{
		{"/api/people/carol/block", "/api/people/carol/block"}, // the name
		{"/api/blocks/carol", "/api/blocks/carol"},             // the former name
		{"/api/people/carol/block", "/api/blocks/carol"},       // mixed: one route, two names
	} {
		call(http.MethodPut, names[0], http.StatusNoContent)
		blocked(true)
		call(http.MethodDelete, names[1], http.StatusNoContent)
		blocked(false)
	}
	call(http.MethodPut, "/api/people/nobody/block", http.StatusNotFound)
	call(http.MethodGet, "/api/people/carol/block", http.StatusMethodNotAllowed)
}
