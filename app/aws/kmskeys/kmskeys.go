// Package kmskeys gives each user a KMS key of their own and wraps message
// data keys under it. The encryption context of every data key names the
// message, sender and recipient; KMS refuses to decrypt under any other.
package kmskeys

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"imageapp/app/imageapp"
)

// API is the part of the KMS client the adapter uses.
type API interface {
	CreateKey(ctx context.Context, in *kms.CreateKeyInput, optFns ...func(*kms.Options)) (*kms.CreateKeyOutput, error)
	CreateAlias(ctx context.Context, in *kms.CreateAliasInput, optFns ...func(*kms.Options)) (*kms.CreateAliasOutput, error)
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	ScheduleKeyDeletion(ctx context.Context, in *kms.ScheduleKeyDeletionInput, optFns ...func(*kms.Options)) (*kms.ScheduleKeyDeletionOutput, error)
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// Keys implements imageapp.Keys on KMS.
type Keys struct {
	KMS     API
	AppName string // alias prefix and the app tag

	// AppRoleARN is the app's IAM role (IMAGEAPP_APP_ROLE_ARN). When set,
	// every new key gets an explicit key policy (KeyPolicy) naming it, so
	// the key is usable the moment it exists; when empty (tests, emulators)
	// KMS attaches its default policy and IAM alone decides, whose tag
	// conditions can lag minutes behind a new key.
	AppRoleARN string
	// CreatorRoleARN is the role this process runs as when it is not the
	// app's (the Lambda trigger's, IMAGEAPP_TRIGGER_ROLE_ARN): the key
	// policy lets it drop a key it created and lost a race with.
	CreatorRoleARN string
}

var _ imageapp.Keys = (*Keys)(nil)

// Alias names and user IDs that KMS accepts in an alias.
var aliasSafe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// Alias is the alias of a user's key: alias/<app>/user/<userID>.
func (k *Keys) Alias(userID string) string { return "alias/" + k.AppName + "/user/" + userID }

// CreateUserKey returns the key behind the user's alias, creating a
// symmetric key tagged app and user_id, and its alias, on first call. Two
// concurrent first calls both create a key; the one whose alias loses is
// scheduled for deletion, and both return the key the alias names.
func (k *Keys) CreateUserKey(ctx context.Context, userID string) (string, error) {
	if !aliasSafe.MatchString(userID) || !aliasSafe.MatchString(k.AppName) {
		return "", fmt.Errorf("kmskeys: user ID %q or app name %q cannot be part of a key alias", userID, k.AppName)
	}
	alias := k.Alias(userID)
	if id, err := k.describe(ctx, alias); err == nil || !isNotFound(err) {
		return id, err
	}
	in := &kms.CreateKeyInput{
		Description: aws.String(fmt.Sprintf("%s: wraps the data keys of images sent to user %s", k.AppName, userID)),
		KeySpec:     types.KeySpecSymmetricDefault,
		KeyUsage:    types.KeyUsageTypeEncryptDecrypt,
		Tags: []types.Tag{
			{TagKey: aws.String("app"), TagValue: aws.String(k.AppName)},
			{TagKey: aws.String("user_id"), TagValue: aws.String(userID)},
		},
	}
	if k.AppRoleARN != "" {
		policy, err := KeyPolicy(k.AppName, k.AppRoleARN, k.CreatorRoleARN)
		if err != nil {
			return "", err
		}
		in.Policy = aws.String(policy)
		// KMS's lockout check wants the caller itself to be allowed
		// PutKeyPolicy, which the app's roles must never be. The policy's
		// first statement keeps the key manageable: it hands the key to the
		// account's IAM administrators, as KMS's default policy does.
		in.BypassPolicyLockoutSafetyCheck = true
	}
	created, err := k.KMS.CreateKey(ctx, in)
	if err != nil {
		return "", fmt.Errorf("kmskeys: create key: %w", err)
	}
	keyID := aws.ToString(created.KeyMetadata.KeyId)
	_, err = k.KMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(keyID)})
	var exists *types.AlreadyExistsException
	if errors.As(err, &exists) {
		// Another call won the race: drop our key, use theirs. The key
		// policy allows exactly this (an unaliased key, this window); should
		// it fail anyway, the key holds nothing and is found by its tags
		// without an alias (app/README.md, "Users' KMS keys").
		_, _ = k.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{
			KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(LostKeyPendingDays),
		})
		return k.describe(ctx, alias)
	}
	if err != nil {
		return "", fmt.Errorf("kmskeys: create alias %s: %w", alias, err)
	}
	return keyID, nil
}

func (k *Keys) describe(ctx context.Context, keyRef string) (string, error) {
	out, err := k.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyRef)})
	if err != nil {
		return "", fmt.Errorf("kmskeys: describe %s: %w", keyRef, err)
	}
	return aws.ToString(out.KeyMetadata.KeyId), nil
}

// GenerateDataKey asks KMS for a fresh AES-256 key bound to encCtx.
func (k *Keys) GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) (imageapp.DataKey, error) {
	out, err := k.KMS.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(keyID),
		KeySpec:           types.DataKeySpecAes256,
		EncryptionContext: encCtx,
	})
	if err != nil {
		return imageapp.DataKey{}, fmt.Errorf("kmskeys: generate data key: %w", err)
	}
	return imageapp.DataKey{Plaintext: out.Plaintext, Ciphertext: out.CiphertextBlob}, nil
}

// Decrypt unwraps a data key with the key ID pinned, so a ciphertext of
// another key is refused too. A missing key, or a wrong ciphertext, key or
// context, is EINTEGRITY: the stored message was altered or its key is gone.
func (k *Keys) Decrypt(ctx context.Context, keyID string, ciphertext []byte, encCtx map[string]string) ([]byte, error) {
	out, err := k.KMS.Decrypt(ctx, &kms.DecryptInput{
		KeyId:             aws.String(keyID),
		CiphertextBlob:    ciphertext,
		EncryptionContext: encCtx,
	})
	var (
		invalid   *types.InvalidCiphertextException
		incorrect *types.IncorrectKeyException
		notFound  *types.NotFoundException
	)
	switch {
	case errors.As(err, &notFound):
		return nil, fmt.Errorf("%w: kmskeys: %v", imageapp.ErrKeyMissing(), err)
	case errors.As(err, &invalid), errors.As(err, &incorrect):
		return nil, fmt.Errorf("%w: kmskeys: %v", imageapp.ErrKeyMismatch(), err)
	case err != nil:
		return nil, fmt.Errorf("kmskeys: decrypt: %w", err)
	}
	return out.Plaintext, nil
}

func isNotFound(err error) bool {
	var nf *types.NotFoundException
	return errors.As(err, &nf)
}
