package imageapp

// Privacy is what a person chooses to share: whether others see when they
// open an image (and, in return, they see others'), whether the people
// directory lists them, and whether an image sent to them is also mailed.
// A new user has all on (PrivacyOf a zero User).
type Privacy struct {
	ReadReceipts bool // send read receipts, and see others'
	Listed       bool // appear in the people directory and its search
	NotifyByMail bool // get an email for each image sent to them (the live inbox updates either way)
	// MessageRequests: accept images only from people they sent to or
	// accepted; strangers' wait, unopened, as requests. Off by default.
	MessageRequests bool
}

// PrivacyOf is the user's current settings.
func PrivacyOf(u User) Privacy {
	return Privacy{ReadReceipts: !u.NoReadReceipts, Listed: !u.Hidden, NotifyByMail: !u.NoMail, MessageRequests: u.MessageRequests}
}
