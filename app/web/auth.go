package web

import (
	"net/http"
	"net/url"
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

func (s *Server) formOf(r *http.Request, values map[string]string, err error) views.Form {
	f := views.Form{Values: values}
	if err != nil {
		_, _, f.Error = s.describe(r, err)
	}
	return f
}

// --- sign-up ---

func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.SignupPage(s.page(r, "Sign up", "signup"), views.Form{}))
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	in, err := fields(w, r, "username", "email", "password")
	if err != nil {
		return in, err
	}
	in["username"], in["email"] = strings.TrimSpace(in["username"]), strings.TrimSpace(in["email"])
	if err := s.limit(r, "signup", ""); err != nil {
		delete(in, "password")
		return in, err
	}
	err = s.identity.SignUp(r.Context(), imageapp.SignUpInput{Username: in["username"], Email: in["email"], Password: in["password"]})
	delete(in, "password") // never echoed back
	return in, err
}

func (s *Server) signupSubmit(w http.ResponseWriter, r *http.Request) {
	in, err := s.signup(w, r)
	if err != nil {
		s.render(w, r, s.formStatus(w, r, err), views.SignupPage(s.page(r, "Sign up", "signup"), s.formOf(r, in, err)))
		return
	}
	redirect(w, r, "/verify?username="+urlEscape(in["username"]), "signed-up")
}

func (s *Server) apiSignup(w http.ResponseWriter, r *http.Request) {
	in, err := s.signup(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"user": map[string]any{"username": in["username"], "email": in["email"], "confirmed": false}})
}

// --- verify ---

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	f := views.Form{Values: map[string]string{"username": r.URL.Query().Get("username")}}
	s.render(w, r, http.StatusOK, views.VerifyPage(s.page(r, "Confirm your email", ""), f))
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	in, err := fields(w, r, "username", "code")
	if err != nil {
		return in, err
	}
	in["username"], in["code"] = strings.TrimSpace(in["username"]), strings.TrimSpace(in["code"])
	if err := s.limit(r, "verify", in["username"]); err != nil {
		return in, err
	}
	return in, s.identity.Confirm(r.Context(), in["username"], in["code"])
}

func (s *Server) verifySubmit(w http.ResponseWriter, r *http.Request) {
	in, err := s.verify(w, r)
	if err != nil {
		s.render(w, r, s.formStatus(w, r, err), views.VerifyPage(s.page(r, "Confirm your email", ""), s.formOf(r, in, err)))
		return
	}
	redirect(w, r, "/login?username="+urlEscape(in["username"]), "confirmed")
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) {
	in, err := s.verify(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": map[string]any{"username": in["username"], "confirmed": true}})
}

func (s *Server) resend(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	in, err := fields(w, r, "username")
	if err != nil {
		return in, err
	}
	in["username"] = strings.TrimSpace(in["username"])
	if in["username"] == "" {
		return in, imageapp.Errorf(imageapp.EINVALID, "Enter your username to get a new code.")
	}
	if err := s.limit(r, "resend", in["username"]); err != nil {
		return in, err
	}
	return in, s.identity.ResendCode(r.Context(), in["username"])
}

func (s *Server) resendSubmit(w http.ResponseWriter, r *http.Request) {
	in, err := s.resend(w, r)
	if err != nil {
		s.render(w, r, s.formStatus(w, r, err), views.VerifyPage(s.page(r, "Confirm your email", ""), s.formOf(r, in, err)))
		return
	}
	redirect(w, r, "/verify?username="+urlEscape(in["username"]), "resent")
}

func (s *Server) apiResend(w http.ResponseWriter, r *http.Request) {
	if _, err := s.resend(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"sent": true})
}

// --- login / logout ---

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	f := views.Form{Values: map[string]string{"username": r.URL.Query().Get("username"), "next": r.URL.Query().Get("next")}}
	s.render(w, r, http.StatusOK, views.LoginPage(s.page(r, "Log in", "login"), f, false))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) (map[string]string, imageapp.User, error) {
	in, err := fields(w, r, "username", "password")
	if err != nil {
		return in, imageapp.User{}, err
	}
	in["username"] = strings.TrimSpace(in["username"])
	if err := s.limit(r, "login", in["username"]); err != nil {
		delete(in, "password")
		return in, imageapp.User{}, err
	}
	p, err := s.identity.Login(r.Context(), in["username"], in["password"])
	delete(in, "password")
	if err != nil {
		return in, imageapp.User{}, err
	}
	u, err := s.startSession(w, r, p)
	if err == nil {
		s.rememberDevice(w, r, u.Username)
	}
	return in, u, err
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	in, _, err := s.login(w, r)
	if err != nil {
		unconfirmed := imageapp.ErrorCode(err) == imageapp.EUNCONFIRMED
		s.render(w, r, s.formStatus(w, r, err), views.LoginPage(s.page(r, "Log in", "login"), s.formOf(r, in, err), unconfirmed))
		return
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	_, u, err := s.login(w, r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userJSON(u, true)})
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

// --- password reset ---

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.ForgotPage(s.page(r, "Reset password", ""), views.Form{}))
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	in, err := fields(w, r, "username")
	if err != nil {
		return in, err
	}
	in["username"] = strings.TrimSpace(in["username"])
	if err := imageapp.ValidateUsername(in["username"]); err != nil {
		return in, err
	}
	if err := s.limit(r, "forgot", in["username"]); err != nil {
		return in, err
	}
	return in, s.identity.ForgotPassword(r.Context(), in["username"])
}

func (s *Server) forgotSubmit(w http.ResponseWriter, r *http.Request) {
	in, err := s.forgot(w, r)
	if err != nil {
		s.render(w, r, s.formStatus(w, r, err), views.ForgotPage(s.page(r, "Reset password", ""), s.formOf(r, in, err)))
		return
	}
	redirect(w, r, "/reset?username="+urlEscape(in["username"]), "reset-sent")
}

func (s *Server) apiForgot(w http.ResponseWriter, r *http.Request) {
	if _, err := s.forgot(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"sent": true})
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) {
	f := views.Form{Values: map[string]string{"username": r.URL.Query().Get("username")}}
	s.render(w, r, http.StatusOK, views.ResetPage(s.page(r, "Reset password", ""), f))
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	in, err := fields(w, r, "username", "code", "password")
	if err != nil {
		return in, err
	}
	in["username"], in["code"] = strings.TrimSpace(in["username"]), strings.TrimSpace(in["code"])
	if err := s.limit(r, "reset", in["username"]); err != nil {
		delete(in, "password")
		return in, err
	}
	err = s.identity.ResetPassword(r.Context(), in["username"], in["code"], in["password"])
	delete(in, "password")
	if err != nil {
		return in, err
	}
	// A new password ends every session opened with the old one.
	if u, err := s.users.UserByUsername(r.Context(), in["username"]); err == nil {
		return in, s.versions.BumpSessionVersion(r.Context(), u.ID)
	} else if imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		return in, err
	}
	return in, nil
}

func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) {
	in, err := s.reset(w, r)
	if err != nil {
		s.render(w, r, s.formStatus(w, r, err), views.ResetPage(s.page(r, "Reset password", ""), s.formOf(r, in, err)))
		return
	}
	redirect(w, r, "/login?username="+urlEscape(in["username"]), "reset-done")
}

func (s *Server) apiReset(w http.ResponseWriter, r *http.Request) {
	if _, err := s.reset(w, r); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func userJSON(u imageapp.User, private bool) map[string]any {
	out := map[string]any{"id": u.ID, "username": u.Username}
	if private {
		out["email"] = u.Email
	}
	return out
}

func urlEscape(s string) string { return url.QueryEscape(s) }
