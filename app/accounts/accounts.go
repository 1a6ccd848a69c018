// Package accounts is the one place where account rules are decided:
// sign-up, email confirmation, login (with lazy provisioning), password
// reset (which ends every session), logout everywhere, and the people
// directory. Like package messaging it talks only to the ports of package
// imageapp, so both backends share every rule written here.
package accounts

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"imageapp/app/imageapp"
)

// Service runs the account rules over the ports.
type Service struct {
	Identity imageapp.Identity
	Users    Directory
	Sessions imageapp.SessionVersions

	// Provision runs post-confirmation provisioning for a user whose trigger
	// failed or has not run yet.
	Provision imageapp.Provisioner
	Log       *slog.Logger

	// Keys and Notifier are what account deletion destroys besides the
	// account: the user's key and their notification topic. Mailbox
	// removes the messages sent to them.
	Keys     imageapp.Keys
	Notifier imageapp.Notifier
	Mailbox  interface {
		PurgeReceived(ctx context.Context, userID string) (int, error)
	}
	// Events carries the news that sessions ended to the user's open
	// event streams, on every instance (nil: there are none to tell).
	Events imageapp.Events
	// SignIn is what else deletion forgets: two-factor, passkeys, push
	// subscriptions (signin.go).
	SignIn SignInStores
	Now    func() time.Time
}

// Directory is the part of the directory the account rules use: the
// entries, and the retirement of a deleted account's name (never the
// social graph, which is messaging's).
type Directory interface {
	imageapp.Users
	imageapp.NameRetirement
}

const (
	// MaxSearchLength bounds a directory search.
	MaxSearchLength = 64
	// PeoplePageSize is how many people one directory page lists.
	PeoplePageSize = 50
)

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// The methods that send or check a code take who asks (imageapp.Requester)
// and hand it to the identity port, which charges wrong codes to it and
// refuses the zero Requester.

// SignUp creates an unconfirmed account and mails a confirmation code.
// Returns EINVALID for input that breaks the rules, ECONFLICT for a
// username that is taken, looks like one that is taken, or is retired.
//
// Whether the name is free is the identity port's to decide, not checked
// here first: it claims the name in the same transaction or conditional
// write that checks it, and a deletion retires its name before its login
// goes, so no deletion running meanwhile can slip in between.
func (s *Service) SignUp(ctx context.Context, who imageapp.Requester, in imageapp.SignUpInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	return s.Identity.SignUp(ctx, who, in)
}

// Confirm confirms the account with the mailed code (and provisions it).
// Every code that does not work gets one answer, ErrCodeNotAccepted, whether
// the account is unknown, confirmed already or waiting with another code, so
// that trying codes does not tell who has an account. Returns EINVALID for a
// code that is not 6 digits, ERATELIMITED (with a wait) after too many.
func (s *Service) Confirm(ctx context.Context, who imageapp.Requester, username, code string) error {
	if err := imageapp.ValidateCode(code); err != nil {
		return err
	}
	return codeAnswer(s.Identity.Confirm(ctx, who, username, code))
}

// ResendCode mails a fresh confirmation code to an account waiting for
// confirmation. An unknown or confirmed account gets the same answer (the
// identity port does the same work for it). Returns EINVALID without a username.
func (s *Service) ResendCode(ctx context.Context, who imageapp.Requester, username string) error {
	if username == "" {
		return imageapp.Errorf(imageapp.EINVALID, "Enter your username to get a new code.")
	}
	err := s.Identity.ResendCode(ctx, who, username)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND || imageapp.ErrorMessage(err) == imageapp.ErrAlreadyConfirmed().Message {
		return nil // no such account, or confirmed already: nothing to send, and nothing to tell
	}
	return err
}

// codeAnswer makes every refusal of a code the same answer.
func codeAnswer(err error) error {
	if imageapp.IsCodeRefused(err) {
		return fmt.Errorf("%w (%v)", imageapp.ErrCodeNotAccepted(), err)
	}
	return err
}

// Login checks the password and returns the user, provisioning them now if
// their post-confirmation step has not run. Returns EUNAUTHORIZED for a
// wrong password or unknown user, EUNCONFIRMED before confirmation.
func (s *Service) Login(ctx context.Context, who imageapp.Requester, username, password string) (imageapp.User, error) {
	p, err := s.Identity.Login(ctx, who, username, password)
	if err != nil {
		return imageapp.User{}, err
	}
	u, err := s.Users.UserByID(ctx, p.ID)
	if err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		return u, err
	}
	if err != nil || !u.Provisioned() {
		s.log().InfoContext(ctx, "provisioning user lazily at login", "user_id", p.ID)
		return s.Provision(ctx, imageapp.User{ID: p.ID, Username: p.Username, Email: p.Email})
	}
	return u, nil
}

// ForgotPassword mails a reset code; unknown users get the same answer.
// Returns EINVALID for a name that cannot be a username.
func (s *Service) ForgotPassword(ctx context.Context, who imageapp.Requester, username string) error {
	if err := imageapp.ValidateUsername(username); err != nil {
		return err
	}
	return s.Identity.ForgotPassword(ctx, who, username)
}

// ResetPassword sets a new password with the mailed code and ends every
// session opened with the old one. Returns EINVALID for a wrong code or a
// password that breaks the policy.
func (s *Service) ResetPassword(ctx context.Context, who imageapp.Requester, username, code, password string) error {
	if err := imageapp.ValidateCode(code); err != nil {
		return err
	}
	if err := imageapp.ValidatePassword(password); err != nil {
		return err
	}
	if err := s.Identity.ResetPassword(ctx, who, username, code, password); err != nil {
		return codeAnswer(err)
	}
	u, err := s.Users.UserByUsername(ctx, username)
	switch {
	case err == nil:
		return s.endAllSessions(ctx, u.ID)
	case imageapp.ErrorCode(err) == imageapp.ENOTFOUND:
		return nil // never provisioned: no session was ever opened
	default:
		return err
	}
}

// SessionUser loads the user a session names, if the session is still
// theirs: the same ID and session version. Returns ENOTFOUND otherwise.
func (s *Service) SessionUser(ctx context.Context, id, username string, version int64) (imageapp.User, error) {
	// By username, the users table's key: one strongly consistent read on
	// DynamoDB, where by ID is an index query and then that read.
	u, err := s.Users.UserByUsername(ctx, username)
	if err != nil {
		return u, err
	}
	if u.ID != id || u.SessionVersion != version { // ended by a logout or a password change
		return imageapp.User{}, imageapp.Errorf(imageapp.ENOTFOUND, "The session has ended.")
	}
	return u, nil
}

// People is one page of the directory as viewer sees it: everyone but
// themselves, in username order, only those whose username starts with
// search (any case) when it is not empty. Returns EINVALID for an over-long
// search or a cursor of another search.
func (s *Service) People(ctx context.Context, viewer imageapp.User, search, cursor string) (imageapp.UserPage, error) {
	if len(search) > MaxSearchLength {
		return imageapp.UserPage{}, imageapp.Errorf(imageapp.EINVALID, "Search for at most %d characters.", MaxSearchLength)
	}
	page, err := s.Users.ListUsers(ctx, imageapp.UserQuery{Search: strings.TrimSpace(search), Cursor: cursor, Limit: PeoplePageSize})
	if err != nil {
		return page, err
	}
	others := page.Users[:0]
	for _, u := range page.Users {
		if u.ID != viewer.ID {
			others = append(others, u)
		}
	}
	page.Users = others
	return page, nil
}
