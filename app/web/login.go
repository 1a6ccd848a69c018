package web

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"

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
	// Not http.Redirect: it cleans the path again, which could turn what
	// localPath checked into something else ("/./\x" into "/\x").
	w.Header().Set("Location", localPath(f.Next))
	w.WriteHeader(http.StatusSeeOther)
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

// localPath is where a login may send the browser back to: next, if it is
// a path on this site, else the inbox. It returns exactly what goes into the
// Location header, and judges that: the path cleaned of "." and ".."
// segments and of doubled slashes, then refused unless it is one "/" followed
// by something that is not "/" or "\" (browsers read "/\host" as "//host",
// another site), with no backslash, control character, space or non-ASCII
// byte anywhere (browsers drop tabs and newlines, and turn "\" into "/").
// A next with a backslash anywhere goes home at once.
func localPath(next string) string {
	const home = "/inbox"
	u, err := url.Parse(next)
	if err != nil || next == "" || next[0] != '/' || strings.Contains(next, `\`) || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	loc := path.Clean(u.EscapedPath())
	if u.RawQuery != "" {
		loc += "?" + u.RawQuery
	}
	if !isLocalPath(loc) {
		return home
	}
	return loc
}

// isLocalPath reports whether a Location value stays on this site, as a
// browser reads it.
func isLocalPath(loc string) bool {
	if loc == "" || loc[0] != '/' || (len(loc) > 1 && (loc[1] == '/' || loc[1] == '\\')) {
		return false
	}
	for i := 0; i < len(loc); i++ {
		if c := loc[i]; c <= ' ' || c == '\\' || c >= 0x7f {
			return false
		}
	}
	u, err := url.Parse(loc)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}

// formOnlyPage answers a visit to an address only a form posts to (a
// bookmarked /logout): it says so in plain words, with the page's real
// header, and offers the button when there is one to offer.
func (s *Server) formOnlyPage(w http.ResponseWriter, r *http.Request) {
	if u, ok := s.sessionUser(w, r); ok {
		r = r.WithContext(context.WithValue(r.Context(), userKey, u))
	}
	_, loggedIn := currentUser(r)
	v := views.FormOnly{Path: r.URL.Path, LoggedIn: loggedIn}
	s.render(w, r, http.StatusMethodNotAllowed, views.FormOnlyPage(s.page(r, "Nothing to show here", ""), v))
}
