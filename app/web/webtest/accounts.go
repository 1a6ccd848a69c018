package webtest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/web"
)

// Accounts is the account service with one person, Bob, whose password
// is Password. It records each call as "Method args…" and answers
// Refuse[Method] (nil when not set) before anything else; a wrong password
// is refused as the service's contract says. It serves web.Accounts and
// the clients' narrower Accounts ports alike; a method it does not have
// panics through the nil interface it embeds.
type Accounts struct {
	web.Accounts

	Refuse   map[string]error
	Calls    []string
	Sessions []imageapp.Session // what ListSessions answers
	Started  []imageapp.Session // the sessions started, in order
	Privacy  []imageapp.Privacy // the privacy settings saved, in order
	NewEmail string             // the address ConfirmEmailChange makes Bob's
}

func (a *Accounts) call(method string, args ...any) error {
	a.Calls = append(a.Calls, strings.TrimSpace(method+" "+fmt.Sprintln(args...)))
	return a.Refuse[method]
}

// Called reports whether call was made: a method with those arguments, or
// with any when call names only the method.
func (a *Accounts) Called(call string) bool {
	for _, c := range a.Calls {
		if c == call || strings.HasPrefix(c, call+" ") {
			return true
		}
	}
	return false
}

func (a *Accounts) SignUp(_ context.Context, _ imageapp.Requester, in imageapp.SignUpInput) error {
	return a.call("SignUp", in.Username, in.Email)
}

func (a *Accounts) Confirm(_ context.Context, _ imageapp.Requester, username, code string) error {
	return a.call("Confirm", username, code)
}

func (a *Accounts) ConfirmedUser(_ context.Context, username string) (imageapp.User, error) {
	return imageapp.User{ID: "u-" + username, Username: username}, a.call("ConfirmedUser", username)
}

func (a *Accounts) ResendCode(_ context.Context, _ imageapp.Requester, username string) error {
	return a.call("ResendCode", username)
}

func (a *Accounts) Login(_ context.Context, _ imageapp.Requester, username, password string) (imageapp.User, error) {
	if err := a.call("Login", username); err != nil {
		return imageapp.User{}, err
	}
	if username != Bob().Username || password != Password {
		return imageapp.User{}, imageapp.ErrWrongLogin()
	}
	return Bob(), nil
}

func (a *Accounts) StartSession(_ context.Context, _ imageapp.User, s imageapp.Session) error {
	a.Started = append(a.Started, s)
	return a.call("StartSession")
}

// ActiveSession answers Bob for a session he started here.
func (a *Accounts) ActiveSession(_ context.Context, id, _, sid string, _ int64) (imageapp.User, imageapp.Session, error) {
	for _, s := range a.Started {
		if s.ID == sid && id == Bob().ID {
			return Bob(), s, nil
		}
	}
	return imageapp.User{}, imageapp.Session{}, imageapp.Errorf(imageapp.ENOTFOUND, "no such session")
}

// TouchSession is not recorded: every signed-in request may make it.
func (a *Accounts) TouchSession(context.Context, imageapp.User, string, time.Time) error { return nil }

func (a *Accounts) EndSession(_ context.Context, _ imageapp.User, sid string) error {
	return a.call("EndSession", sid)
}

func (a *Accounts) ListSessions(context.Context, imageapp.User) ([]imageapp.Session, error) {
	return a.Sessions, a.call("ListSessions")
}

func (a *Accounts) EndOtherSessions(_ context.Context, _ imageapp.User, current string) error {
	return a.call("EndOtherSessions", current)
}

func (a *Accounts) ForgotPassword(_ context.Context, _ imageapp.Requester, username string) error {
	return a.call("ForgotPassword", username)
}

// ResetPassword checks the new password's policy before the code, as the
// service does.
func (a *Accounts) ResetPassword(_ context.Context, _ imageapp.Requester, username, code, password string) error {
	if err := imageapp.ValidatePassword(password); err != nil {
		return err
	}
	return a.call("ResetPassword", username, code)
}

// ChangePassword refuses a wrong current password with EFORBIDDEN (the
// session stands), as accounts.Service does. It records both passwords, so
// a test can tell that the form's fields reached it.
func (a *Accounts) ChangePassword(_ context.Context, u imageapp.User, current, next string) (imageapp.User, error) {
	if err := a.call("ChangePassword", current, next); err != nil {
		return imageapp.User{}, err
	}
	if current != Password {
		return imageapp.User{}, imageapp.Errorf(imageapp.EFORBIDDEN, "That is not your current password.")
	}
	return u, nil
}

func (a *Accounts) RequestEmailChange(_ context.Context, _ imageapp.Requester, _ imageapp.User, _, newEmail string) error {
	return a.call("RequestEmailChange", newEmail)
}

func (a *Accounts) ConfirmEmailChange(_ context.Context, _ imageapp.Requester, u imageapp.User, _, code string) (imageapp.User, error) {
	if err := a.call("ConfirmEmailChange", code); err != nil {
		return imageapp.User{}, err
	}
	u.Email = a.NewEmail
	return u, nil
}

func (a *Accounts) CancelEmailChange(context.Context, imageapp.User) error {
	return a.call("CancelEmailChange")
}

// DeleteAccount refuses a wrong password with EFORBIDDEN (the account and
// the session stand), as accounts.Service does.
func (a *Accounts) DeleteAccount(_ context.Context, _ imageapp.Requester, _ imageapp.User, password string) error {
	if err := a.call("DeleteAccount"); err != nil {
		return err
	}
	if password != Password {
		return imageapp.Errorf(imageapp.EFORBIDDEN, "That password is not right, so the account was not deleted.")
	}
	return nil
}

func (a *Accounts) SetPrivacy(_ context.Context, _ imageapp.User, p imageapp.Privacy) error {
	a.Privacy = append(a.Privacy, p)
	return a.call("SetPrivacy")
}

// People is a directory of Alice alone.
func (a *Accounts) People(_ context.Context, _ imageapp.User, search, cursor string) (imageapp.UserPage, error) {
	return imageapp.UserPage{Users: []imageapp.User{Alice()}}, a.call("People", search, cursor)
}
