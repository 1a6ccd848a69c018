package imageapp

// Privacy is what a person chooses to share: whether others see when they
// open an image (and, in return, they see others'), and whether the people
// directory lists them. A new user has both on (PrivacyOf a zero User).
type Privacy struct {
	ReadReceipts bool // send read receipts, and see others'
	Listed       bool // appear in the people directory and its search
}

// PrivacyOf is the user's current settings.
func PrivacyOf(u User) Privacy {
	return Privacy{ReadReceipts: !u.NoReadReceipts, Listed: !u.Hidden}
}
