package messaging

import (
	"path"
	"strings"
	"unicode/utf8"
)

// otherExtensions are the extensions, besides the usual one, that a file of
// an accepted type may keep when it is saved.
var otherExtensions = map[string][]string{
	"image/jpeg": {".jpeg", ".jpe", ".jfif"},
}

// DownloadName is the name a saved copy of an image gets: the sender's file
// name, with its extension replaced by the one of the image's real type
// (sniffed when it was sent), so a PNG named "invoice.html" is saved as
// "invoice.png" and never opens as a page or a program. A name that Windows
// reserves for a device ("CON", "nul.txt", "COM1.png") is prefixed with an
// underscore. A name left with nothing before its extension becomes
// fallback. The result is at most MaxFilenameLength bytes of valid UTF-8.
func DownloadName(name, contentType, fallback string) string {
	ext := Extension(contentType)
	if ext == "" {
		ext = ".bin" // not a type a send accepts: nothing should open it
	}
	name = strings.ToValidUTF8(name, "")
	// Windows drops trailing dots and spaces, so "a.html. " would be a.html.
	stem := strings.TrimRight(name, ". ")
	if !hasExtension(stem, contentType) {
		stem = strings.TrimSuffix(stem, path.Ext(stem))
	} else {
		old := path.Ext(stem)
		stem, ext = strings.TrimSuffix(stem, old), old
	}
	stem = strings.TrimRight(stem, ". ")
	if stem == "" {
		stem = fallback
	}
	if isDeviceName(stem) {
		stem = "_" + stem
	}
	if max := MaxFilenameLength - len(ext); len(stem) > max {
		stem = strings.ToValidUTF8(stem[:max], "")
	}
	return stem + ext
}

// hasExtension reports whether name already ends in an extension of
// contentType, in any case.
func hasExtension(name, contentType string) bool {
	ext := strings.ToLower(path.Ext(name))
	if ext == "" || len(ext) == len(name) {
		return false
	}
	if ext == Extension(contentType) {
		return true
	}
	for _, e := range otherExtensions[contentType] {
		if ext == e {
			return true
		}
	}
	return false
}

// isDeviceName reports whether Windows would open name as a device rather
// than a file: CON, PRN, AUX, NUL, COM1-9 and LPT1-9 (also with ¹²³), in any
// case, whatever follows the first dot, and with trailing spaces.
func isDeviceName(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && utf8.RuneCountInString(base) == 4 {
		d, _ := utf8.DecodeLastRuneInString(base)
		return '1' <= d && d <= '9' || d == '¹' || d == '²' || d == '³'
	}
	return false
}
