package web

import (
	"net/http"
	"time"
)

// Changing one's email on the settings page: POST /settings/email
// (new_email, password) mails a code to the new address; POST
// /settings/email/confirm (code, password) makes it the account's; POST
// /settings/email/cancel forgets it. JSON twins under /api/me/email.
//
// The confirm step asks for the password again: in AWS mode only a fresh
// sign-in gives the access token Cognito's VerifyUserAttribute needs (the
// app holds no admin right), and keeping a token in the cookie would put a
// bearer secret in the browser. The address waiting for its code is kept
// in this device's session (signed and encrypted, for the code's 24
// hours), so the page can say which address it waits for.

const pendingEmailTTL = 24 * time.Hour // the code's life

type emailRequestForm struct {
	NewEmail string `form:"new_email"`
	Password string `form:"password,raw"`
}

type emailConfirmForm struct {
	Code     string `form:"code"`
	Password string `form:"password,raw"`
}

// PendingEmail is the address this session waits to confirm, or "".
func (s *Server) PendingEmail(r *http.Request) string {
	sess, err := s.sessionStore().Get(r, s.cookie)
	if err != nil {
		return ""
	}
	email, _ := sess.Values["pending_email"].(string)
	at, _ := sess.Values["pending_at"].(int64)
	if s.now().Sub(time.Unix(at, 0)) > pendingEmailTTL {
		return ""
	}
	return email
}

// setPendingEmail remembers (or, with "", forgets) the waiting address.
func (s *Server) setPendingEmail(w http.ResponseWriter, r *http.Request, email string) error {
	sess, err := s.sessionStore().Get(r, s.cookie)
	if err != nil {
		return err
	}
	if email == "" {
		delete(sess.Values, "pending_email")
		delete(sess.Values, "pending_at")
	} else {
		sess.Values["pending_email"] = email
		sess.Values["pending_at"] = s.now().Unix()
	}
	return sess.Save(r, w)
}

// RequestEmail checks the limit (a password guess, like a login) and asks
// for the code.
func (s *Server) RequestEmail(w http.ResponseWriter, r *http.Request) (string, error) {
	u, _ := CurrentUser(r)
	in, err := ReadForm[emailRequestForm](w, r)
	if err != nil {
		return "", err
	}
	if err := s.Limit(r, "login", u.Username); err != nil {
		return "", err
	}
	if err := s.limitCodeMail(r, u.Username); err != nil {
		return "", err
	}
	if err := s.accounts.RequestEmailChange(r.Context(), s.Asking(r, u.Username), u, in.Password, in.NewEmail); err != nil {
		return "", err
	}
	return in.NewEmail, s.setPendingEmail(w, r, in.NewEmail)
}

// ConfirmEmail takes the code and, on success, forgets the waiting address.
func (s *Server) ConfirmEmail(w http.ResponseWriter, r *http.Request) (string, error) {
	u, _ := CurrentUser(r)
	in, err := ReadForm[emailConfirmForm](w, r)
	if err != nil {
		return "", err
	}
	if err := s.Limit(r, "login", u.Username); err != nil {
		return "", err
	}
	after, err := s.accounts.ConfirmEmailChange(r.Context(), s.Asking(r, u.Username), u, in.Password, in.Code)
	if err != nil {
		return "", err
	}
	return after.Email, s.setPendingEmail(w, r, "")
}

func (s *Server) CancelEmail(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	if err := s.accounts.CancelEmailChange(r.Context(), u); err != nil {
		return err
	}
	return s.setPendingEmail(w, r, "")
}
