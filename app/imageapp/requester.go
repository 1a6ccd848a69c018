package imageapp

import (
	"context"
	"errors"
)

// Requester is who asks for an emailed code, or tries one: the web layer
// names it, the identity port charges wrong codes to it. A code's requester
// is not held back by wrong codes from anyone else (see app/README.md, "Codes").
type Requester struct {
	// Key is opaque and stable for one client: a browser's device ID when it
	// has logged in as the username before, else the client's address.
	Key string
	// KnownDevice says Key is such a browser: its owner's, or someone who
	// had the password.
	KnownDevice bool
}

type requesterKey struct{}

// WithRequester returns ctx carrying who makes the request.
func WithRequester(ctx context.Context, r Requester) context.Context {
	return context.WithValue(ctx, requesterKey{}, r)
}

// RequesterOf is who makes the request ctx belongs to; the zero Requester
// when nobody said (a script calling the port directly).
func RequesterOf(ctx context.Context) Requester {
	r, _ := ctx.Value(requesterKey{}).(Requester)
	return r
}

// IsCodeRefused tells the answers an identity port gives a code that does
// not confirm an account or reset its password, whatever the reason: no such
// account, confirmed already, a wrong, expired or spent code. The account
// service turns all of them into ErrCodeNotAccepted, so that trying a code
// does not tell who has an account.
func IsCodeRefused(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if _, waits := RetryAfter(err); waits {
		return false // a budget with a wait is the same for every username
	}
	switch e.Code {
	case EINVALID:
		return !errors.Is(err, ErrPasswordPolicy()) // the new password's fault, not the code's
	case ENOTFOUND:
		return true
	case ERATELIMITED:
		return errors.Is(err, ErrTooManyWrongCodes()) // one code spent, not a wait
	}
	return false
}
