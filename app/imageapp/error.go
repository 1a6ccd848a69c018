package imageapp

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Error codes a person (or a script) can act on. The web layer maps each to
// one HTTP status in a single table; anything else is an internal error.
const (
	EINVALID      = "invalid"          // bad input: 400
	EUNAUTHORIZED = "unauthorized"     // not logged in or wrong credentials: 401
	EFORBIDDEN    = "forbidden"        // logged in but not allowed: 403
	EUNCONFIRMED  = "unconfirmed"      // email not confirmed yet: 403
	ENOTFOUND     = "not_found"        // missing, or not yours: 404
	ECONFLICT     = "conflict"         // already exists: 409
	ETOOLARGE     = "too_large"        // upload over the cap: 413
	EUNSUPPORTED  = "unsupported_type" // not PNG/JPEG/GIF/WebP/AVIF: 415
	EBADIMAGE     = "invalid_image"    // an image we refuse to process: 422
	ERATELIMITED  = "rate_limited"     // too many attempts: 429
	EINTEGRITY    = "integrity"        // stored ciphertext failed authentication: 500
	EUNAVAILABLE  = "unavailable"      // a backend is down or full: 503
	EQUOTA        = "quota_exceeded"   // the recipient's storage quota is used up: 507
	EINTERNAL     = "internal"         // anything else: 500
)

// Error is an error whose message is safe to show to the user.
type Error struct {
	Code    string
	Message string

	// kind names one error among those of its code, for errors.Is (see Is):
	// its identity, which its wording is not. "" for an error known only by
	// its code.
	kind string
}

// Is reports whether target is an *Error of the same kind as e, so that
// errors.Is(err, ErrPasswordPolicy()) finds that error whatever wraps it and
// whatever its message says.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && e.kind != "" && e.kind == t.kind
}

func (e *Error) Error() string {
	return fmt.Sprintf("imageapp error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted, user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Unknown errors get a
// generic message so internals never leak to the user; they are logged in full.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again."
}

// RetryLater is a rate-limit error that knows how long the wait is, so the
// answer's Retry-After can say it.
type RetryLater struct {
	Err   *Error
	After time.Duration
}

func (r *RetryLater) Error() string { return r.Err.Error() }
func (r *RetryLater) Unwrap() error { return r.Err }

// RetryAfter returns how long err says to wait, if it says.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RetryLater
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

// RateLimited is a 429 that says how long to wait.
func RateLimited(wait time.Duration) *RetryLater {
	secs := int(math.Ceil(wait.Seconds()))
	return &RetryLater{Err: Errorf(ERATELIMITED, "Too many attempts. Try again in %d seconds.", secs), After: wait}
}
