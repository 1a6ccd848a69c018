package kmskeys_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"imageapp/app/aws/kmskeys"
)

func newAppKey(t *testing.T, client *kms.Client, keyID, purpose string) *kmskeys.AppKey {
	t.Helper()
	k, err := kmskeys.NewAppKey(client, keyID, "imageapp", purpose)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestAppKeyBindsItsContext: what the app key wraps for cookie keys opens
// with the same key and context only: not under another purpose or app,
// not with another key.
func TestAppKeyBindsItsContext(t *testing.T) {
	ctx := context.Background()
	_, client := newKeys(t)
	created, err := client.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("the app key")})
	if err != nil {
		t.Fatal(err)
	}
	keyID := aws.ToString(created.KeyMetadata.KeyId)
	cookie := newAppKey(t, client, keyID, kmskeys.PurposeCookieKeys)

	secret := bytes.Repeat([]byte{0x5a}, 96)
	wrapped, err := cookie.Wrap(ctx, secret)
	if err != nil {
		t.Fatalf("wrap: %v", err)
	}
	if bytes.Contains(wrapped, secret[:16]) {
		t.Fatal("the wrapped pair contains the plaintext")
	}
	got, err := cookie.Unwrap(ctx, wrapped)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("unwrap with the same key and context: %v", err)
	}
	// Raw KMS agrees on the context: {app, purpose}.
	if _, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped,
		EncryptionContext: map[string]string{"app": "imageapp", "purpose": "cookie-keys"}}); err != nil {
		t.Errorf("KMS itself does not open it under {app: imageapp, purpose: cookie-keys}: %v", err)
	}

	other, err := client.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	otherApp, err := kmskeys.NewAppKey(client, keyID, "otherapp", kmskeys.PurposeCookieKeys)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]*kmskeys.AppKey{
		"another purpose": newAppKey(t, client, keyID, "sessions"),
		"another app":     otherApp,
		"another key":     newAppKey(t, client, aws.ToString(other.KeyMetadata.KeyId), kmskeys.PurposeCookieKeys),
	} {
		if _, err := k.Unwrap(ctx, wrapped); err == nil {
			t.Errorf("the cookie key pair opened with %s", name)
		}
	}
	if _, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped}); err == nil {
		t.Error("KMS opened the pair without its encryption context")
	}
	// IMAGEAPP_APP_KEY_ID may name the key by its alias (the compose dev stack does).
	if _, err := client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/imageapp-test/app"), TargetKeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	byAlias := newAppKey(t, client, "alias/imageapp-test/app", kmskeys.PurposeCookieKeys)
	if got, err := byAlias.Unwrap(ctx, wrapped); err != nil || !bytes.Equal(got, secret) {
		t.Errorf("unwrap with the key named by its alias: %v", err)
	}
	if w, err := byAlias.Wrap(ctx, secret); err != nil {
		t.Errorf("wrap with the key named by its alias: %v", err)
	} else if got, err := cookie.Unwrap(ctx, w); err != nil || !bytes.Equal(got, secret) {
		t.Errorf("a pair wrapped via the alias does not open via the key ID: %v", err)
	}
	if _, err := kmskeys.NewAppKey(client, "", "imageapp", kmskeys.PurposeCookieKeys); err == nil {
		t.Error("an app key without a key ID was accepted")
	}
}
