package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// recordSize is the aes128gcm record size we declare: one record holds the
// whole payload (push services take at most 4096 bytes of body).
const recordSize = 4096

// headerSize is salt (16) + record size (4) + key ID length (1) + the
// sender's public key (65), before the one record.
const headerSize = 16 + 4 + 1 + 65

// MaxPayload is the most plaintext one message carries: the body limit of
// the push services less the header, the record's delimiter and its tag.
const MaxPayload = recordSize - headerSize - 1 - 16

// encrypt seals plaintext for a browser (RFC 8291): an ECDH agreement of the
// sender's one-time key with the browser's key, mixed with the browser's
// auth secret, gives the content key and nonce of one aes128gcm record
// (RFC 8188). salt and the sender's key are fresh for every message; the
// tests pass the RFC's.
func encrypt(plaintext, uaPublic, authSecret []byte, asPrivate *ecdh.PrivateKey, salt []byte) ([]byte, error) {
	if len(plaintext) > MaxPayload {
		return nil, fmt.Errorf("webpush: payload of %d bytes is over %d", len(plaintext), MaxPayload)
	}
	ua, err := ecdh.P256().NewPublicKey(uaPublic)
	if err != nil {
		return nil, fmt.Errorf("webpush: browser key: %w", err)
	}
	if len(authSecret) != 16 {
		return nil, fmt.Errorf("webpush: auth secret of %d bytes, want 16", len(authSecret))
	}
	shared, err := asPrivate.ECDH(ua)
	if err != nil {
		return nil, fmt.Errorf("webpush: agreement: %w", err)
	}
	asPublic := asPrivate.PublicKey().Bytes()
	keyInfo := append(append([]byte("WebPush: info\x00"), uaPublic...), asPublic...)
	ikm, err := hkdf.Key(sha256.New, shared, authSecret, string(keyInfo), 32)
	if err != nil {
		return nil, fmt.Errorf("webpush: ikm: %w", err)
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, fmt.Errorf("webpush: content key: %w", err)
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, fmt.Errorf("webpush: nonce: %w", err)
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, fmt.Errorf("webpush: cipher: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webpush: cipher: %w", err)
	}
	out := make([]byte, 0, headerSize+len(plaintext)+1+gcm.Overhead())
	out = append(out, salt...)
	out = binary.BigEndian.AppendUint32(out, recordSize)
	out = append(out, byte(len(asPublic)))
	out = append(out, asPublic...)
	record := append(append([]byte{}, plaintext...), 0x02) // 0x02: the last record, no padding
	return gcm.Seal(out, nonce, record, nil), nil
}
