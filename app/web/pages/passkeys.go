package pages

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"imageapp/app/imageapp"
	"imageapp/app/passkeys"
	"imageapp/app/web"
	"imageapp/views"
)

// Passkeys is what the pages ask of the passkey service: the list and the
// removal, which work without JavaScript. Adding one and signing in with
// one take the browser's WebAuthn API, so the pages' script calls the JSON
// routes for those.
type Passkeys interface {
	List(ctx context.Context, u imageapp.User) ([]imageapp.Passkey, error)
	Remove(ctx context.Context, u imageapp.User, id string) error
}

// WithPasskeys gives the handlers the passkey service.
func (s *Handlers) WithPasskeys(p Passkeys) *Handlers {
	s.passkeys = p
	return s
}

// passkeyRows lists the person's passkeys for the settings page.
func (s *Handlers) passkeyRows(r *http.Request) ([]views.PasskeyRow, error) {
	if s.passkeys == nil {
		return nil, nil
	}
	u, _ := web.CurrentUser(r)
	list, err := s.passkeys.List(r.Context(), u)
	if err != nil {
		return nil, err
	}
	rows := make([]views.PasskeyRow, len(list))
	for i, p := range list {
		rows[i] = views.PasskeyRow{ID: passkeys.EncodeID(p.ID), Name: p.Name, Created: p.Created, LastUsed: p.LastUsed}
	}
	return rows, nil
}

// PasskeyRemoveSubmit is POST /settings/passkeys/{id}/remove.
func (s *Handlers) PasskeyRemoveSubmit(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if err := s.passkeys.Remove(r.Context(), u, chi.URLParam(r, "id")); err != nil {
		s.Fail(w, r, err)
		return
	}
	web.Redirect(w, r, "/settings#passkeys", "passkey-removed")
}
