package server

import (
	"net/http"
	"regexp"
	"testing"
)

// firstVisitBudget is the most a first visit to a page may cost on the
// wire: the page and every asset it loads, gzipped, with their response
// headers (the README's budget; the bench reports the same measure).
const firstVisitBudget = 30 << 10

// pageAsset is an asset a page itself loads (not a data-…-src that a
// script fetches only when asked).
var pageAsset = regexp.MustCompile(`\s(?:href|src)="(/static/[^"]+)"`)

// TestFirstVisitStaysWithinItsBudget: the inbox with ten images in it,
// first visited, costs at most 30 KiB on the wire. Without this, the
// budget broke unnoticed once: a script every page loaded grew, and
// another was counted in.
func TestFirstVisitStaysWithinItsBudget(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	for range 10 {
		if r := alice.postMultipart("/api/messages", field("to", "bob"), field("caption", "a caption of some length, as people write them"), file("image", "p.png", testPNG(t, 40, 30))); r.status != http.StatusCreated {
			t.Fatalf("send: %d %s", r.status, r.body)
		}
	}
	onWire := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, app.server.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // set by hand: the client then leaves the body compressed
		r := bob.do(req)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		n := len("HTTP/1.1 200 OK\r\n\r\n") + len(r.body)
		for k, vs := range r.header {
			for _, v := range vs {
				n += len(k) + len(": \r\n") + len(v)
			}
		}
		return n, r.body
	}
	total, page := onWire("/inbox")
	// The page's own HTML, read again uncompressed, names its assets.
	html := bob.get("/inbox").body
	seen := map[string]bool{}
	for _, m := range pageAsset.FindAllStringSubmatch(html, -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		n, _ := onWire(m[1])
		total += n
	}
	if len(seen) < 2 || len(page) == 0 {
		t.Fatalf("the inbox loads %d assets: %v", len(seen), seen)
	}
	t.Logf("first visit to /inbox: %.1f KiB on the wire, %d assets", float64(total)/1024, len(seen))
	if total > firstVisitBudget {
		t.Errorf("a first visit to /inbox costs %.1f KiB on the wire (assets %v); the budget is %d KiB", float64(total)/1024, seen, firstVisitBudget>>10)
	}
}
