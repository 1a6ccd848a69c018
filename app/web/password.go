package web

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/views"
)

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.ForgotPage(s.page(r, "Reset password", ""), views.Form{}))
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) (usernameForm, error) {
	f, err := readForm[usernameForm](w, r)
	if err != nil {
		return f, err
	}
	if err := s.limit(r, "forgot", f.Username); err != nil {
		return f, err
	}
	if err := s.limitCodeMail(r, f.Username); err != nil {
		return f, err
	}
	return f, s.accounts.ForgotPassword(s.asking(r, f.Username), f.Username)
}

func (s *Server) forgotSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.forgot(w, r)
	if err != nil {
		e := s.errorReply(w, r, err)
		form := views.Form{Username: f.Username, Error: e.message}
		s.render(w, r, e.status, views.ForgotPage(s.page(r, "Reset password", ""), form))
		return
	}
	redirect(w, r, "/reset?username="+urlEscape(f.Username), "reset-sent")
}

func (s *Server) apiForgot(w http.ResponseWriter, r *http.Request) {
	if _, err := s.forgot(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusAccepted, sentReply{Sent: true})
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) {
	f := views.Form{Username: r.URL.Query().Get("username")}
	s.render(w, r, http.StatusOK, views.ResetPage(s.page(r, "Reset password", ""), f))
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) (resetForm, error) {
	f, err := readForm[resetForm](w, r)
	if err != nil {
		return f, err
	}
	if err := s.limit(r, "reset", f.Username); err != nil {
		return f, err
	}
	return f, s.accounts.ResetPassword(s.asking(r, f.Username), f.Username, f.Code, f.Password)
}

func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.reset(w, r)
	if err != nil {
		e := s.errorReply(w, r, err)
		form := views.Form{Username: f.Username, Error: e.message}
		if imageapp.ValidatePassword(f.Password) != nil {
			form.Code = f.Code // the code was not the problem: do not make the person type it again
		}
		s.render(w, r, e.status, views.ResetPage(s.page(r, "Reset password", ""), form))
		return
	}
	redirect(w, r, "/login?username="+urlEscape(f.Username), "reset-done")
}

func (s *Server) apiReset(w http.ResponseWriter, r *http.Request) {
	if _, err := s.reset(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
