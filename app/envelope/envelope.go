// Package envelope is the at-rest encryption format of a message: a
// segmented streaming AEAD (Tink's AES-GCM-HKDF streaming, 64 KiB segments)
// keyed by the message's data key, with the message's encryption context as
// associated data. Neither side holds more than a segment in memory, and each
// segment is authenticated before a byte of it is released.
package envelope

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/tink-crypto/tink-go/v2/streamingaead/subtle"
)

const (
	// SegmentSize is the ciphertext segment size. Small enough to keep memory
	// per stream low, large enough that the 16-byte tag per segment is noise.
	SegmentSize = 64 << 10
	// KeySize is the data key size in bytes (AES-256).
	KeySize = 32
)

// Context binds a ciphertext to one message. It is passed to the key service
// as the encryption context and, canonically encoded, used as the AEAD's
// associated data, so a wrapped key or blob moved to another message fails.
type Context struct {
	App         string
	MessageID   string
	SenderID    string
	RecipientID string
}

// Map returns the context as a KMS-style encryption context.
func (c Context) Map() map[string]string {
	return map[string]string{
		"app":          c.App,
		"message_id":   c.MessageID,
		"sender_id":    c.SenderID,
		"recipient_id": c.RecipientID,
	}
}

// AAD is the associated data of one stream: the context plus its purpose,
// canonically encoded.
func (c Context) AAD(purpose string) []byte {
	m := c.Map()
	m["purpose"] = purpose
	return Canonical(m)
}

// Canonical encodes a context unambiguously: keys sorted, each key and value
// length-prefixed, so no two different contexts encode alike.
func Canonical(m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("imageapp-context-v1")
	for _, k := range keys {
		fmt.Fprintf(&b, "|%d:%s=%d:%s", len(k), k, len(m[k]), m[k])
	}
	return b.Bytes()
}

// Purposes keep the streams sealed under one key and context apart: the
// image and its metadata (under the data key), and a message's two
// previews (under each party's thumbnail key).
const (
	PurposeImage            = "image"
	PurposeMeta             = "meta"
	PurposeRecipientPreview = "preview-recipient"
	PurposeSenderPreview    = "preview-sender"
)

// ErrAuthentication means the ciphertext, key or context do not match.
var ErrAuthentication = errors.New("envelope: ciphertext failed authentication")

func newAEAD(dek []byte) (*subtle.AESGCMHKDF, error) {
	if len(dek) != KeySize {
		return nil, fmt.Errorf("envelope: data key is %d bytes, want %d", len(dek), KeySize)
	}
	return subtle.NewAESGCMHKDF(dek, "SHA256", KeySize, SegmentSize, 0)
}

// NewWriter returns a writer that encrypts into w. Close must be called to
// write the final segment; without it the stream fails authentication.
func NewWriter(w io.Writer, dek []byte, c Context, purpose string) (io.WriteCloser, error) {
	a, err := newAEAD(dek)
	if err != nil {
		return nil, err
	}
	return a.NewEncryptingWriter(w, c.AAD(purpose))
}

// NewReader returns a reader that decrypts r. Any tampering, truncation or a
// wrong key or context makes Read return an error wrapping ErrAuthentication;
// no unauthenticated byte is ever returned. An error of r itself (a dropped
// connection, a disk error) is returned as it is, not as tampering.
func NewReader(r io.Reader, dek []byte, c Context, purpose string) (io.Reader, error) {
	a, err := newAEAD(dek)
	if err != nil {
		return nil, err
	}
	src := &sourceReader{r: r}
	dr, err := a.NewDecryptingReader(src, c.AAD(purpose))
	if err != nil {
		return nil, src.explain(err)
	}
	return &authReader{r: dr, src: src}, nil
}

// sourceReader remembers the ciphertext source's own failure, which Tink's
// reader does not tell apart from a failed decryption. The end of the
// source is no failure: a stream cut short fails authentication.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// explain turns a failure of the decrypting reader into the source's error
// if the source failed, and into ErrAuthentication otherwise.
func (s *sourceReader) explain(err error) error {
	if s.err != nil {
		return fmt.Errorf("envelope: read ciphertext: %w", s.err)
	}
	return fmt.Errorf("%w: %v", ErrAuthentication, err)
}

// authReader marks every decryption failure as ErrAuthentication and passes
// errors of the ciphertext source through.
type authReader struct {
	r   io.Reader
	src *sourceReader
}

func (a *authReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		return n, a.src.explain(err)
	}
	return n, err
}

// Seal encrypts a small value (caption, file name) in one call.
func Seal(plaintext, dek []byte, c Context) ([]byte, error) {
	return SealAs(plaintext, dek, c, PurposeMeta)
}

// Open decrypts a value made by Seal.
func Open(ciphertext, dek []byte, c Context) ([]byte, error) {
	return OpenAs(ciphertext, dek, c, PurposeMeta)
}

// SealAs encrypts a small value for purpose in one call.
func SealAs(plaintext, key []byte, c Context, purpose string) ([]byte, error) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, key, c, purpose)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// OpenAs decrypts a value made by SealAs for the same purpose.
func OpenAs(ciphertext, key []byte, c Context, purpose string) ([]byte, error) {
	r, err := NewReader(bytes.NewReader(ciphertext), key, c, purpose)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}
