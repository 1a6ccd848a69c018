package envelope_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"

	"imageapp/app/envelope"
)

// TestSpoolKeepsNoPlaintext: what a spool holds reads back whole, and no
// file of it is left in the temp dir (it is unlinked from the start).
func TestSpoolKeepsNoPlaintext(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	data := make([]byte, 3*envelope.SegmentSize+123)
	rand.Read(data)
	sp, err := envelope.NewSpool()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if _, err := sp.ReadFrom(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "*")); len(left) != 0 {
		t.Errorf("the spool left files in the temp dir: %v", left)
	}
	r, err := sp.Reader()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, %v; want the %d bytes spooled", len(got), err, len(data))
	}
}
