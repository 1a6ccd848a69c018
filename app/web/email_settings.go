package web

import (
	"net/http"
	"time"

	"imageapp/views"
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

// pendingEmail is the address this session waits to confirm, or "".
func (s *Server) pendingEmail(r *http.Request) string {
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

// requestEmail checks the limit (a password guess, like a login) and asks
// for the code.
func (s *Server) requestEmail(w http.ResponseWriter, r *http.Request) (string, error) {
	u, _ := currentUser(r)
	in, err := readForm[emailRequestForm](w, r)
	if err != nil {
		return "", err
	}
	if err := s.limit(r, "login", u.Username); err != nil {
		return "", err
	}
	if err := s.limitCodeMail(r, u.Username); err != nil {
		return "", err
	}
	if err := s.accounts.RequestEmailChange(s.asking(r, u.Username), u, in.Password, in.NewEmail); err != nil {
		return "", err
	}
	return in.NewEmail, s.setPendingEmail(w, r, in.NewEmail)
}

// confirmEmail takes the code and, on success, forgets the waiting address.
func (s *Server) confirmEmail(w http.ResponseWriter, r *http.Request) (string, error) {
	u, _ := currentUser(r)
	in, err := readForm[emailConfirmForm](w, r)
	if err != nil {
		return "", err
	}
	if err := s.limit(r, "login", u.Username); err != nil {
		return "", err
	}
	after, err := s.accounts.ConfirmEmailChange(s.asking(r, u.Username), u, in.Password, in.Code)
	if err != nil {
		return "", err
	}
	return after.Email, s.setPendingEmail(w, r, "")
}

func (s *Server) cancelEmail(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	if err := s.accounts.CancelEmailChange(r.Context(), u); err != nil {
		return err
	}
	return s.setPendingEmail(w, r, "")
}

// withEmailChange hands the email card the address and the waiting one.
func (s *Server) withEmailChange(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, _ := currentUser(r)
		ec := views.EmailChange{Current: u.Email, Pending: s.pendingEmail(r)}
		if prev, ok := views.EmailChangeOf(r.Context()); ok {
			ec.Error, ec.Field = prev.Error, prev.Field
		}
		next(w, r.WithContext(views.WithEmailChange(r.Context(), ec)))
	}
}

// emailPageReply re-renders the settings page with err in the email card
// (field names the input to focus), or redirects with flash.
func (s *Server) emailPageReply(w http.ResponseWriter, r *http.Request, err error, field, flash string) {
	if err == nil {
		redirect(w, r, "/settings#email", flash)
		return
	}
	e := s.errorReply(w, r, err)
	ctx := views.WithEmailChange(r.Context(), views.EmailChange{Error: e.message, Field: field})
	s.settingsCards(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, e.status, views.SettingsPage(s.page(r, "Settings", "settings"), s.mailSettings(r)))
	})(w, r.WithContext(ctx))
}

func (s *Server) emailSubmit(w http.ResponseWriter, r *http.Request) {
	_, err := s.requestEmail(w, r)
	s.emailPageReply(w, r, err, "new_email", "email-code-sent")
}

func (s *Server) emailConfirmSubmit(w http.ResponseWriter, r *http.Request) {
	_, err := s.confirmEmail(w, r)
	s.emailPageReply(w, r, err, "code", "email-changed")
}

func (s *Server) emailCancelSubmit(w http.ResponseWriter, r *http.Request) {
	s.emailPageReply(w, r, s.cancelEmail(w, r), "", "email-cancelled")
}

type emailJSON struct {
	Address string `json:"address"`
	Pending string `json:"pending"` // "" when no change waits
}

func (s *Server) writeEmailJSON(w http.ResponseWriter, r *http.Request, status int, address, pending string) {
	s.writeJSON(w, r, status, struct {
		Email emailJSON `json:"email"`
	}{emailJSON{Address: address, Pending: pending}})
}

// apiEmail is GET /api/me/email: the address and the one waiting for its code.
func (s *Server) apiEmail(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	s.writeEmailJSON(w, r, http.StatusOK, u.Email, s.pendingEmail(r))
}

// apiEmailRequest is POST /api/me/email {"new_email", "password"}: 202.
func (s *Server) apiEmailRequest(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	pending, err := s.requestEmail(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeEmailJSON(w, r, http.StatusAccepted, u.Email, pending)
}

// apiEmailConfirm is POST /api/me/email/confirm {"code", "password"}: 200.
func (s *Server) apiEmailConfirm(w http.ResponseWriter, r *http.Request) {
	email, err := s.confirmEmail(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeEmailJSON(w, r, http.StatusOK, email, "")
}

// apiEmailCancel is POST /api/me/email/cancel: 200.
func (s *Server) apiEmailCancel(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	if err := s.cancelEmail(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.writeEmailJSON(w, r, http.StatusOK, u.Email, "")
}
