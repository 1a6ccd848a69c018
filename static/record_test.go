package static

import (
	"os"
	"strings"
	"testing"
)

// TestRecordJSCopiesTheVerifier: the pages' Verify (record.js) carries the
// React client's verifier byte for byte, so the two clients cannot drift.
func TestRecordJSCopiesTheVerifier(t *testing.T) {
	lib, err := os.ReadFile("../react/src/lib/decryptrecord.js")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("record.js")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "// --- copy of react/src/lib/decryptrecord.js ---\n", "// --- end of the copy ---\n"
	s := string(page)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("record.js has no copy between %q and %q", begin, end)
	}
	if got := s[i+len(begin) : j]; got != string(lib) {
		t.Errorf("record.js's copy of the verifier differs from react/src/lib/decryptrecord.js: copy the file again")
	}
}
