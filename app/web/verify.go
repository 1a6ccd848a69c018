package web

import (
	"net/http"

	"imageapp/views"
)

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	f := views.Form{Username: r.URL.Query().Get("username")}
	s.render(w, r, http.StatusOK, views.VerifyPage(s.page(r, "Confirm your email", ""), f))
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) (verifyForm, error) {
	f, err := readForm[verifyForm](w, r)
	if err != nil {
		return f, err
	}
	if err := s.limit(r, "verify", f.Username); err != nil {
		return f, err
	}
	return f, s.accounts.Confirm(s.asking(r, f.Username), f.Username, f.Code)
}

func (s *Server) verifySubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.verify(w, r)
	if err != nil {
		s.verifyFailed(w, r, f.Username, err)
		return
	}
	redirect(w, r, "/login?username="+urlEscape(f.Username), "confirmed")
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) {
	f, err := s.verify(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, newAccountReply{User: newAccountJSON{Username: f.Username, Confirmed: true}})
}

// verifyFailed shows the verify page again with the error.
func (s *Server) verifyFailed(w http.ResponseWriter, r *http.Request, username string, err error) {
	e := s.errorReply(w, r, err)
	form := views.Form{Username: username, Error: e.message}
	s.render(w, r, e.status, views.VerifyPage(s.page(r, "Confirm your email", ""), form))
}

// --- a new code ---

func (s *Server) resend(w http.ResponseWriter, r *http.Request) (usernameForm, error) {
	f, err := readForm[usernameForm](w, r)
	if err != nil {
		return f, err
	}
	if f.Username != "" {
		if err := s.limit(r, "resend", f.Username); err != nil {
			return f, err
		}
		if err := s.limitCodeMail(r, f.Username); err != nil {
			return f, err
		}
	}
	return f, s.accounts.ResendCode(s.asking(r, f.Username), f.Username)
}

func (s *Server) resendSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.resend(w, r)
	if err != nil {
		s.verifyFailed(w, r, f.Username, err)
		return
	}
	redirect(w, r, "/verify?username="+urlEscape(f.Username), "resent")
}

func (s *Server) apiResend(w http.ResponseWriter, r *http.Request) {
	if _, err := s.resend(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusAccepted, sentReply{Sent: true})
}
