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

func (s *Server) LogIn(w http.ResponseWriter, r *http.Request) (loginForm, imageapp.User, error) {
	f, err := ReadForm[loginForm](w, r)
	if err != nil {
		return f, imageapp.User{}, err
	}
	if err := s.Limit(r, "login", f.Username); err != nil {
		return f, imageapp.User{}, err
	}
	u, err := s.accounts.Login(r.Context(), s.Asking(r, f.Username), f.Username, f.Password)
	if err != nil {
		return f, u, err
	}
	if need, err := s.needsSecondStep(r.Context(), u); err != nil || need {
		if err == nil {
			err = s.secondStepOrErr(r.Context(), u, checked(f.Keep))
		}
		return f, imageapp.User{}, err // no session before the code (twofactor.go)
	}
	if err := s.startSession(w, r, u, checked(f.Keep)); err != nil {
		return f, u, err
	}
	s.rememberDevice(w, r, u.Username)
	return f, u, nil
}

// LocalPath is where a login may send the browser back to: next, if it is
// a path on this site, else the inbox. It returns exactly what goes into the
// Location header, and judges that: the path cleaned of "." and ".."
// segments and of doubled slashes, then refused unless it is one "/" followed
// by something that is not "/" or "\" (browsers read "/\host" as "//host",
// another site), with no backslash, control character, space or non-ASCII
// byte anywhere (browsers drop tabs and newlines, and turn "\" into "/").
// A next with a backslash anywhere goes home at once.
func LocalPath(next string) string {
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
	if u, ok := s.SessionUser(w, r); ok {
		r = r.WithContext(context.WithValue(r.Context(), userKey, u))
	}
	_, loggedIn := CurrentUser(r)
	v := views.FormOnly{Path: r.URL.Path, LoggedIn: loggedIn}
	s.Render(w, r, http.StatusMethodNotAllowed, views.FormOnlyPage(s.errorFrame(r, "Nothing to show here"), v))
}
