package api

import (
	"net/http"

	"imageapp/app/web"
)

type emailJSON struct {
	Address string `json:"address"`
	Pending string `json:"pending"` // "" when no change waits
}

func (s *Handlers) writeEmailJSON(w http.ResponseWriter, r *http.Request, status int, address, pending string) {
	s.JSON(w, r, status, struct {
		Email emailJSON `json:"email"`
	}{emailJSON{Address: address, Pending: pending}})
}

// Email is GET /api/me/email: the address and the one waiting for its code.
func (s *Handlers) Email(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	s.writeEmailJSON(w, r, http.StatusOK, u.Email, s.PendingEmail(r))
}

// EmailRequest is POST /api/me/email {"new_email", "password"}: 202.
func (s *Handlers) EmailRequest(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	pending, err := s.RequestEmail(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.writeEmailJSON(w, r, http.StatusAccepted, u.Email, pending)
}

// EmailConfirm is POST /api/me/email/confirm {"code", "password"}: 200.
func (s *Handlers) EmailConfirm(w http.ResponseWriter, r *http.Request) {
	email, err := s.ConfirmEmail(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.writeEmailJSON(w, r, http.StatusOK, email, "")
}

// EmailCancel is POST /api/me/email/cancel: 200.
func (s *Handlers) EmailCancel(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if err := s.CancelEmail(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.writeEmailJSON(w, r, http.StatusOK, u.Email, "")
}
