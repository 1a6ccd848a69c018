package pages

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/web/webtest"
)

// fakePasskeys keeps one person's passkeys by their URL IDs.
type fakePasskeys struct {
	owner   string
	ids     map[string]bool
	removed []string
}

func (f *fakePasskeys) List(context.Context, imageapp.User) ([]imageapp.Passkey, error) {
	return nil, nil
}

func (f *fakePasskeys) Remove(_ context.Context, u imageapp.User, id string) error {
	if u.ID != f.owner || !f.ids[id] {
		return imageapp.Errorf(imageapp.ENOTFOUND, "That passkey is not one of yours.")
	}
	f.removed = append(f.removed, id)
	return nil
}

// TestPasskeyRemoveForm: the settings form (no JavaScript) removes one of
// bob's passkeys and goes back to the card with the flash; an ID that is not
// his is a 404 page that says so, and nothing is removed.
func TestPasskeyRemoveForm(t *testing.T) {
	remove := func(p *fakePasskeys, id string) *httptest.ResponseRecorder {
		r := asBob(http.MethodPost, "/settings/passkeys/"+id+"/remove", strings.NewReader(""))
		rc := chi.NewRouteContext()
		rc.URLParams.Add("id", id)
		r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
		w := httptest.NewRecorder()
		newHandlers(&webtest.Accounts{}, &fakeMessaging{}).WithPasskeys(p).PasskeyRemoveSubmit(w, r)
		return w
	}

	p := &fakePasskeys{owner: bob.ID, ids: map[string]bool{"AQ": true}}
	w := remove(p, "AQ")
	if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || loc != "/settings?flash=passkey-removed#passkeys" || len(p.removed) != 1 {
		t.Errorf("removing his own: status %d to %q, removed %v; want 303 to the card with the flash, AQ removed", w.Code, loc, p.removed)
	}

	p = &fakePasskeys{owner: "u-alice", ids: map[string]bool{"AQ": true}}
	w = remove(p, "AQ")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "That passkey is not one of yours.") || len(p.removed) != 0 {
		t.Errorf("removing alice's: status %d, removed %v; want 404 with the reason, nothing removed: %s", w.Code, p.removed, w.Body.String())
	}
}
