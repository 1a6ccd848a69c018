package web

import (
	"net/http"

	"imageapp/views"
)

// Changing one's password on the settings page (POST /settings/password)
// and its JSON twin (POST /api/me/password). The change ends every session
// of the person; the device that asked gets a fresh one at once, so only
// the others are logged out.

// passwordForm is the change's fields, the same names in the form and JSON.
type passwordForm struct {
	Current string `form:"current_password,raw"`
	New     string `form:"new_password,raw"`
}

// changePassword checks the limit (a password guess, like a login) and the
// current password, changes it, and re-issues this device's session.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	in, err := readForm[passwordForm](w, r)
	if err != nil {
		return err
	}
	if err := s.limit(r, "login", u.Username); err != nil {
		return err
	}
	fresh, err := s.accounts.ChangePassword(r.Context(), u, in.Current, in.New)
	if err != nil {
		return err
	}
	return s.startSession(w, r, fresh)
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.changePassword(w, r); err != nil {
		e := s.errorReply(w, r, err)
		ctx := views.WithPasswordError(r.Context(), e.message)
		s.settingsCards(func(w http.ResponseWriter, r *http.Request) {
			s.render(w, r, e.status, views.SettingsPage(s.page(r, "Settings", "settings"), s.mailSettings(r)))
		})(w, r.WithContext(ctx))
		return
	}
	// The top of the page, where the flash is: a fragment would scroll past it.
	redirect(w, r, "/settings", "password-changed")
}

// apiChangePassword is POST /api/me/password {"current_password", "new_password"}: 204.
func (s *Server) apiChangePassword(w http.ResponseWriter, r *http.Request) {
	if err := s.changePassword(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// settingsCards hands the settings page's cards what they read from the
// render context; GET /settings and a re-rendered form share it.
func (s *Server) settingsCards(next http.HandlerFunc) http.HandlerFunc {
	return s.withPrivacy(s.withBlocked(s.withSessions(s.withEmailChange(next))))
}
