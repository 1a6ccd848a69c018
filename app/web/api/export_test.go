package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
	"imageapp/app/web/webtest"
)

// exportMessaging refuses every export with err, and counts the exports
// asked for. (A started export is the service's own type, which only the
// service can make: the end-to-end suite downloads the zip.)
type exportMessaging struct {
	fakeMessaging
	err   error
	asked []messaging.Access
}

func (f *exportMessaging) StartExport(_ context.Context, _ imageapp.User, how ...messaging.Access) (*messaging.Export, error) {
	f.asked = append(f.asked, how...)
	return nil, f.err
}

// TestExportRefusalIsNotAZip: an export that cannot start is the error in
// the contract's shape, with none of the zip's headers, so no client
// saves it as the download; the service was asked for an export for the
// record, by this session.
func TestExportRefusalIsNotAZip(t *testing.T) {
	m := &exportMessaging{err: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	w := webtest.Serve(newHandlers(nil, m).ExportDownload, bobWith(http.MethodPost, "/api/me/export", "", ""))
	if code, msg := apiError(t, w); w.Code != http.StatusServiceUnavailable || code != imageapp.EUNAVAILABLE || msg != "The store is busy." {
		t.Errorf("%d %s %q; want 503 with the service's words", w.Code, code, msg)
	}
	if ctype := w.Header().Get("Content-Type"); ctype == "application/zip" || w.Header().Get("Content-Disposition") != "" {
		t.Errorf("Content-Type %q, Content-Disposition %q; want neither the zip's", ctype, w.Header().Get("Content-Disposition"))
	}
	if len(m.asked) != 1 || m.asked[0].Purpose != imageapp.PurposeExport || m.asked[0].By.Session != "s-1" {
		t.Errorf("asked %+v; want one export by session s-1", m.asked)
	}
}

// TestExportIsLimited: a third export within the half hour is a 429 that
// says why and when to come back, with Retry-After, before the service is
// asked.
func TestExportIsLimited(t *testing.T) {
	m := &exportMessaging{err: imageapp.Errorf(imageapp.EUNAVAILABLE, "The store is busy.")}
	h := newHandlers(nil, m)
	for range 2 {
		webtest.Serve(h.ExportDownload, bobWith(http.MethodPost, "/api/me/export", "", ""))
	}
	w := webtest.Serve(h.ExportDownload, bobWith(http.MethodPost, "/api/me/export", "", ""))
	code, msg := apiError(t, w)
	if w.Code != http.StatusTooManyRequests || code != imageapp.ERATELIMITED || !strings.HasPrefix(msg, "You have exported your data recently.") ||
		!strings.HasSuffix(msg, "Try again in 30 minutes.") || w.Header().Get("Retry-After") == "" {
		t.Errorf("%d %s %q, Retry-After %q; want 429 with the wait", w.Code, code, msg, w.Header().Get("Retry-After"))
	}
	if len(m.asked) != 2 {
		t.Errorf("%d exports asked; want 2, none past the limit", len(m.asked))
	}
}
