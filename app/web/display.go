package web

import "strings"

// bidiControls are the Unicode characters that reorder the text around
// them: the embeddings and overrides (U+202A–U+202E), the isolates
// (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C). A sender can use
// them to make "invoice\u202Egnp.exe" read as "invoiceexe.png".
var bidiControls = strings.NewReplacer(
	"\u202A", "\uFFFD", "\u202B", "\uFFFD", "\u202C", "\uFFFD", "\u202D", "\uFFFD", "\u202E", "\uFFFD",
	"\u2066", "\uFFFD", "\u2067", "\uFFFD", "\u2068", "\uFFFD", "\u2069", "\uFFFD",
	"\u200E", "\uFFFD", "\u200F", "\uFFFD", "\u061C", "\uFFFD",
)

// DisplayText is a sender's text (a caption, a file name) as it may be
// shown: every bidi control replaced by U+FFFD, visibly, so the text reads
// in the order it was typed and the reader sees that something was there.
// Applied where the text is shown (pages and JSON), so messages stored
// before this rule are shown safely too.
func DisplayText(s string) string {
	if !strings.ContainsAny(s, "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C") {
		return s
	}
	return bidiControls.Replace(s)
}
