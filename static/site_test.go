package static

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSiteHoldsItsPartsAndOnlyIt: site.js is htmx, its SSE extension and
// app.js in that order, and the parts are not served on their own: no page
// names them, so they would be dead weight and routes nobody checks.
func TestSiteHoldsItsPartsAndOnlyIt(t *testing.T) {
	site := byOriginal[Site].raw
	at := 0
	for _, name := range siteParts {
		raw, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(site[at:], raw)
		if i < 0 {
			t.Fatalf("%s is not in site.js after the parts before it", name)
		}
		at += i + len(raw)
		if _, served := byOriginal[name]; served {
			t.Errorf("%s is served on its own as well as inside site.js", name)
		}
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Path(Site), nil))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), site) {
		t.Fatalf("GET %s: %d, %d bytes; want 200 and site.js", Path(Site), rec.Code, rec.Body.Len())
	}
}
