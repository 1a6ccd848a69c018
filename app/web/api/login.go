package api

import "net/http"

func (s *Handlers) Login(w http.ResponseWriter, r *http.Request) {
	_, u, err := s.LogIn(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, accountReply{User: accountOf(u)})
}

func (s *Handlers) Logout(w http.ResponseWriter, r *http.Request) {
	if err := s.LogOut(w, r); err != nil {
		s.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Handlers) Forgot(w http.ResponseWriter, r *http.Request) {
	if _, err := s.ForgotPassword(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusAccepted, sentReply{Sent: true})
}

func (s *Handlers) Reset(w http.ResponseWriter, r *http.Request) {
	if _, err := s.ResetPassword(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Handlers) Signup(w http.ResponseWriter, r *http.Request) {
	f, err := s.SignUp(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusCreated, newAccountReply{User: newAccountJSON{Username: f.Username, Email: f.Email}})
}

func (s *Handlers) Verify(w http.ResponseWriter, r *http.Request) {
	f, err := s.VerifyEmail(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, newAccountReply{User: newAccountJSON{Username: f.Username, Confirmed: true}})
}

func (s *Handlers) Resend(w http.ResponseWriter, r *http.Request) {
	if _, err := s.ResendCode(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusAccepted, sentReply{Sent: true})
}
