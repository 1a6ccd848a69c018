package web

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/views"
)

// The settings page says whether notification mail reaches the person (in
// AWS mode their address must confirm its SNS subscription), and lets them
// ask for the confirmation mail again.

func (s *Server) mailSettings(r *http.Request) views.MailSettings {
	u, _ := currentUser(r)
	m := views.MailSettings{Email: u.Email}
	state, err := s.messaging.MailState(r.Context(), u)
	if err != nil {
		s.log.ErrorContext(r.Context(), "read notification mail state", "err", err)
		m.Error = "We cannot tell right now whether notifications reach you. Try again later."
		return m
	}
	m.State, m.CanResend = string(state), state.CanResend()
	return m
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.SettingsPage(s.page(r, "Settings", "settings"), s.mailSettings(r)))
}

func (s *Server) resendMail(r *http.Request) error {
	u, _ := currentUser(r)
	if err := s.limit(r, "mail-resend", u.Username); err != nil {
		return err
	}
	return s.messaging.ResendMailConfirmation(r.Context(), u)
}

func (s *Server) resendMailSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.resendMail(r); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/settings", "mail-again")
}

type mailJSON struct {
	State     string `json:"state"` // confirmed, pending, gone or outbox
	Email     string `json:"email"`
	CanResend bool   `json:"can_resend"`
}

// apiMail is GET /api/me/mail: the state of the person's notification mail.
func (s *Server) apiMail(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	state, err := s.messaging.MailState(r.Context(), u)
	if err != nil {
		s.log.ErrorContext(r.Context(), "read notification mail state", "err", err)
		s.writeJSONError(w, r, imageapp.Errorf(imageapp.EUNAVAILABLE, "We cannot tell right now whether notifications reach you. Try again later."))
		return
	}
	s.writeJSON(w, r, http.StatusOK, struct {
		Mail mailJSON `json:"mail"`
	}{mailJSON{State: string(state), Email: u.Email, CanResend: state.CanResend()}})
}

// apiMailResend is POST /api/me/mail/resend.
func (s *Server) apiMailResend(w http.ResponseWriter, r *http.Request) {
	if err := s.resendMail(r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusAccepted, sentReply{Sent: true})
}
