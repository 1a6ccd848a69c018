package web

import (
	"net/http"

	"imageapp/app/imageapp"
)

func (s *Server) SignUp(w http.ResponseWriter, r *http.Request) (signupForm, error) {
	f, err := ReadForm[signupForm](w, r)
	if err != nil {
		return f, err
	}
	if err := s.Limit(r, "signup", ""); err != nil {
		return f, err
	}
	if err := s.limitCodeMail(r, ""); err != nil {
		return f, err
	}
	if err := s.accounts.SignUp(r.Context(), s.Asking(r, f.Username), imageapp.SignUpInput{Username: f.Username, Email: f.Email, Password: f.Password}); err != nil {
		return f, err
	}
	return f, s.rememberSignUp(w, r, f.Username)
}
