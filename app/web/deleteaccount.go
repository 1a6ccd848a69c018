package web

import (
	"net/http"

	"imageapp/app/accounts"

	"imageapp/views"
)

// Deleting one's account: a page that says what goes and asks for the
// password, and its JSON twin DELETE /api/me {"password": "…"}.

func (s *Server) deleteAccountPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.DeleteAccountPage(s.page(r, "Delete my account", "settings"), "", accounts.RetireDays))
}

// deleteAccount checks the limit and the password, then deletes and ends
// the session: the cookie is cleared whatever happens after the password.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	in, err := readForm[deleteAccountForm](w, r)
	if err != nil {
		return err
	}
	if err := s.limit(r, "login", u.Username); err != nil { // a password guess, like a login
		return err
	}
	if err := s.accounts.DeleteAccount(r.Context(), u, in.Password); err != nil {
		return err
	}
	sess, _ := s.sessionStore().New(r, s.cookie)
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	return sess.Save(r, w)
}

func (s *Server) deleteAccountSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.deleteAccount(w, r); err != nil {
		e := s.errorReply(w, r, err)
		s.render(w, r, e.status, views.DeleteAccountPage(s.page(r, "Delete my account", "settings"), e.message, accounts.RetireDays))
		return
	}
	redirect(w, r, "/login", "account-deleted")
}

func (s *Server) apiDeleteAccount(w http.ResponseWriter, r *http.Request) {
	if err := s.deleteAccount(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
