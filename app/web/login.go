package web

import (
	"net/http"
	"net/url"

	"imageapp/app/imageapp"
	"imageapp/views"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.sessionUser(w, r); ok {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := views.Form{Username: q.Get("username"), Next: q.Get("next")}
	s.render(w, r, http.StatusOK, views.LoginPage(s.page(r, "Log in", "login"), f, false))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) (loginForm, imageapp.User, error) {
	f, err := readForm[loginForm](w, r)
	if err != nil {
		return f, imageapp.User{}, err
	}
	if err := s.limit(r, "login", f.Username); err != nil {
		return f, imageapp.User{}, err
	}
	u, err := s.accounts.Login(r.Context(), f.Username, f.Password)
	if err != nil {
		return f, u, err
	}
	if err := s.startSession(w, r, u); err != nil {
		return f, u, err
	}
	s.rememberDevice(w, r, u.Username)
	return f, u, nil
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	f, _, err := s.login(w, r)
	if err != nil {
		e := s.errorReply(w, r, err)
		unconfirmed := imageapp.ErrorCode(err) == imageapp.EUNCONFIRMED
		form := views.Form{Username: f.Username, Next: f.Next, Error: e.message}
		s.render(w, r, e.status, views.LoginPage(s.page(r, "Log in", "login"), form, unconfirmed))
		return
	}
	http.Redirect(w, r, localPath(f.Next), http.StatusSeeOther)
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	_, u, err := s.login(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, accountReply{User: accountOf(u)})
}

func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.endSession(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/login", "logged-out")
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) {
	if err := s.endSession(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// localPath keeps a ?next= target on this site.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || len(next) < 1 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/inbox"
	}
	return next
}
