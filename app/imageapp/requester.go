package imageapp

import (
	"errors"
)

// Requester is who asks for an emailed code, or tries one: the web layer
// names it, the identity port charges wrong codes to it. A code's requester
// is not held back by wrong codes from anyone else (see app/README.md, "Codes").
//
// It is an argument of every identity port method that sends or checks a
// code (and of the account service's twins), so no call can leave it out.
// Its fields are unexported: a Requester is made by ByAddress, ByDevice or
// Tool, which never make the zero one; the zero Requester names nobody and
// every identity port refuses it (ErrNoRequester).
type Requester struct {
	// key is opaque and stable for one client: a browser's device ID when it
	// has logged in as the username before, else the client's address.
	key string
	// knownDevice says key is such a browser: its owner's, or someone who
	// had the password.
	knownDevice bool
	// addr is the client's address as the web layer reads it, "" when
	// unknown: an identity provider that judges sign-ins by where they come
	// from (Cognito's threat protection) is told it.
	addr string
}

// ByAddress is a client known by its address only (ip, as the web layer
// reads it; "" is a client whose address could not be read, all of them
// one requester).
func ByAddress(ip string) Requester {
	return Requester{key: "ip:" + ip, addr: ip}
}

// ByDevice is a browser that has logged in as the username before: its
// device ID (from the device cookie), and its address (ip, "" if unknown).
func ByDevice(id, ip string) Requester {
	return Requester{key: "device:" + id, knownDevice: true, addr: ip}
}

// Tool is a program that calls the identity port itself (a test, a
// benchmark, an operator's command), by its name.
func Tool(name string) Requester {
	return Requester{key: "tool:" + name}
}

// Key is opaque and stable for one requester; the identity port keys the
// wrong codes it tries by it.
func (r Requester) Key() string { return r.key }

// Address is the client's address, "" when unknown (a Tool, or an
// address the web layer could not read).
func (r Requester) Address() string { return r.addr }

// KnownDevice says r is a browser that has logged in as the username
// before (ByDevice): its owner's, or someone who had the password.
func (r Requester) KnownDevice() bool { return r.knownDevice }

// Check returns ErrNoRequester for the zero Requester.
func (r Requester) Check() error {
	if r.key == "" {
		return ErrNoRequester()
	}
	return nil
}

// ErrNoRequester is a code sent or tried on behalf of nobody: a caller
// that passed the zero Requester (EINTERNAL: a fault of the program, not of
// the person asking). errors.Is finds it.
func ErrNoRequester() *Error {
	e := Errorf(EINTERNAL, "Something went wrong on our side. Please try again.")
	e.kind = "no-requester"
	return e
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
