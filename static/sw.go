package static

import (
	_ "embed"
	"fmt"
	"net/http"
)

// sw is the Web Push service worker. It is served at /sw.js, not under its
// hashed name, because a worker's URL is its identity and its path bounds
// its scope: at the root, it may show notifications for the whole site.
//
//go:embed sw.js
var sw []byte

// ServiceWorker serves /sw.js. The browser checks it for updates on its
// own; no-cache makes every check reach the server, so a new deploy's
// worker replaces the old one at the next check.
func ServiceWorker() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", fmt.Sprint(len(sw)))
		if r.Method != http.MethodHead {
			w.Write(sw)
		}
	})
}
