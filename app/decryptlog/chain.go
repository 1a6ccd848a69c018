// Package decryptlog keeps each user's decrypt record: an entry for every
// unwrap of a key of theirs, chained by SHA-256 (each entry holds the hash
// of the one before) under a head the app signs with Ed25519. Editing or
// removing an entry breaks the chain, and Verify says where; a client can
// check a page offline with the app's public key (react/src/lib/decryptrecord.js
// does the same in the browser).
package decryptlog

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"time"

	"imageapp/app/imageapp"
)

// The canonical encodings are netstrings (decimal byte length, ":", the
// bytes, ","), one per field in a fixed order: unambiguous, and the same
// bytes in Go and JavaScript without a JSON canonicalisation scheme.
const (
	entryTag = "imageapp-decrypt-entry-v1"
	headTag  = "imageapp-decrypt-head-v1"
)

// zeroHash is the Prev of a record's first entry.
var zeroHash = make([]byte, sha256.Size)

func netstring(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, ',')
}

// EntryBytes is the canonical encoding of e in owner's record: what its
// Hash is the SHA-256 of. Times count in whole milliseconds.
func EntryBytes(owner string, e imageapp.DecryptEntry) []byte {
	var b []byte
	for _, f := range []string{
		entryTag, owner, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.At.UnixMilli(), 10), e.MessageID,
		e.By.UserID, e.By.Username, e.By.Session, e.By.Device, e.By.Job, string(e.Purpose),
		strconv.Itoa(len(e.Context)),
	} {
		b = netstring(b, f)
	}
	keys := make([]string, 0, len(e.Context))
	for k := range e.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = netstring(netstring(b, k), e.Context[k])
	}
	return netstring(b, hex.EncodeToString(e.Prev))
}

// HashEntry is the SHA-256 of e's canonical encoding.
func HashEntry(owner string, e imageapp.DecryptEntry) []byte {
	h := sha256.Sum256(EntryBytes(owner, e))
	return h[:]
}

// HeadBytes is the canonical encoding of h: what its Signature signs.
func HeadBytes(h imageapp.DecryptHead) []byte {
	var b []byte
	for _, f := range []string{headTag, h.UserID, strconv.FormatInt(h.Seq, 10), hex.EncodeToString(h.Hash), strconv.FormatInt(h.At.UnixMilli(), 10)} {
		b = netstring(b, f)
	}
	return b
}

// Chain numbers, links and hashes entries after head (oldest first) and
// returns them with the new head, signed with key. The times are cut to
// milliseconds, the precision the encoding keeps.
func Chain(key ed25519.PrivateKey, owner string, head imageapp.DecryptHead, entries []imageapp.DecryptEntry) ([]imageapp.DecryptEntry, imageapp.DecryptHead) {
	out := make([]imageapp.DecryptEntry, len(entries))
	prev, seq := head.Hash, head.Seq
	if seq == 0 {
		prev = zeroHash
	}
	for i, e := range entries {
		seq++
		e.Seq, e.Prev = seq, prev
		e.At = time.UnixMilli(e.At.UnixMilli()).UTC()
		e.Hash = HashEntry(owner, e)
		out[i], prev = e, e.Hash
	}
	next := imageapp.DecryptHead{UserID: owner, Seq: seq, Hash: prev, At: head.At}
	if len(out) > 0 {
		next.At = out[len(out)-1].At
	}
	next.Signature = ed25519.Sign(key, HeadBytes(next))
	return out, next
}
