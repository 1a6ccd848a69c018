package web

import (
	"net/http"
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

// ChangeOwnPassword checks the limit (a password guess, like a login) and the
// current password, changes it, and re-issues this device's session.
func (s *Server) ChangeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	in, err := ReadForm[passwordForm](w, r)
	if err != nil {
		return err
	}
	if err := s.Limit(r, "login", u.Username); err != nil {
		return err
	}
	fresh, err := s.accounts.ChangePassword(r.Context(), u, in.Current, in.New)
	if err != nil {
		return err
	}
	return s.startSession(w, r, fresh, s.sessionKept(r))
}
