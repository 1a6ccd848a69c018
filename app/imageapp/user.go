package imageapp

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// User is an entry of the directory: a confirmed, provisioned account that can
// send and receive images. The ID is stable (Cognito's sub in AWS mode); the
// username is shown to people and is unique regardless of case.
type User struct {
	ID       string
	Username string
	Email    string
	KeyID    string // the user's own key (KMS key ID or local keyring ID)
	Topic    string // where notifications for this user go (SNS topic ARN in AWS mode)

	// ThumbKey is the key of the user's thumbnails, wrapped under KeyID
	// (SetThumbKey); empty until their first thumbnail.
	ThumbKey  []byte
	CreatedAt time.Time

	// SessionVersion is stamped into each session at login; bumping it ends
	// every session of the user (logout, password change).
	SessionVersion int64

	// Privacy settings (SetPrivacy); the zero values are the defaults:
	// read receipts on, listed in the directory, mailed for each image.
	NoReadReceipts bool // others do not see when this user opens their images, nor this user theirs
	Hidden         bool // left out of ListUsers; UserByUsername still finds them
	NoMail         bool // no notification email when an image arrives
	// MessageRequests on: images from people this user never sent to nor
	// accepted wait as message requests (Message.Request) until accepted.
	MessageRequests bool
}

// Provisioned reports whether post-confirmation provisioning has run.
func (u User) Provisioned() bool { return u.KeyID != "" && u.Topic != "" }

// Principal is who a successful login says the caller is.
type Principal struct {
	ID       string
	Username string
	Email    string
}

// SignUpInput is what a person submits to create an account.
type SignUpInput struct {
	Username string
	Email    string
	Password string
}

const (
	MinPasswordLength = 10
	MaxPasswordLength = 256 // bounds the hashing work an attacker can ask for
)

var usernamePattern = regexp.MustCompile(UsernamePattern)

// Validate checks the input against the sign-up rules shared by every backend.
func (in SignUpInput) Validate() error {
	if err := ValidateUsername(in.Username); err != nil {
		return err
	}
	if err := ValidateEmail(in.Email); err != nil {
		return err
	}
	return ValidatePassword(in.Password)
}

// ValidateEmail checks that email is one plain address.
func ValidateEmail(email string) error {
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || !strings.Contains(email, ".") {
		return Errorf(EINVALID, "%s", Rules().Email.Invalid)
	}
	return nil
}

// ValidateUsername checks the username rule: 3–32 letters, digits, '_', '.' or '-'.
func ValidateUsername(name string) error {
	if !usernamePattern.MatchString(name) {
		return Errorf(EINVALID, "%s", Rules().Username.Invalid)
	}
	return nil
}

// ValidatePassword checks the password policy.
func ValidatePassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return Errorf(EINVALID, "%s", Rules().Password.TooShort)
	}
	if len(pw) > MaxPasswordLength {
		return Errorf(EINVALID, "%s", Rules().Password.TooLong)
	}
	return nil
}

// ValidateCode checks the shape of a confirmation or reset code.
func ValidateCode(code string) error {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return Errorf(EINVALID, "The code is the 6 digits from the email we sent you.")
	}
	return nil
}

// Identity signs people up, confirms their email and logs them in
// (SQLite + outbox mail locally, Cognito in AWS mode). Every backend
// implements it whole; it serves three roles, and a consumer names only
// those it calls: joining (Enrollment), passwords and the login they guard
// (Credentials), and moving an account to another address (EmailChanges).
//
// Every method that sends or checks a code takes who asks (Requester):
// wrong codes are charged to it, and a code's requester is held back by
// nobody else's. The zero Requester is refused (ErrNoRequester).
type Identity interface {
	Enrollment
	Credentials
	EmailChanges
}

// Enrollment creates accounts and confirms their email with a code.
type Enrollment interface {
	// SignUp creates an unconfirmed account and sends a confirmation code.
	// Returns EINVALID for input that breaks the rules, ECONFLICT if the
	// username, or a name with its skeleton (UsernameSkeleton), is held by
	// an account or retired (Directory.RetireUsername), checked atomically
	// with the claim of the name. An unconfirmed account whose code has
	// expired holds its name no more: the new account replaces it.
	SignUp(ctx context.Context, who Requester, in SignUpInput) error

	// Confirm checks the code and, on success, confirms the account and runs
	// post-confirmation provisioning. Returns EINVALID for a wrong or expired
	// code and ErrAlreadyConfirmed (EINVALID) for a confirmed account, whatever
	// the code; ERATELIMITED after too many wrong codes, ENOTFOUND for an
	// unknown user. The account service gives all but the wait one answer.
	Confirm(ctx context.Context, who Requester, username, code string) error

	// ResendCode replaces the confirmation code with a fresh one and sends it.
	// Returns ErrAlreadyConfirmed (EINVALID) if the account is confirmed,
	// ENOTFOUND for an unknown user; the account service answers all alike.
	ResendCode(ctx context.Context, who Requester, username string) error
}

// Credentials checks and changes passwords, and removes an account once
// its password is given.
type Credentials interface {
	// Login checks the password for who (a sign-in, or a signed-in
	// person confirming an action with it). Returns EUNAUTHORIZED for an
	// unknown user or a wrong password (the same message for both),
	// EUNCONFIRMED if the email is not confirmed yet.
	Login(ctx context.Context, who Requester, username, password string) (Principal, error)

	// ForgotPassword sends a reset code. It returns nil for unknown users too,
	// so the answer does not reveal who has an account.
	ForgotPassword(ctx context.Context, who Requester, username string) error

	// DeleteAccount checks the password, as Login does (EUNAUTHORIZED when
	// wrong), then removes the account, so nobody can log in with it.
	DeleteAccount(ctx context.Context, username, password string) error

	// ResetPassword sets a new password if the reset code is right. Returns
	// EINVALID for a wrong code or a password that breaks the policy.
	ResetPassword(ctx context.Context, who Requester, username, code, newPassword string) error

	// ChangePassword checks the current password, as Login does
	// (EUNAUTHORIZED when wrong), then sets the new one. Returns EINVALID
	// for a new password that breaks the policy.
	ChangePassword(ctx context.Context, username, current, newPassword string) error
}

// EmailChanges moves an account to a new address once a code mailed there
// comes back.
type EmailChanges interface {
	// RequestEmailChange checks the password, as Login does (EUNAUTHORIZED
	// when wrong), and mails a code to newEmail; the account's address
	// stays the old one until ConfirmEmailChange. Codes are limited like
	// sign-up codes (ERATELIMITED).
	RequestEmailChange(ctx context.Context, who Requester, username, password, newEmail string) error

	// ConfirmEmailChange checks the password and the code mailed by
	// RequestEmailChange and, when both are right, makes the new address the
	// account's, returning it. A wrong, expired or missing code gets the
	// answers of Confirm's codes (EINVALID, ERATELIMITED).
	ConfirmEmailChange(ctx context.Context, who Requester, username, password, code string) (newEmail string, err error)

	// CancelEmailChange forgets a requested change, so its code no longer
	// works; it is not an error when none is waiting.
	CancelEmailChange(ctx context.Context, username string) error
}

// Directory holds provisioned users (SQLite locally, DynamoDB in AWS mode):
// every backend implements it whole, and Ports carries it whole. It serves
// three roles, and a consumer names only those it calls: the entries
// themselves (Users), who blocks and knows whom (SocialGraph), and the names
// of deleted accounts (NameRetirement).
type Directory interface {
	Users
	SocialGraph
	NameRetirement
}

// Users is the directory's entries: one per provisioned user, found by ID
// or username, listed in pages, with the settings and the thumbnail key
// kept on it. Used by provisioning (provision.Deps), the account rules
// (accounts.Directory), messaging, and the bench's look-ups.
type Users interface {
	// PutUser stores u. It is idempotent for the same ID; returns ECONFLICT if
	// the username belongs to another ID.
	PutUser(ctx context.Context, u User) error

	// SetThumbKey stores wrapped as u's thumbnail key unless u has one
	// already, and returns the one stored: racing callers all get the first.
	// Returns ENOTFOUND for an unknown user.
	SetThumbKey(ctx context.Context, userID string, wrapped []byte) ([]byte, error)

	// SetPrivacy stores the user's privacy settings; PutUser never changes
	// them. Returns ENOTFOUND for an unknown user.
	SetPrivacy(ctx context.Context, userID string, p Privacy) error

	// UserByID and UserByUsername return ENOTFOUND when there is no such user.
	// Username lookups are case-insensitive.
	UserByID(ctx context.Context, id string) (User, error)
	UserByUsername(ctx context.Context, username string) (User, error)

	// ListUsers returns one page of users in the order of their lowercased
	// usernames, only those whose username starts with q.Search (compared
	// case-insensitively, see UsernamePrefix) when it is not empty. Each page
	// is one range read of an index, however many users there are. Returns
	// EINVALID for a cursor it did not make.
	ListUsers(ctx context.Context, q UserQuery) (UserPage, error)
}

// SocialGraph is who blocks whom and who knows whom, by user ID. Used by
// messaging only (blocks, message requests, contacts).
type SocialGraph interface {
	// SetBlocked blocks (or unblocks) blockedID for blockerID: images from
	// them are withheld from blockerID. Idempotent. Returns EINVALID past
	// MaxBlocked blocked people.
	SetBlocked(ctx context.Context, blockerID, blockedID string, blocked bool) error

	// Blocked lists the IDs blockerID blocks, in no particular order.
	Blocked(ctx context.Context, blockerID string) ([]string, error)

	// AddContact records that userID knows contactID (they sent them an
	// image, or accepted their request): for a user with MessageRequests
	// on, images from contacts arrive as any other. Idempotent. Returns
	// EINVALID past MaxContacts contacts.
	AddContact(ctx context.Context, userID, contactID string) error

	// Knows reports whether contactID is one of userID's contacts.
	Knows(ctx context.Context, userID, contactID string) (bool, error)
}

// NameRetirement is how an account's deletion takes its entry and its name
// out of the directory, in an order no sign-up can slip into. Used by the
// account rules' deletion (accounts.Directory); the backends' own sign-up
// checks read the retired names from their store directly.
type NameRetirement interface {
	// RetireUsername keeps u's username, and every name with its
	// skeleton (UsernameSkeleton), from new accounts until until, from now
	// on, while u's entry stays: deleting an account retires the name
	// before it removes anything that holds it, so that no sign-up slips in
	// between. It marks u's deletion as begun. Idempotent.
	RetireUsername(ctx context.Context, u User, until time.Time) error

	// BeginLoginDeletion records, on u's deletion begun by RetireUsername,
	// that u's login is about to be deleted; LoginDeletionBegun reports it.
	// A deletion that stops after that is finished by a retry without the
	// password, which may log in no more.
	BeginLoginDeletion(ctx context.Context, u User) error
	LoginDeletionBegun(ctx context.Context, u User) (bool, error)

	// DeleteUser removes u's entry and keeps u's username retired until
	// until: UsernameRetired reports it, and sign-up refuses it, until then.
	DeleteUser(ctx context.Context, u User, until time.Time) error

	// UsernameRetired reports whether username, or a name with its
	// skeleton, is kept from new accounts: its account was deleted (or is
	// being deleted) within the retirement.
	UsernameRetired(ctx context.Context, username string) (bool, error)
}

// MaxBlocked bounds the people one user may block: the list is read
// whole on every send to them.
const MaxBlocked = 1000

// MaxContacts bounds the people one user is recorded to know: the set is
// read whole when someone who has message requests on gets an image.
const MaxContacts = 2000

// UserQuery selects a page of the directory.
type UserQuery struct {
	Search string // a prefix of the username, any case
	Cursor string // opaque, from the previous page's Next
	Limit  int
}

// UserPage is one page of the directory.
type UserPage struct {
	Users []User
	Next  string // "" on the last page
}

// SessionVersions ends sessions server-side, so a copied cookie stops working
// after logout or a password change.
type SessionVersions interface {
	// BumpSessionVersion increments the user's session version.
	BumpSessionVersion(ctx context.Context, userID string) error
	SessionRegistry // which sessions are still active, one by one (sessions.go)
}
