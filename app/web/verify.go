package web

import (
	"net/http"
)

func (s *Server) VerifyEmail(w http.ResponseWriter, r *http.Request) (verifyForm, error) {
	f, err := ReadForm[verifyForm](w, r)
	if err != nil {
		return f, err
	}
	if err := s.Limit(r, "verify", f.Username); err != nil {
		return f, err
	}
	return f, s.accounts.Confirm(r.Context(), s.asking(r, f.Username), f.Username, f.Code)
}

// --- a new code ---

func (s *Server) ResendCode(w http.ResponseWriter, r *http.Request) (usernameForm, error) {
	f, err := ReadForm[usernameForm](w, r)
	if err != nil {
		return f, err
	}
	if f.Username != "" {
		if err := s.Limit(r, "resend", f.Username); err != nil {
			return f, err
		}
		if err := s.limitCodeMail(r, f.Username); err != nil {
			return f, err
		}
	}
	return f, s.accounts.ResendCode(r.Context(), s.asking(r, f.Username), f.Username)
}
