package imageapp

import (
	"fmt"
	"strings"
	"time"
)

// The rules a client checks before asking the server, and the words it
// shows when one fails. The server's own checks (ValidateUsername,
// ValidatePassword, ValidateEmail, ParseKeep) use the same words, the templ
// views read them from here, and the other clients get them generated
// from Rules by TestClientRulesAreImageapps (rules_test.go): React imports
// react/src/lib/rules.json, static/app.js holds the same JSON on one line
// and static/send.js its "upload" part.
// The server stays the authority: a client's check only saves a round trip.

// Username rule.
const (
	MinUsernameLength = 3
	MaxUsernameLength = 32
	// UsernamePattern is the username rule as a regular expression that
	// Go and JavaScript read alike.
	UsernamePattern = `^[A-Za-z0-9_.-]{3,32}$`
)

// CodeLength is the number of digits of an emailed code.
const CodeLength = 6

// ClientRules is what a client needs to check a form before sending it,
// with the server's words. Its JSON is the clients' copy.
type ClientRules struct {
	Username UsernameRule `json:"username"`
	Email    EmailRule    `json:"email"`
	Password PasswordRule `json:"password"`
	Code     CodeRule     `json:"code"`
	Keep     KeepRule     `json:"keep"`
	Upload   UploadRule   `json:"upload"`
}

// UsernameRule is the username rule and its words.
type UsernameRule struct {
	Pattern   string `json:"pattern"`    // UsernamePattern
	MinLength int    `json:"min_length"` // characters
	MaxLength int    `json:"max_length"` // characters
	Hint      string `json:"hint"`       // under the field
	Missing   string `json:"missing"`    // the field is empty
	Invalid   string `json:"invalid"`    // the rule is broken
}

// EmailRule is a client's first check of an email address (the server's,
// ValidateEmail, is stricter) and the words for one that fails either.
type EmailRule struct {
	Pattern string `json:"pattern"`
	Invalid string `json:"invalid"`
}

// PasswordRule is the password policy and its words.
type PasswordRule struct {
	MinLength int    `json:"min_length"` // characters
	MaxBytes  int    `json:"max_bytes"`  // UTF-8 bytes
	Hint      string `json:"hint"`       // under the field
	TooShort  string `json:"too_short"`
	TooLong   string `json:"too_long"`
}

// CodeRule is the shape of an emailed code and the words for one of
// another shape.
type CodeRule struct {
	Length  int    `json:"length"`
	Pattern string `json:"pattern"`
	Invalid string `json:"invalid"`
}

// KeepRule is how long an image may live: the send form's choices, in
// order, the hint under them and the words for a value not among them.
type KeepRule struct {
	Choices []KeepChoice `json:"choices"`
	Default string       `json:"default"`
	Hint    string       `json:"hint"`
	Invalid string       `json:"invalid"`
}

// KeepChoice is one "Keep" choice: the value a send carries, its label,
// and what it means (For 0: until deleted; Once: view once).
type KeepChoice struct {
	Value string        `json:"value"`
	Label string        `json:"label"`
	For   time.Duration `json:"-"`
	Once  bool          `json:"-"`
}

// UploadRule is the words for an image or a caption over the send limits.
// The limits themselves are the server's configuration (/api/me's
// "limits", the send form's data-max-* attributes), so the words hold
// "{max}" where the limit goes: Fill puts it in.
type UploadRule struct {
	TooLarge       string `json:"too_large"`        // {max}: the upload limit, as "8 MiB"
	CaptionTooLong string `json:"caption_too_long"` // {max}: the caption limit, in characters
}

// Fill returns words with its "{max}" replaced by max.
func Fill(words string, max any) string {
	return strings.Replace(words, "{max}", fmt.Sprint(max), 1)
}

// Rules returns the rules and their words; each call is a fresh copy.
func Rules() ClientRules {
	keep := []KeepChoice{
		{Value: "keep", Label: "Until deleted"},
		{Value: "1h", Label: "1 hour", For: time.Hour},
		{Value: "1d", Label: "1 day", For: 24 * time.Hour},
		{Value: "7d", Label: "7 days", For: 7 * 24 * time.Hour},
		{Value: "once", Label: "View once", Once: true},
	}
	values := make([]string, len(keep))
	for i, c := range keep {
		values[i] = c.Value
	}
	return ClientRules{
		Username: UsernameRule{
			Pattern:   UsernamePattern,
			MinLength: MinUsernameLength,
			MaxLength: MaxUsernameLength,
			Hint:      fmt.Sprintf("%d to %d letters, digits, '_', '.' or '-'.", MinUsernameLength, MaxUsernameLength),
			Missing:   "Enter a username.",
			Invalid:   fmt.Sprintf("Usernames are %d to %d characters: letters, digits, '_', '.' or '-'.", MinUsernameLength, MaxUsernameLength),
		},
		Email: EmailRule{
			Pattern: `^[^\s@]+@[^\s@]+$`,
			Invalid: "Enter a valid email address, like name@example.com.",
		},
		Password: PasswordRule{
			MinLength: MinPasswordLength,
			MaxBytes:  MaxPasswordLength,
			Hint:      fmt.Sprintf("At least %d characters.", MinPasswordLength),
			TooShort:  fmt.Sprintf("Passwords need at least %d characters.", MinPasswordLength),
			TooLong:   fmt.Sprintf("Passwords can be at most %d bytes.", MaxPasswordLength),
		},
		Code: CodeRule{
			Length:  CodeLength,
			Pattern: fmt.Sprintf("^[0-9]{%d}$", CodeLength),
			Invalid: fmt.Sprintf("Enter the %d-digit code from the email.", CodeLength),
		},
		Keep: KeepRule{
			Choices: keep,
			Default: "keep",
			Hint:    "When its time is up, or once viewed, the image is gone for good for both of you.",
			Invalid: "Choose how long the image is kept: " + strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1] + ".",
		},
		Upload: UploadRule{
			TooLarge:       "This image is larger than the {max} limit.",
			CaptionTooLong: "Captions can be at most {max} characters.",
		},
	}
}

// ParseKeep reads the Keep of a send: how long the message lives (0 =
// until deleted), and whether it opens once. "" is the default.
func ParseKeep(keep string) (time.Duration, bool, error) {
	k := Rules().Keep
	if keep == "" {
		keep = k.Default
	}
	for _, c := range k.Choices {
		if c.Value == keep {
			return c.For, c.Once, nil
		}
	}
	return 0, false, Errorf(EINVALID, "%s", k.Invalid)
}
