package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Blocking someone: from the conversation page (a form, JS off too) or the
// settings page's list (unblock), and the JSON twins.

// SetBlocked blocks or unblocks {username} for the person asking.
func (s *Server) SetBlocked(r *http.Request, blocked bool) error {
	u, _ := CurrentUser(r)
	_, err := s.messaging.SetBlocked(r.Context(), u, chi.URLParam(r, "username"), blocked)
	return err
}
