package web

import (
	"net/http"
)

// VerifyEmail confirms the code; signedIn tells that it also signed in the
// browser that signed up (signupproof.go).
func (s *Server) VerifyEmail(w http.ResponseWriter, r *http.Request) (f verifyForm, signedIn bool, err error) {
	f, err = ReadForm[verifyForm](w, r)
	if err != nil {
		return f, false, err
	}
	if err := s.Limit(r, "verify", f.Username); err != nil {
		return f, false, err
	}
	if err := s.accounts.Confirm(r.Context(), s.Asking(r, f.Username), f.Username, f.Code); err != nil {
		return f, false, err
	}
	return f, s.signInConfirmed(w, r, f.Username), nil
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
	return f, s.accounts.ResendCode(r.Context(), s.Asking(r, f.Username), f.Username)
}
