package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"

	"imageapp/app/imageapp"
	"imageapp/app/ratelimit"
)

// Two-factor sign-in (package twofactor) splits a login in two: a right
// password for a user who turned it on starts no session; it answers with
// a code step, and the session starts when the code from the authenticator
// app (or a recovery code) is right. Between the two the browser or the
// client holds a token: the twofactor service's pending login (server-side,
// five minutes, a few wrong codes), wrapped with the login form's "keep me
// signed in" and signed and encrypted with the session cookie's keys, so
// the choice is carried through and cannot be swapped.

// TwoFactor is what the core asks of the two-factor service at login.
type TwoFactor interface {
	Enabled(ctx context.Context, u imageapp.User) (bool, error)
	StartLogin(ctx context.Context, u imageapp.User) (string, error)
	FinishLogin(ctx context.Context, token, code string) (imageapp.User, error)
}

// SecondStep is LogIn's answer when the password was right and the user
// has two-factor on: no session yet; Token goes to LogInCode with the code.
type SecondStep struct {
	Token string
}

func (e *SecondStep) Error() string { return "web: login needs the second factor" }

// pendingName is the securecookie name the code-step token is signed under.
const pendingName = "imageapp-2fa"

// pendingTTL bounds the signed token; the twofactor service's own pending
// login lasts as long (twofactor.PendingLoginTTL).
const pendingTTL = 5 * time.Minute

// pendingMark is what the code-step token carries.
type pendingMark struct {
	Token string // the twofactor service's pending login
	Keep  bool   // "keep me signed in on this device"
	At    int64  // when the password was right, Unix seconds
}

type codeForm struct {
	Token string `form:"token"`
	Code  string `form:"code"`
	Next  string `form:"next"`
}

// secondStep starts the code step for u, whose password was right.
func (s *Server) secondStep(ctx context.Context, u imageapp.User, keep bool) (*SecondStep, error) {
	token, err := s.twoFactor.StartLogin(ctx, u)
	if err != nil {
		return nil, err
	}
	signed, err := securecookie.EncodeMulti(pendingName, pendingMark{Token: token, Keep: keep, At: s.now().Unix()}, s.sessionStore().Codecs...)
	if err != nil {
		return nil, err
	}
	return &SecondStep{Token: signed}, nil
}

// needsSecondStep reports whether u's login asks for a code.
func (s *Server) needsSecondStep(ctx context.Context, u imageapp.User) (bool, error) {
	if s.twoFactor == nil {
		return false, nil
	}
	return s.twoFactor.Enabled(ctx, u)
}

// LogInCode is the second step of a login (POST /login/code and its JSON
// twin): the token LogIn gave and a code. Wrong codes are limited per user
// by the twofactor service, and per client address by login's own bucket.
// On success the session starts, kept signed in if the login form asked.
func (s *Server) LogInCode(w http.ResponseWriter, r *http.Request) (codeForm, imageapp.User, error) {
	f, err := ReadForm[codeForm](w, r)
	if err != nil {
		return f, imageapp.User{}, err
	}
	if s.twoFactor == nil {
		return f, imageapp.User{}, imageapp.Errorf(imageapp.ENOTFOUND, "Two-factor sign-in is not available here.")
	}
	if f.Token == "" || f.Code == "" {
		return f, imageapp.User{}, imageapp.Errorf(imageapp.EINVALID, "Type the 6-digit code from your authenticator app, or a recovery code.")
	}
	again := imageapp.Errorf(imageapp.EUNAUTHORIZED, "That sign-in expired. Enter your username and password again.")
	var mark pendingMark
	if err := securecookie.DecodeMulti(pendingName, f.Token, &mark, s.sessionStore().Codecs...); err != nil {
		return f, imageapp.User{}, again
	}
	if age := s.now().Sub(time.Unix(mark.At, 0)); age < 0 || age > pendingTTL {
		return f, imageapp.User{}, again
	}
	if err := s.Limit(r, "login", ""); err != nil {
		return f, imageapp.User{}, err
	}
	u, err := s.twoFactor.FinishLogin(r.Context(), mark.Token, f.Code)
	if err != nil {
		return f, u, err
	}
	if err := s.startSession(w, r, u, mark.Keep); err != nil {
		return f, u, err
	}
	s.rememberDevice(w, r, u.Username)
	return f, u, nil
}

// secondStepOrErr is LogIn's refusal to start a session yet: the
// *SecondStep to answer with, or the error that stopped it.
func (s *Server) secondStepOrErr(ctx context.Context, u imageapp.User, keep bool) error {
	step, err := s.secondStep(ctx, u, keep)
	if err != nil {
		return err
	}
	return step
}

// WithTwoFactor makes login ask a code after the password of whoever
// turned two-factor on.
func (s *Server) WithTwoFactor(t TwoFactor) *Server {
	s.twoFactor = t
	return s
}

// LoginRule is the per-user bucket's rule of login: the two-factor
// service bounds the codes tried for one user by it, so a code is guessed
// no faster than a password.
func (s *Server) LoginRule() ratelimit.Rule { return s.rules.PerUser }

// TwoFactorForm is what the settings' two-factor actions take: the code
// that confirms a new app, or the password and a code that turn it off.
type TwoFactorForm struct {
	Password string `form:"password,raw"`
	Code     string `form:"code"`
}

// ReadTwoFactorForm reads a two-factor setting's fields and charges the
// try to login's limits (this client's and this person's buckets): a code
// or password guessed here is guessed no faster than at login.
func (s *Server) ReadTwoFactorForm(w http.ResponseWriter, r *http.Request) (TwoFactorForm, error) {
	f, err := ReadForm[TwoFactorForm](w, r)
	if err != nil {
		return f, err
	}
	u, _ := CurrentUser(r)
	return f, s.Limit(r, "login", u.Username)
}

// SettingRefused is a two-factor setting's error as the signed-in person
// gets it: a wrong password or code is 403, never the 401 that would read
// as a session that ended.
func SettingRefused(err error) error {
	if imageapp.ErrorCode(err) != imageapp.EUNAUTHORIZED {
		return err
	}
	msg := imageapp.ErrorMessage(err)
	if msg == imageapp.ErrWrongLogin().Message {
		msg = "That password is not right."
	}
	return fmt.Errorf("%w (%v)", imageapp.Errorf(imageapp.EFORBIDDEN, "%s", msg), err)
}
