package web

import (
	"net/http"
)

// The settings page says whether notification mail reaches the person (in
// AWS mode their address must confirm its SNS subscription), and lets them
// ask for the confirmation mail again.

func (s *Server) ResendMail(r *http.Request) error {
	u, _ := CurrentUser(r)
	if err := s.Limit(r, "mail-resend", u.Username); err != nil {
		return err
	}
	return s.messaging.ResendMailConfirmation(r.Context(), u)
}
