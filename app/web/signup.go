package web

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/views"
)

func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.SignupPage(s.page(r, "Sign up", "signup"), views.Form{}))
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) (signupForm, error) {
	f, err := readForm[signupForm](w, r)
	if err != nil {
		return f, err
	}
	if err := s.limit(r, "signup", ""); err != nil {
		return f, err
	}
	if err := s.limitCodeMail(r, ""); err != nil {
		return f, err
	}
	return f, s.accounts.SignUp(s.asking(r, f.Username), imageapp.SignUpInput{Username: f.Username, Email: f.Email, Password: f.Password})
}

func (s *Server) signupSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.signup(w, r)
	if err != nil {
		e := s.errorReply(w, r, err)
		form := views.Form{Username: f.Username, Email: f.Email, Error: e.message}
		s.render(w, r, e.status, views.SignupPage(s.page(r, "Sign up", "signup"), form))
		return
	}
	redirect(w, r, "/verify?username="+urlEscape(f.Username), "signed-up")
}

func (s *Server) apiSignup(w http.ResponseWriter, r *http.Request) {
	f, err := s.signup(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, newAccountReply{User: newAccountJSON{Username: f.Username, Email: f.Email}})
}
