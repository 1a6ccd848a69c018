package web

import (
	"strings"
	"testing"
)

// TestLocalPath: what LocalPath returns is what goes into Location, so it
// must be a plain path of this site even for input that cleaning would turn
// into "/\host" (browsers read that as "//host"); real paths keep their query.
func TestLocalPath(t *testing.T) {
	for next, want := range map[string]string{
		"/sent": "/sent", "/messages/x?a=1&b=2": "/messages/x?a=1&b=2", "/inbox/../sent": "/sent", "/a//b": "/a/b",
		"/": "/", "": "/inbox", "sent": "/inbox", "//evil.example": "/inbox", `/\evil.example`: "/inbox",
		`/./\evil.example`: "/inbox", `/a/../\evil.example`: "/inbox", `/..\evil.example`: "/inbox",
		"/.//evil.example": "/evil.example", "/..//evil.example": "/evil.example", "/\t/evil.example": "/inbox",
		"https://evil.example": "/inbox", "http:evil.example": "/inbox", "javascript:alert(1)": "/inbox",
		"/%5Cevil.example": "/%5Cevil.example", "/é": "/%C3%A9", "/x?next=//evil.example": "/x?next=//evil.example",
		"/x?a b": "/inbox",
	} {
		got := LocalPath(next)
		if got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", next, got, want)
		}
		if strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n ") || !strings.HasPrefix(got, "/") {
			t.Errorf("LocalPath(%q) = %q: not a plain local path", next, got)
		}
	}
}

// TestDisplayText: every bidi control is replaced, visibly; other text,
// right-to-left scripts included, is kept.
func TestDisplayText(t *testing.T) {
	for in, want := range map[string]string{
		"invoice\u202egnp.exe": "invoice\ufffdgnp.exe", "a\u2066b\u2069c": "a\ufffdb\ufffdc", "x\u200ey\u200fz\u061c": "x\ufffdy\ufffdz\ufffd",
		"\u202a\u202b\u202c\u202d\u2067\u2068": "\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd", "שלום עולם": "שלום עולם", "plain.png": "plain.png",
	} {
		if got := DisplayText(in); got != want {
			t.Errorf("DisplayText(%q) = %q, want %q", in, got, want)
		}
	}
}
