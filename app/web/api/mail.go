package api

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/web"
)

type mailJSON struct {
	State     string `json:"state"` // confirmed, pending, gone or outbox
	Email     string `json:"email"`
	CanResend bool   `json:"can_resend"`
}

// Mail is GET /api/me/mail: the state of the person's notification mail.
func (s *Handlers) Mail(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	state, err := s.messaging.MailState(r.Context(), u)
	if err != nil {
		s.Log().ErrorContext(r.Context(), "read notification mail state", "err", err)
		s.JSONError(w, r, imageapp.Errorf(imageapp.EUNAVAILABLE, "We cannot tell right now whether notifications reach you. Try again later."))
		return
	}
	s.JSON(w, r, http.StatusOK, struct {
		Mail mailJSON `json:"mail"`
	}{mailJSON{State: string(state), Email: u.Email, CanResend: state.CanResend()}})
}

// MailResend is POST /api/me/mail/resend.
func (s *Handlers) MailResend(w http.ResponseWriter, r *http.Request) {
	if err := s.ResendMail(r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusAccepted, sentReply{Sent: true})
}
