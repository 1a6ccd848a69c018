package imageapp

import (
	"fmt"
	"math"
	"time"
)

// The words a person reads when a backend refuses. Every backend (the
// embedded one in local, the AWS adapters) builds these errors here, so the
// same situation reads the same on each, and a change of wording is made
// once. Each constructor returns a fresh *Error; its code decides the HTTP
// status (see the table in web), so a code here changes only with intent.

// Accounts.

// ErrUsernameTaken is for a sign-up or provisioning whose username another account owns (ECONFLICT).
func ErrUsernameTaken(username string) *Error {
	return Errorf(ECONFLICT, "The username %q is taken. Choose another one.", username)
}

// ErrUsernameTooSimilar is for a sign-up whose username looks like one
// another account holds or that is retired (see UsernameSkeleton); it does
// not say whose (ECONFLICT).
func ErrUsernameTooSimilar(username string) *Error {
	return Errorf(ECONFLICT, "The username %q is too similar to an existing one. Choose another one.", username)
}

// ErrUsernameRetired is for a sign-up whose username, or one like it,
// belonged to an account deleted within the last days days (ECONFLICT).
func ErrUsernameRetired(username string, days int) *Error {
	return Errorf(ECONFLICT, "The username %q belonged to an account deleted recently; it is kept for %d days. Choose another one.", username, days)
}

// ErrNoAccount is for a confirm or resend for a username no account has (ENOTFOUND).
func ErrNoAccount(username string) *Error {
	return Errorf(ENOTFOUND, "There is no account called %q.", username)
}

// ErrAlreadyConfirmed is for a resend of the confirmation code to a confirmed account (EINVALID).
func ErrAlreadyConfirmed() *Error {
	return Errorf(EINVALID, "This account is confirmed already. Log in.")
}

// ErrWrongLogin is the one answer to a login with an unknown username or a wrong password (EUNAUTHORIZED).
func ErrWrongLogin() *Error {
	return Errorf(EUNAUTHORIZED, "The username or password is wrong.")
}

// ErrUnconfirmed is for a login, with the right password, to an account whose email is not confirmed yet (EUNCONFIRMED).
func ErrUnconfirmed() *Error {
	return Errorf(EUNCONFIRMED, "Confirm your email first: enter the code we sent you, or ask for a new one.")
}

// ErrPasswordPolicy is for a password the identity provider refuses although ValidatePassword let it through (EINVALID).
func ErrPasswordPolicy() *Error {
	e := Errorf(EINVALID, "That password does not meet the password policy.")
	e.kind = "password-policy"
	return e
}

// ErrTooManyAttempts is for account calls refused by the identity provider's rate limit, without a known wait (ERATELIMITED).
func ErrTooManyAttempts() *Error {
	return Errorf(ERATELIMITED, "Too many attempts. Wait a while and try again.")
}

// ErrMailFailed is for a confirmation or reset code that could not be emailed (EUNAVAILABLE).
func ErrMailFailed() *Error {
	return Errorf(EUNAVAILABLE, "We could not send the email. Try again later.")
}

// ErrMailUnavailable is for mail the provider refuses to send for now: its
// sending quota is spent, or its mail service throttles (EUNAVAILABLE: the
// server's limit, not the person's, so 503 rather than 429).
func ErrMailUnavailable() *Error {
	return Errorf(EUNAVAILABLE, "Email is unavailable right now. Try again later.")
}

// Emailed codes (confirmation and password reset).

// ErrWrongCode is for a code that does not match the latest one sent (EINVALID).
func ErrWrongCode() *Error {
	return Errorf(EINVALID, "That code is wrong. Check the latest email, or ask for a new code.")
}

// ErrCodeExpired is for the right code entered after it expired (EINVALID).
func ErrCodeExpired() *Error {
	return Errorf(EINVALID, "That code has expired. Ask for a new code.")
}

// ErrWrongOrExpiredCode is for a code that cannot be told wrong from expired: none is outstanding, or the account is unknown (EINVALID).
func ErrWrongOrExpiredCode() *Error {
	return Errorf(EINVALID, "That code is wrong or has expired. Check the latest email, or ask for a new code.")
}

// ErrTooManyWrongCodes is for a code that died after too many wrong tries (ERATELIMITED).
func ErrTooManyWrongCodes() *Error {
	e := Errorf(ERATELIMITED, "Too many wrong codes. Ask for a new code.")
	e.kind = "too-many-wrong-codes"
	return e
}

// ErrCodeNotAccepted is the one answer to a code that did not work, whatever
// the account's state: unknown, confirmed already, a wrong, expired or spent
// code (EINVALID). See IsCodeRefused.
func ErrCodeNotAccepted() *Error {
	return Errorf(EINVALID, "That code did not work: it is wrong, has expired or was used already. "+
		"Check the latest email, or ask for a new code. If your email is confirmed already, log in.")
}

// ErrTooManyMails is for a sign-up whose email address has been sent
// several codes recently (ERATELIMITED; the caller says how long to wait).
func ErrTooManyMails() *Error {
	return Errorf(ERATELIMITED, "We have emailed this address several codes recently. Wait a while before asking for another.")
}

// ErrHashBusy is for a password check refused because too many are running
// at once (EUNAVAILABLE; the caller says how long to wait).
func ErrHashBusy() *Error {
	return Errorf(EUNAVAILABLE, "The server is busy checking other passwords. Try again in a few seconds.")
}

// Users, messages and blobs.

// ErrNoSuchUser is for a directory lookup by ID or username that finds no user (ENOTFOUND).
func ErrNoSuchUser() *Error {
	return Errorf(ENOTFOUND, "There is no such user.")
}

// ErrNoSuchMessage is for a message ID the store does not hold (ENOTFOUND).
func ErrNoSuchMessage() *Error {
	return Errorf(ENOTFOUND, "There is no such message.")
}

// ErrMessageExists is for storing a message under an ID that is taken (ECONFLICT).
func ErrMessageExists() *Error {
	return Errorf(ECONFLICT, "A message with this ID exists already.")
}

// ErrNoSuchBlob is for an image blob the blob store does not hold (ENOTFOUND).
func ErrNoSuchBlob() *Error {
	return Errorf(ENOTFOUND, "No such blob.")
}

// ErrBadPageLink is for a page cursor the store did not write, or cannot read back (EINVALID).
func ErrBadPageLink() *Error {
	return Errorf(EINVALID, "That page link is not valid. Go back to the first page.")
}

// Keys.

// ErrKeyMissing is for a data key to unwrap under a key that no longer exists (EINTEGRITY).
func ErrKeyMissing() *Error {
	return Errorf(EINTEGRITY, "The key of this message does not exist.")
}

// ErrKeyMismatch is for a wrapped data key that fails authentication under its key and context (EINTEGRITY).
func ErrKeyMismatch() *Error {
	return Errorf(EINTEGRITY, "The data key does not match this message.")
}

// Sending limits.

// ErrSendingTooFast is for a send over the sender's rate or byte budget
// (ERATELIMITED, with the wait for Retry-After).
func ErrSendingTooFast(wait time.Duration) *RetryLater {
	in := "a second"
	if wait > time.Second {
		in = fmt.Sprintf("%d seconds", int(math.Ceil(wait.Seconds())))
	}
	if wait > 90*time.Second {
		in = fmt.Sprintf("%d minutes", int(math.Ceil(wait.Minutes())))
	}
	return &RetryLater{Err: Errorf(ERATELIMITED, "You have sent a lot of images in a short time; try again in %s.", in), After: wait}
}

// ErrInboxFull is for a send to a recipient whose stored images use up
// their storage quota (EQUOTA).
func ErrInboxFull(username string) *Error {
	return Errorf(EQUOTA, "%s's inbox is full; ask them to delete some images.", username)
}

// ErrRequestsFull is for a send that would wait as a message request to a
// recipient whose waiting requests fill the share of their storage that
// requests may use (EQUOTA).
func ErrRequestsFull(username string) *Error {
	return Errorf(EQUOTA, "%s has too many images waiting as message requests; try again after they have gone through them.", username)
}

// Storage.

// ErrDiskFull is for a write refused because the server's disk is full (EUNAVAILABLE).
func ErrDiskFull() *Error {
	return Errorf(EUNAVAILABLE, "The server's disk is full. Try again later.")
}

// ErrCannotWrite is for a write refused because the server's storage is read-only or not writable (EUNAVAILABLE).
func ErrCannotWrite() *Error {
	return Errorf(EUNAVAILABLE, "The server cannot write its data right now. Try again later.")
}

// ErrBusy is for a store that keeps throttling after the client's retries (EUNAVAILABLE).
func ErrBusy() *Error {
	return Errorf(EUNAVAILABLE, "The server is busy. Try again in a moment.")
}

// StoreRetryAfter is how long a client is asked to wait after a store call
// ran out of time: a brownout usually passes within seconds.
const StoreRetryAfter = 5 * time.Second

// ErrStoreSlow is for a store call that did not answer within its deadline
// (EUNAVAILABLE, with a Retry-After): the request gives up in time instead
// of hanging for as long as the store does.
func ErrStoreSlow() *RetryLater {
	return &RetryLater{After: StoreRetryAfter, Err: Errorf(EUNAVAILABLE,
		"Our storage is answering too slowly right now, so this did not go through. Try again in a few seconds.")}
}
