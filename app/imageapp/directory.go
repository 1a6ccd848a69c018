package imageapp

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// UsernamePrefix is a directory search as the stores compare it: trimmed and
// lower-cased. ok is false when no username can start with it (it holds a
// character usernames cannot have), so a store can answer with an empty
// page without reading anything.
func UsernamePrefix(search string) (prefix string, ok bool) {
	prefix = strings.ToLower(strings.TrimSpace(search))
	return prefix, strings.Trim(prefix, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == ""
}

// usernameKeyPattern is a lower-cased username (ValidateUsername's rule).
var usernameKeyPattern = regexp.MustCompile(`^[a-z0-9_.-]{3,32}$`)

// UserCursor is the Next of a directory page that ended at the lower-cased
// username key: both stores page by it, so their cursors are alike.
func UserCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// ParseUserCursor returns the username key a UserCursor holds ("" for no
// cursor). A cursor the stores did not make, or one of another search (a
// key that does not start with prefix), is EINVALID.
func ParseUserCursor(cursor, prefix string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || !usernameKeyPattern.Match(raw) || !strings.HasPrefix(string(raw), prefix) {
		return "", ErrBadPageLink()
	}
	return string(raw), nil
}
