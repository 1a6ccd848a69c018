package imageapp

import "context"

// TwoFactor is a user's authenticator-app (TOTP) enrolment as stored. The
// secret is sealed: a store holds nothing a code can be made from.
type TwoFactor struct {
	// SealedSecret is the TOTP secret sealed with a data key, and
	// WrappedKey that data key wrapped under the user's key (Keys).
	SealedSecret []byte
	WrappedKey   []byte

	// Confirmed is set once a code from the app was accepted: only then
	// does login ask for a code.
	Confirmed bool

	// RecoveryHashes are the hashes of the recovery codes not used yet.
	RecoveryHashes []string

	// LastStep is the last TOTP time step accepted (its Unix time / 30 s):
	// a code of that step or an earlier one is refused, so a code is used
	// once.
	LastStep int64
}

// TwoFactorStore keeps each user's TOTP enrolment.
type TwoFactorStore interface {
	// TwoFactor returns the user's enrolment. Returns ENOTFOUND when they
	// have none.
	TwoFactor(ctx context.Context, userID string) (TwoFactor, error)

	// PutTwoFactor stores an unconfirmed enrolment, replacing an
	// unconfirmed one. Returns ECONFLICT when a confirmed one is there:
	// turning two-factor off comes first.
	PutTwoFactor(ctx context.Context, userID string, tf TwoFactor) error

	// ConfirmTwoFactor marks the enrolment confirmed with the hashes of its
	// recovery codes and the step of the code that confirmed it. Returns
	// ENOTFOUND when there is no enrolment, ECONFLICT when it is confirmed
	// already or step is not after LastStep.
	ConfirmTwoFactor(ctx context.Context, userID string, recoveryHashes []string, step int64) error

	// UseTwoFactorStep records step as the last one accepted, if it is after
	// LastStep, in one atomic write. Returns ECONFLICT when it is not (the
	// code was used already, here or on another instance), ENOTFOUND when
	// there is no confirmed enrolment.
	UseTwoFactorStep(ctx context.Context, userID string, step int64) error

	// UseRecoveryCode removes hash from the unused recovery codes in one
	// atomic write. Returns ENOTFOUND when it is not among them (or used
	// already).
	UseRecoveryCode(ctx context.Context, userID, hash string) error

	// DeleteTwoFactor removes the enrolment; removing none is not an error.
	DeleteTwoFactor(ctx context.Context, userID string) error
}
