package imageapp

import (
	"fmt"
	"testing"
)

// TestCodeRefusedByIdentityNotWording: IsCodeRefused tells an error by its
// code and kind (errors.Is), never by its message: a wrapped password-policy
// refusal is the new password's fault, a wrapped dead code is the code's,
// and another error of the same code is judged by its code even when its
// words are the same.
func TestCodeRefusedByIdentityNotWording(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"password policy, wrapped", fmt.Errorf("%w (cognito reset password: InvalidPasswordException)", ErrPasswordPolicy()), false},
		{"a dead code, wrapped", fmt.Errorf("%w (cognito confirm: TooManyFailedAttemptsException)", ErrTooManyWrongCodes()), true},
		{"a wrong code", ErrWrongOrExpiredCode(), true},
		{"an invalid value in the words of the policy", Errorf(EINVALID, "%s", ErrPasswordPolicy().Message), true},
		{"a limit in the words of a dead code", Errorf(ERATELIMITED, "%s", ErrTooManyWrongCodes().Message), false},
		{"no such account", Errorf(ENOTFOUND, "No such account."), true},
		{"not an *Error", fmt.Errorf("boom"), false},
	} {
		if got := IsCodeRefused(c.err); got != c.want {
			t.Errorf("%s: IsCodeRefused = %v, want %v", c.name, got, c.want)
		}
	}
}
