package web

import (
	"net/http"
)

// Deleting one's account: a page that says what goes and asks for the
// password, and its JSON twin DELETE /api/me {"password": "…"}.

// DeleteOwnAccount checks the limit and the password, then deletes and ends
// the session: the cookie is cleared whatever happens after the password.
func (s *Server) DeleteOwnAccount(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	in, err := ReadForm[deleteAccountForm](w, r)
	if err != nil {
		return err
	}
	if err := s.Limit(r, "login", u.Username); err != nil { // a password guess, like a login
		return err
	}
	if err := s.accounts.DeleteAccount(r.Context(), s.Asking(r, u.Username), u, in.Password); err != nil {
		return err
	}
	sess, _ := s.sessionStore().New(r, s.cookie)
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	return sess.Save(r, w)
}
