package server

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
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

// TestSettingsRouteNames: each JSON twin of a settings form is "/api" +
// the page's path (/settings/privacy → /api/settings/privacy), and the
// former /api/me/… name still answers the same; both clients use the new
// names.
func TestSettingsRouteNames(t *testing.T) {
	app := startApp(t, t.TempDir())
	bob := app.signUp("bob")
	for _, path := range []string{"/privacy", "/mail", "/email", "/sessions", "/blocked", "/record", "/passkeys"} {
		name, former := bob.get("/api/settings"+path), bob.get("/api/me"+path)
		if name.status != http.StatusOK {
			t.Errorf("GET /api/settings%s: %d %s; want 200", path, name.status, name.body)
		}
		if former.status != name.status || path != "/record" && path != "/sessions" && former.body != name.body {
			t.Errorf("GET /api/me%s: %d %s; want what /api/settings%s answers: %d %s", path, former.status, former.body, path, name.status, name.body)
		}
	}
	r := bob.putJSON("/api/settings/privacy", map[string]bool{"read_receipts": false})
	if r.status != http.StatusOK && r.status != http.StatusNoContent {
		t.Fatalf("PUT /api/settings/privacy: %d %s", r.status, r.body)
	}
	if r := bob.get("/api/me/privacy"); !strings.Contains(r.body, `"read_receipts":false`) {
		t.Errorf("a change through the new name is not seen through the former: %s", r.body)
	}
	for _, dir := range []string{"../../react/src", "../../static"} {
		if hits := grepFiles(t, dir, "/api/me/"); len(hits) > 0 {
			t.Errorf("a client still calls the former names: %v", hits)
		}
	}
}

// grepFiles lists the files under dir (node_modules left out) that hold s.
func grepFiles(t *testing.T, dir, s string) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" || d.Name() == "dist" {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), s) {
			hits = append(hits, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}
