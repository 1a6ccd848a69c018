package web

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-chi/chi/v5"
)

// reactNotBuilt is the page /react/ shows while react/dist has no build.
const reactNotBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>React client not built · ImageApp</title></head>
<body><main><h1>The React client is not built</h1>
<p>The React client is not built: run <code>cd react &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page.</p>
<p><a href="/">Use the server pages instead</a></p></main></body></html>
`

// mountReact serves the React client under /react/ whenever a React dir is
// configured. The build is looked for on each request, so one made while the
// server runs is served at once, without a restart.
func (s *Server) mountReact(r chi.Router) {
	if s.reactDir == "" {
		return
	}
	r.Handle("/react/*", http.StripPrefix("/react/", reactHandler(s.reactDir)))
	r.Get("/react", http.RedirectHandler("/react/", http.StatusMovedPermanently).ServeHTTP)
}

// reactHandler serves the built client, falling back to index.html for
// any path that is not a file (a directory is never listed). Without a
// build it answers 503 with a page that says how to make one.
func reactHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store") // the build may appear any moment
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(reactNotBuilt))
			return
		}
		if info, err := os.Stat(filepath.Join(dir, filepath.Clean("/"+r.URL.Path))); err != nil || info.IsDir() {
			r.URL.Path = "/"
		}
		if strings.HasPrefix(r.URL.Path, "assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}
