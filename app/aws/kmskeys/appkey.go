package kmskeys

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// PurposeCookieKeys is the purpose in the encryption context of the cookie
// key pairs (terraform/kms.tf lets the app role use its key only with it).
const PurposeCookieKeys = "cookie-keys"

// CipherAPI is the part of the KMS client AppKey uses.
type CipherAPI interface {
	Encrypt(ctx context.Context, in *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// AppKey seals small secrets of the app itself (the cookie key pairs) with
// the app's KMS key (IMAGEAPP_APP_KEY_ID, terraform's aws_kms_key.app),
// bound to the encryption context {app, purpose}: a ciphertext opens only
// with the same key and context. It implements cookiekeys.Wrapper.
type AppKey struct {
	kms     CipherAPI
	keyID   string
	context map[string]string
}

// NewAppKey is the app key keyID used for purpose.
func NewAppKey(api CipherAPI, keyID, appName, purpose string) (*AppKey, error) {
	if keyID == "" || appName == "" || purpose == "" {
		return nil, errors.New("kmskeys: the app key needs a key ID, an app name and a purpose")
	}
	return &AppKey{kms: api, keyID: keyID, context: map[string]string{"app": appName, "purpose": purpose}}, nil
}

// Wrap encrypts plaintext (at most 4 KiB) under the app key.
func (k *AppKey) Wrap(ctx context.Context, plaintext []byte) ([]byte, error) {
	out, err := k.kms.Encrypt(ctx, &kms.EncryptInput{
		KeyId: aws.String(k.keyID), Plaintext: plaintext, EncryptionContext: maps.Clone(k.context),
	})
	if err != nil {
		return nil, fmt.Errorf("kmskeys: encrypt with the app key: %w", err)
	}
	return out.CiphertextBlob, nil
}

// Unwrap decrypts a ciphertext of Wrap, with the key ID pinned.
func (k *AppKey) Unwrap(ctx context.Context, ciphertext []byte) ([]byte, error) {
	out, err := k.kms.Decrypt(ctx, &kms.DecryptInput{
		KeyId: aws.String(k.keyID), CiphertextBlob: ciphertext, EncryptionContext: maps.Clone(k.context),
	})
	var invalid *types.InvalidCiphertextException
	var incorrect *types.IncorrectKeyException
	if errors.As(err, &invalid) || errors.As(err, &incorrect) {
		return nil, fmt.Errorf("kmskeys: the ciphertext does not open with the app key and context %v: %w", k.context, err)
	}
	if err != nil {
		return nil, fmt.Errorf("kmskeys: decrypt with the app key: %w", err)
	}
	return out.Plaintext, nil
}
