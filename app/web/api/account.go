package api

import "net/http"

// DeleteAccount is DELETE /api/me.
func (s *Handlers) DeleteAccount(w http.ResponseWriter, r *http.Request) {
	if err := s.DeleteOwnAccount(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ChangePassword is POST /api/me/password {"current_password", "new_password"}: 204.
func (s *Handlers) ChangePassword(w http.ResponseWriter, r *http.Request) {
	if err := s.ChangeOwnPassword(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
