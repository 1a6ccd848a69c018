package pages

import (
	"net/http"

	"imageapp/app/imageapp"
	"imageapp/app/web"
	"imageapp/views"
)

// Home is GET /.
func (s *Handlers) Home(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.SessionUser(w, r); ok {
		http.Redirect(w, r, "/inbox", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// LoginPage is GET /login.
func (s *Handlers) LoginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := views.Form{Username: q.Get("username"), Next: q.Get("next")}
	s.Render(w, r, http.StatusOK, views.LoginPage(s.frame(r, "Log in", "login"), f, false))
}

// LoginSubmit is POST /login.
func (s *Handlers) LoginSubmit(w http.ResponseWriter, r *http.Request) {
	f, _, err := s.LogIn(w, r)
	if s.loginCode(w, r, err, f.Next) {
		return
	}
	if err != nil {
		e := s.ErrorReply(w, r, err)
		unconfirmed := imageapp.ErrorCode(err) == imageapp.EUNCONFIRMED
		form := views.Form{Username: f.Username, Next: f.Next, Error: e.Message}
		s.Render(w, r, e.Status, views.LoginPage(s.frame(r, "Log in", "login"), form, unconfirmed))
		return
	}
	// Not http.Redirect: it cleans the path again, which could turn what
	// web.LocalPath checked into something else ("/./\x" into "/\x").
	w.Header().Set("Location", web.LocalPath(f.Next))
	w.WriteHeader(http.StatusSeeOther)
}

// LogoutSubmit is POST /logout.
func (s *Handlers) LogoutSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.LogOut(w, r); err != nil {
		s.Fail(w, r, err)
		return
	}
	web.Redirect(w, r, "/login", "logged-out")
}

// ForgotPage is GET /forgot.
func (s *Handlers) ForgotPage(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, views.ForgotPage(s.frame(r, "Reset password", ""), views.Form{}))
}

// ForgotSubmit is POST /forgot.
func (s *Handlers) ForgotSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.ForgotPassword(w, r)
	if err != nil {
		e := s.ErrorReply(w, r, err)
		form := views.Form{Username: f.Username, Error: e.Message}
		s.Render(w, r, e.Status, views.ForgotPage(s.frame(r, "Reset password", ""), form))
		return
	}
	web.Redirect(w, r, "/reset?username="+web.URLEscape(f.Username), "reset-sent")
}

// ResetPage is GET /reset.
func (s *Handlers) ResetPage(w http.ResponseWriter, r *http.Request) {
	f := views.Form{Username: r.URL.Query().Get("username")}
	s.Render(w, r, http.StatusOK, views.ResetPage(s.frame(r, "Reset password", ""), f))
}

// ResetSubmit is POST /reset.
func (s *Handlers) ResetSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.ResetPassword(w, r)
	if err != nil {
		e := s.ErrorReply(w, r, err)
		form := views.Form{Username: f.Username, Error: e.Message}
		if imageapp.ValidatePassword(f.Password) != nil {
			form.Code = f.Code // the code was not the problem: do not make the person type it again
		}
		s.Render(w, r, e.Status, views.ResetPage(s.frame(r, "Reset password", ""), form))
		return
	}
	web.Redirect(w, r, "/login?username="+web.URLEscape(f.Username), "reset-done")
}

// SignupPage is GET /signup.
func (s *Handlers) SignupPage(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, views.SignupPage(s.frame(r, "Sign up", "signup"), views.Form{}))
}

// SignupSubmit is POST /signup.
func (s *Handlers) SignupSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.SignUp(w, r)
	if err != nil {
		e := s.ErrorReply(w, r, err)
		form := views.Form{Username: f.Username, Email: f.Email, Error: e.Message}
		s.Render(w, r, e.Status, views.SignupPage(s.frame(r, "Sign up", "signup"), form))
		return
	}
	web.Redirect(w, r, "/verify?username="+web.URLEscape(f.Username), "signed-up")
}

// VerifyPage is GET /verify.
func (s *Handlers) VerifyPage(w http.ResponseWriter, r *http.Request) {
	f := views.Form{Username: r.URL.Query().Get("username"), Outbox: s.Outbox()}
	s.Render(w, r, http.StatusOK, views.VerifyPage(s.frame(r, "Confirm your email", ""), f))
}

// VerifySubmit is POST /verify.
func (s *Handlers) VerifySubmit(w http.ResponseWriter, r *http.Request) {
	f, signedIn, err := s.VerifyEmail(w, r)
	if err != nil {
		s.verifyFailed(w, r, f.Username, err)
		return
	}
	if signedIn {
		web.Redirect(w, r, "/inbox", "confirmed-signed-in")
		return
	}
	web.Redirect(w, r, "/login?username="+web.URLEscape(f.Username), "confirmed")
}

// verifyFailed shows the verify page again with the error.
func (s *Handlers) verifyFailed(w http.ResponseWriter, r *http.Request, username string, err error) {
	e := s.ErrorReply(w, r, err)
	form := views.Form{Username: username, Error: e.Message, Outbox: s.Outbox()}
	s.Render(w, r, e.Status, views.VerifyPage(s.frame(r, "Confirm your email", ""), form))
}

// ResendSubmit is POST /verify/resend.
func (s *Handlers) ResendSubmit(w http.ResponseWriter, r *http.Request) {
	f, err := s.ResendCode(w, r)
	if err != nil {
		s.verifyFailed(w, r, f.Username, err)
		return
	}
	web.Redirect(w, r, "/verify?username="+web.URLEscape(f.Username), "resent")
}
