package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestReactBuildServedWithoutRestart: /react/ is mounted whenever a React
// dir is configured; before the build exists it says how to make one, and a
// build written while the server runs is served at once.
func TestReactBuildServedWithoutRestart(t *testing.T) {
	dir := t.TempDir()
	r := chi.NewRouter()
	(&Server{reactDir: dir}).mountReact(r)
	srv := httptest.NewServer(r)
	defer srv.Close()

	status, body, cache := reactGet(t, srv.URL+"/react/")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "The React client is not built") ||
		!strings.Contains(body, "cd react &amp;&amp; npm ci &amp;&amp; npm run build") {
		t.Fatalf("before the build: %d %q, want 503 and how to build", status, body)
	}
	if cache != "no-store" {
		t.Errorf("before the build: Cache-Control %q, want no-store", cache)
	}

	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>react client</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/react/", "/react/some/screen"} {
		if status, body, _ := reactGet(t, srv.URL+path); status != http.StatusOK || !strings.Contains(body, "react client") {
			t.Errorf("after the build, GET %s: %d %q, want the client's index.html", path, status, body)
		}
	}
}

func reactGet(t *testing.T, url string) (int, string, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header.Get("Cache-Control")
}
