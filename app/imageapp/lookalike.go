package imageapp

import "strings"

// UsernameSkeleton returns the form of a username that names which look
// alike share: two usernames with one skeleton are one name to a reader, so
// only one account may hold it, and retiring a name retires its look-alikes.
// It folds case, maps i, l, 1 and | to l and 0 to o, reads "rn" as "m" and
// "vv" as "w", drops the separators ('.', '_', '-') at either end and keeps
// one of each run of them inside.
//
// A small i is read as l too: usernames are one name in any case, and each
// is shown as typed, so "ALICE" may stand beside "AIICE".
func UsernameSkeleton(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch r {
		case 'i', 'l', '1', '|':
			r = 'l'
		case '0':
			r = 'o'
		}
		b.WriteRune(r)
	}
	s := b.String()
	s = strings.ReplaceAll(s, "rn", "m")
	s = strings.ReplaceAll(s, "vv", "w")
	s = strings.Trim(s, usernameSeparators)
	var out strings.Builder
	prevSep := false
	for _, r := range s {
		sep := strings.ContainsRune(usernameSeparators, r)
		if sep && prevSep {
			continue
		}
		prevSep = sep
		out.WriteRune(r)
	}
	return out.String()
}

// usernameSeparators are the characters of a username that are not letters
// or digits (see ValidateUsername).
const usernameSeparators = "._-"

// MailboxKey returns the form of an email address that names its mailbox,
// for limits counted per address: one mailbox must not be reached by many
// spellings of one address. It folds case, drops a +tag, and for Gmail
// (gmail.com and googlemail.com, one service) drops the dots of the local
// part, which Gmail ignores. Mail still goes to the address as typed.
func MailboxKey(email string) string {
	local, domain, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	local, _, _ = strings.Cut(local, "+")
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}
