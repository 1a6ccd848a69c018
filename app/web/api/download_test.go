package api

import (
	"strings"
	"testing"
)

// TestAttachment: a sender's file name becomes a download name that cannot
// break out of the header or name a path, with the exact name kept in
// filename*.
func TestAttachment(t *testing.T) {
	for in, want := range map[string]string{
		"cat.png":         `attachment; filename="cat.png"; filename*=UTF-8''cat.png`,
		`a"b;c%.png`:      `attachment; filename="a_b_c_.png"; filename*=UTF-8''a%22b%3Bc%25.png`,
		"日本.png":          `attachment; filename="__.png"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png`,
		"x\r\nSet-Cookie": `attachment; filename="x__Set-Cookie"; filename*=UTF-8''x%0D%0ASet-Cookie`,
	} {
		if got := attachment(in); got != want {
			t.Errorf("attachment(%q) = %q, want %q", in, got, want)
		}
	}
	// downloadName has already replaced control characters and separators.
	for in, want := range map[string]string{"x\r\ny": "x__y", "../../etc/passwd": "etc_passwd", "a\u202eb": "a_b"} {
		if got := strings.Trim(strings.Map(safeFileRune, in), ". _"); got != want {
			t.Errorf("the download name of %q = %q, want %q", in, got, want)
		}
	}
}
