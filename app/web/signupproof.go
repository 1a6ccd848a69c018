package web

import (
	"net/http"
	"strings"
	"time"
)

// The browser that signed up is signed in when its code is confirmed: the
// sign-up form had the password, the code proves the address. What tells
// that browser from any other is a proof of the sign-up kept in a cookie of
// its own, signed and encrypted with the session cookie's keys, for
// signUpProofFor. A code confirmed without it (another browser, a script)
// confirms the account, and the person logs in as before.

// signUpProofFor is how long after signing up confirming the code still
// signs the browser in.
const signUpProofFor = time.Hour

// signUpCookie names the cookie holding the proof.
func (s *Server) signUpCookie() string { return s.cookie + "-signup" }

// rememberSignUp gives the browser a proof that it signed up as username.
func (s *Server) rememberSignUp(w http.ResponseWriter, r *http.Request, username string) error {
	sess, _ := s.sessionStore().New(r, s.signUpCookie()) // a decode error only means no usable old proof
	sess.Values = map[any]any{"name": username, "at": s.now().Unix()}
	sess.Options.MaxAge = int(signUpProofFor / time.Second)
	return sess.Save(r, w)
}

// signedUpAs reports whether the browser holds a live proof that it signed
// up as username.
func (s *Server) signedUpAs(r *http.Request, username string) bool {
	sess, err := s.sessionStore().Get(r, s.signUpCookie())
	if err != nil || sess.IsNew {
		return false
	}
	name, _ := sess.Values["name"].(string)
	at, _ := sess.Values["at"].(int64)
	age := s.now().Sub(time.Unix(at, 0))
	return name != "" && strings.EqualFold(name, username) && age >= 0 && age <= signUpProofFor
}

// forgetSignUp clears the proof: it has been used.
func (s *Server) forgetSignUp(w http.ResponseWriter, r *http.Request) error {
	sess, _ := s.sessionStore().New(r, s.signUpCookie())
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	return sess.Save(r, w)
}

// signInConfirmed starts the session of the browser that signed up as
// username, whose code was just confirmed. It reports whether it did: not
// for another browser, nor when the account cannot be loaded yet (the
// account is confirmed all the same, and the person logs in).
func (s *Server) signInConfirmed(w http.ResponseWriter, r *http.Request, username string) bool {
	if !s.signedUpAs(r, username) {
		return false
	}
	u, err := s.accounts.ConfirmedUser(r.Context(), username)
	if err != nil {
		s.log.WarnContext(r.Context(), "sign in after confirmation: sent to login", "err", err)
		return false
	}
	if err := s.startSession(w, r, u, false); err != nil {
		s.log.ErrorContext(r.Context(), "sign in after confirmation: sent to login", "err", err)
		return false
	}
	s.rememberDevice(w, r, u.Username) // a known browser, as after a login (device.go)
	if err := s.forgetSignUp(w, r); err != nil {
		s.log.ErrorContext(r.Context(), "clear the sign-up proof", "err", err) // it expires within the hour, and cannot confirm twice
	}
	return true
}
