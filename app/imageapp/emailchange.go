package imageapp

import (
	"fmt"
	"strings"
)

// MaskEmail shows enough of an address for its owner to know it and little
// for anyone else: the first letter of the local part and the domain.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "…"
	}
	first := []rune(local)[0]
	return string(first) + "…@" + domain
}

// EmailChangedNotice is the security notice mailed to the old address once
// an account's email has changed (every backend sends the same words).
func EmailChangedNotice(newEmail string) (subject, body string) {
	return "Your ImageApp email was changed",
		fmt.Sprintf("Your ImageApp email was changed to %s. If this wasn't you, reset your password.\n", MaskEmail(newEmail))
}
