package api

import "net/http"

// Login is POST /api/login.
func (s *Handlers) Login(w http.ResponseWriter, r *http.Request) {
	_, u, err := s.LogIn(w, r)
	if s.secondFactor(w, r, err) {
		return
	}
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, accountReply{User: accountOf(u)})
}

// Logout is POST /api/logout.
func (s *Handlers) Logout(w http.ResponseWriter, r *http.Request) {
	if err := s.LogOut(w, r); err != nil {
		s.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Forgot is POST /api/password/forgot.
func (s *Handlers) Forgot(w http.ResponseWriter, r *http.Request) {
	if _, err := s.ForgotPassword(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusAccepted, sentReply{Sent: true})
}

// Reset is POST /api/password/reset.
func (s *Handlers) Reset(w http.ResponseWriter, r *http.Request) {
	if _, err := s.ResetPassword(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Signup is POST /api/signup.
func (s *Handlers) Signup(w http.ResponseWriter, r *http.Request) {
	f, err := s.SignUp(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusCreated, newAccountReply{User: newAccountJSON{Username: f.Username, Email: f.Email}, Outbox: s.Outbox()})
}

// Verify is POST /api/verify.
func (s *Handlers) Verify(w http.ResponseWriter, r *http.Request) {
	f, signedIn, err := s.VerifyEmail(w, r)
	if err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, newAccountReply{User: newAccountJSON{Username: f.Username, Confirmed: true}, SignedIn: signedIn})
}

// Resend is POST /api/verify/resend.
func (s *Handlers) Resend(w http.ResponseWriter, r *http.Request) {
	if _, err := s.ResendCode(w, r); err != nil {
		s.JSONError(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusAccepted, sentReply{Sent: true})
}
