package decryptlog

import (
	"bytes"
	"crypto/ed25519"
	"fmt"

	"imageapp/app/imageapp"
)

// BreakError says which entry of a page breaks the chain, and how.
type BreakError struct {
	Seq int64  // the entry (or the head's Seq) where the chain breaks
	Why string // what is wrong there, for a person
}

func (e *BreakError) Error() string {
	return fmt.Sprintf("decrypt record breaks at entry %d: %s", e.Seq, e.Why)
}

// Verify checks a page of a record offline: that head is signed by pub,
// that entries (newest first) start at the head and follow one another
// with no gap, and that each entry's hash is its content's and is the Prev
// of the entry after it. It returns nil or a *BreakError naming the first
// entry, from the newest, that does not hold.
func Verify(pub ed25519.PublicKey, head imageapp.DecryptHead, entries []imageapp.DecryptEntry) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, HeadBytes(head), head.Signature) {
		return &BreakError{Seq: head.Seq, Why: "the head is not signed by the app's key"}
	}
	if len(entries) == 0 {
		if head.Seq != 0 {
			return &BreakError{Seq: head.Seq, Why: "the head names an entry the page does not hold"}
		}
		return nil
	}
	want := imageapp.DecryptEntry{Seq: head.Seq + 1, Prev: head.Hash}
	for i, e := range entries {
		switch {
		case e.Seq != want.Seq-1:
			return &BreakError{Seq: want.Seq - 1, Why: fmt.Sprintf("missing: the next entry on the page is %d", e.Seq)}
		case !bytes.Equal(HashEntry(head.UserID, e), e.Hash):
			return &BreakError{Seq: e.Seq, Why: "its content does not match its hash: it was edited"}
		case !bytes.Equal(e.Hash, want.Prev):
			if i == 0 {
				return &BreakError{Seq: e.Seq, Why: "it is not the entry the signed head names"}
			}
			return &BreakError{Seq: e.Seq, Why: fmt.Sprintf("entry %d does not follow from it: one of them was replaced", want.Seq)}
		case e.Seq == 1 && !bytes.Equal(e.Prev, zeroHash):
			return &BreakError{Seq: e.Seq, Why: "the first entry must follow nothing"}
		}
		want = e
	}
	return nil
}
