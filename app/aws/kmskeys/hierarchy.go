package kmskeys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
)

// Key modes (IMAGEAPP_KEY_MODE, Terraform's key_mode).
const (
	// ModeHierarchy: one KMS key per deployment (the root key) wraps a
	// user key per user, kept in the app's store; message data keys are
	// wrapped under the user key by the app. Cost and KMS quotas do not
	// grow with users. The default.
	ModeHierarchy = "hierarchy"
	// ModePerUserKMS: a KMS key per user (Keys), for operators who want a
	// key policy and CloudTrail events per user, at $1 per user per month.
	ModePerUserKMS = "per-user-kms"
)

// PurposeUserKey is the purpose in the encryption context of a wrapped user
// key (terraform/kms.tf lets the app use the root key only with it).
const PurposeUserKey = "user-key"

// UserKeyCacheTTL is how long an unwrapped user key stays in memory, and
// so how long another instance may still use a key destroyed meanwhile.
const UserKeyCacheTTL = 5 * time.Minute

// DefaultMaxCachedUserKeys bounds the cache: 32 bytes of key and a few
// words each, so about 1 MiB at most.
const DefaultMaxCachedUserKeys = 10_000

// hierarchyKeyPrefix starts every key ID Hierarchy hands out: what follows
// is the user ID, which is where the wrapped user key is stored.
const hierarchyKeyPrefix = "user-key/"

// UserKeyStore keeps each user's wrapped user key (dynamostore.UserKeys).
type UserKeyStore interface {
	// PutUserKey stores wrapped as userID's key unless one is stored
	// already, and returns the one stored: racing callers all get the first.
	PutUserKey(ctx context.Context, userID string, wrapped []byte) ([]byte, error)
	// UserKey returns userID's wrapped key; ENOTFOUND when there is none.
	UserKey(ctx context.Context, userID string) ([]byte, error)
	// DeleteUserKey erases userID's wrapped key; a missing key is not an error.
	DeleteUserKey(ctx context.Context, userID string) error
}

// RootAPI is the part of the KMS client Hierarchy uses: only the root key's
// data-key calls, never CreateKey or CreateAlias.
type RootAPI interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, optFns ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// Hierarchy implements imageapp.Keys with one KMS key for the deployment.
// A user's key is a 256-bit data key generated under the root key with the
// encryption context {app, user_id, purpose: user-key}, stored wrapped in
// Store; KMS unwraps it only for that user. A message data key is wrapped
// under the user key with AES-256-GCM whose associated data is the
// message's encryption context (canonically encoded), so a wrapped key moved
// to another message, user or key fails to open, as with KMS.
// Destroying a user key deletes its wrapped copy: nothing can unwrap it
// again (see terraform/README.md for what backups keep).
//
// KMS calls: CreateUserKey one GenerateDataKey; a send or an open one
// Decrypt of the user key when it is not in the cache, none when it is.
type Hierarchy struct {
	KMS       RootAPI
	RootKeyID string // the deployment's KMS key (IMAGEAPP_ROOT_KEY_ID)
	AppName   string
	Store     UserKeyStore

	MaxCached int              // zero means DefaultMaxCachedUserKeys
	Now       func() time.Time // nil means time.Now

	mu    sync.Mutex
	cache map[string]cachedUserKey // unwrapped user keys by key ID
}

type cachedUserKey struct {
	aead  cipher.AEAD
	until time.Time
}

var _ imageapp.Keys = (*Hierarchy)(nil)

// CreateUserKey returns userID's key ID, generating and storing the user
// key on first call. Concurrent first calls all get the key stored first.
func (h *Hierarchy) CreateUserKey(ctx context.Context, userID string) (string, error) {
	if !aliasSafe.MatchString(userID) {
		return "", fmt.Errorf("kmskeys: user ID %q cannot name a user key", userID)
	}
	keyID := hierarchyKeyPrefix + userID
	_, err := h.Store.UserKey(ctx, userID)
	if err == nil {
		return keyID, nil
	}
	if imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		return "", fmt.Errorf("kmskeys: read user key: %w", err)
	}
	out, err := h.KMS.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId: aws.String(h.RootKeyID), KeySpec: types.DataKeySpecAes256, EncryptionContext: h.userKeyContext(userID),
	})
	if err != nil {
		return "", fmt.Errorf("kmskeys: generate user key under the root key: %w", err)
	}
	defer clear(out.Plaintext)
	stored, err := h.Store.PutUserKey(ctx, userID, out.CiphertextBlob)
	if err != nil {
		return "", fmt.Errorf("kmskeys: store user key: %w", err)
	}
	if string(stored) == string(out.CiphertextBlob) {
		if aead, err := newGCM(out.Plaintext); err == nil {
			h.remember(keyID, aead)
		}
	}
	return keyID, nil
}

// GenerateDataKey makes a random AES-256 data key and wraps it under the
// user key of keyID, bound to encCtx. No KMS call when the user key is cached.
func (h *Hierarchy) GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) (imageapp.DataKey, error) {
	aead, err := h.userKey(ctx, keyID)
	if err != nil {
		return imageapp.DataKey{}, err
	}
	dek := make([]byte, envelope.KeySize)
	if _, err := rand.Read(dek); err != nil {
		return imageapp.DataKey{}, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return imageapp.DataKey{}, err
	}
	wrapped := append([]byte{wrapVersion}, nonce...)
	wrapped = aead.Seal(wrapped, nonce, dek, dataKeyAAD(keyID, encCtx))
	return imageapp.DataKey{Plaintext: dek, Ciphertext: wrapped}, nil
}

// Decrypt unwraps a data key of GenerateDataKey. A destroyed user key is
// ErrKeyMissing; a wrong ciphertext, key or context ErrKeyMismatch.
func (h *Hierarchy) Decrypt(ctx context.Context, keyID string, ciphertext []byte, encCtx map[string]string) ([]byte, error) {
	aead, err := h.userKey(ctx, keyID)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(ciphertext) < 1+n+aead.Overhead() || ciphertext[0] != wrapVersion {
		return nil, fmt.Errorf("%w: kmskeys: malformed wrapped data key", imageapp.ErrKeyMismatch())
	}
	dek, err := aead.Open(nil, ciphertext[1:1+n], ciphertext[1+n:], dataKeyAAD(keyID, encCtx))
	if err != nil {
		return nil, fmt.Errorf("%w: kmskeys: %v", imageapp.ErrKeyMismatch(), err)
	}
	return dek, nil
}

// DestroyUserKey deletes the wrapped user key, the only copy outside a
// memory cache, and drops it from this instance's cache. Other instances
// may hold it unwrapped for up to UserKeyCacheTTL.
func (h *Hierarchy) DestroyUserKey(ctx context.Context, keyID string) error {
	userID, err := userOfKey(keyID)
	if err != nil {
		return err
	}
	h.mu.Lock()
	delete(h.cache, keyID)
	h.mu.Unlock()
	if err := h.Store.DeleteUserKey(ctx, userID); err != nil {
		return fmt.Errorf("kmskeys: delete user key: %w", err)
	}
	return nil
}

// wrapVersion starts every data key wrapped under a user key.
const wrapVersion = 1

// dataKeyAAD binds a wrapped data key to its user key and message.
func dataKeyAAD(keyID string, encCtx map[string]string) []byte {
	return append([]byte("imageapp-user-key-v1|data-key|"+keyID+"|"), envelope.Canonical(encCtx)...)
}

func (h *Hierarchy) userKeyContext(userID string) map[string]string {
	return map[string]string{"app": h.AppName, "user_id": userID, "purpose": PurposeUserKey}
}

func userOfKey(keyID string) (string, error) {
	userID, ok := strings.CutPrefix(keyID, hierarchyKeyPrefix)
	if !ok || !aliasSafe.MatchString(userID) {
		return "", fmt.Errorf("%w: kmskeys: %q is not a user key of the key hierarchy", imageapp.ErrKeyMissing(), keyID)
	}
	return userID, nil
}

// userKey returns the unwrapped user key of keyID, from the cache or from
// the store and one KMS Decrypt pinned to the root key.
func (h *Hierarchy) userKey(ctx context.Context, keyID string) (cipher.AEAD, error) {
	userID, err := userOfKey(keyID)
	if err != nil {
		return nil, err
	}
	now := h.now()
	h.mu.Lock()
	c, ok := h.cache[keyID]
	h.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.aead, nil
	}
	wrapped, err := h.Store.UserKey(ctx, userID)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return nil, fmt.Errorf("%w: kmskeys: no user key for %s (destroyed?)", imageapp.ErrKeyMissing(), userID)
	} else if err != nil {
		return nil, fmt.Errorf("kmskeys: read user key: %w", err)
	}
	out, err := h.KMS.Decrypt(ctx, &kms.DecryptInput{
		KeyId: aws.String(h.RootKeyID), CiphertextBlob: wrapped, EncryptionContext: h.userKeyContext(userID),
	})
	var invalid *types.InvalidCiphertextException
	var incorrect *types.IncorrectKeyException
	switch {
	case errors.As(err, &invalid), errors.As(err, &incorrect):
		// A wrapped key copied from another user, or made under another root key.
		return nil, fmt.Errorf("%w: kmskeys: the user key of %s does not open: %v", imageapp.ErrKeyMismatch(), userID, err)
	case err != nil:
		return nil, fmt.Errorf("kmskeys: unwrap user key with the root key: %w", err)
	}
	aead, err := newGCM(out.Plaintext)
	clear(out.Plaintext)
	if err != nil {
		return nil, err
	}
	h.remember(keyID, aead)
	return aead, nil
}

// remember caches aead for UserKeyCacheTTL. Expired keys leave first; if
// the cache is still full, an arbitrary entry makes room.
func (h *Hierarchy) remember(keyID string, aead cipher.AEAD) {
	now := h.now()
	limit := h.MaxCached
	if limit <= 0 {
		limit = DefaultMaxCachedUserKeys
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cache == nil {
		h.cache = map[string]cachedUserKey{}
	}
	if _, ok := h.cache[keyID]; !ok && len(h.cache) >= limit {
		for id, c := range h.cache {
			if !now.Before(c.until) {
				delete(h.cache, id)
			}
		}
		for id := range h.cache {
			if len(h.cache) < limit {
				break
			}
			delete(h.cache, id)
		}
	}
	h.cache[keyID] = cachedUserKey{aead: aead, until: now.Add(UserKeyCacheTTL)}
}

// Cached is how many user keys this instance holds unwrapped (for tests).
func (h *Hierarchy) Cached() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.cache)
}

func (h *Hierarchy) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("kmskeys: user key: %w", err)
	}
	return cipher.NewGCM(block)
}
