package webpush

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
)

// NewKey makes a VAPID key and returns it encoded for the app's secrets
// (base64 of PKCS #8), as ParseKey reads it. A deployment makes it once and
// keeps it: browsers subscribed under one key are not reached with another.
func NewKey() (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("webpush: VAPID key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("webpush: VAPID key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// ParseKey reads a key NewKey made. Returns an error for anything but a
// P-256 ECDSA key.
func ParseKey(s string) (*ecdsa.PrivateKey, error) {
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID key is not base64: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("webpush: VAPID key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("webpush: VAPID key is not a P-256 ECDSA key")
	}
	return key, nil
}
