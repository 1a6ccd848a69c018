package web

import (
	"net/http"
)

func (s *Server) ForgotPassword(w http.ResponseWriter, r *http.Request) (usernameForm, error) {
	f, err := ReadForm[usernameForm](w, r)
	if err != nil {
		return f, err
	}
	if err := s.Limit(r, "forgot", f.Username); err != nil {
		return f, err
	}
	if err := s.limitCodeMail(r, f.Username); err != nil {
		return f, err
	}
	return f, s.accounts.ForgotPassword(r.Context(), s.Asking(r, f.Username), f.Username)
}

func (s *Server) ResetPassword(w http.ResponseWriter, r *http.Request) (resetForm, error) {
	f, err := ReadForm[resetForm](w, r)
	if err != nil {
		return f, err
	}
	if err := s.Limit(r, "reset", f.Username); err != nil {
		return f, err
	}
	return f, s.accounts.ResetPassword(r.Context(), s.Asking(r, f.Username), f.Username, f.Code, f.Password)
}
