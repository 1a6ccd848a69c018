package web

import (
	"net/http"

	"imageapp/app/imageapp"
)

// SignInAs signs u in on this device after a way in other than the password
// held (a passkey): a brand-new session, listed with its device like a
// password login's, and the device remembered for the login limits. It
// lasts as an unkept login's does: "keep me signed in" is not asked there.
func (s *Server) SignInAs(w http.ResponseWriter, r *http.Request, u imageapp.User) error {
	if err := s.startSession(w, r, u, false); err != nil {
		return err
	}
	s.rememberDevice(w, r, u.Username)
	return nil
}
