package local

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
)

// Keyring mirrors the KMS calls the app makes. Each user gets a random
// 256-bit key, stored wrapped by the master key; data keys are wrapped by the
// user's key with AES-GCM whose associated data is the encryption context,
// so unwrapping under any other context fails, as with KMS.
type Keyring struct {
	DB        *DB
	MasterKey []byte

	mu    sync.Mutex
	cache map[string]cipher.AEAD // unwrapped user keys, by key ID
}

var _ imageapp.Keys = (*Keyring)(nil)

const wrapVersion = 1

// CreateUserKey returns the user's key ID, creating the key on first call.
func (k *Keyring) CreateUserKey(ctx context.Context, userID string) (string, error) {
	var id string
	err := k.DB.queryRow(ctx, `SELECT id FROM user_keys WHERE user_id = ?`, userID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !isNoRows(err) {
		return "", fmt.Errorf("local: keyring: %w", err)
	}
	id = "lk-" + fmt.Sprintf("%x", random(16))
	wrapped, err := seal(k.MasterKey, random(32), []byte("imageapp-keyring-v1|user-key|"+id))
	if err != nil {
		return "", err
	}
	_, err = k.DB.exec(ctx, `INSERT INTO user_keys (id, user_id, wrapped, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO NOTHING`, id, userID, wrapped, time.Now().UnixNano())
	if err != nil {
		return "", fmt.Errorf("local: keyring: store key: %w", dbError(err))
	}
	// A concurrent call may have won the insert: return whichever key is stored.
	if err := k.DB.queryRow(ctx, `SELECT id FROM user_keys WHERE user_id = ?`, userID).Scan(&id); err != nil {
		return "", fmt.Errorf("local: keyring: %w", err)
	}
	return id, nil
}

// GenerateDataKey returns a fresh AES-256 data key wrapped under keyID.
func (k *Keyring) GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) (imageapp.DataKey, error) {
	userKey, err := k.userKey(ctx, keyID)
	if err != nil {
		return imageapp.DataKey{}, err
	}
	dek := random(envelope.KeySize)
	wrapped, err := sealWith(userKey, dek, dataKeyAAD(keyID, encCtx))
	if err != nil {
		return imageapp.DataKey{}, err
	}
	return imageapp.DataKey{Plaintext: dek, Ciphertext: wrapped}, nil
}

// Decrypt unwraps a data key; a wrong key, ciphertext or context is EINTEGRITY.
func (k *Keyring) Decrypt(ctx context.Context, keyID string, ciphertext []byte, encCtx map[string]string) ([]byte, error) {
	userKey, err := k.userKey(ctx, keyID)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return nil, imageapp.ErrKeyMissing()
	} else if err != nil {
		return nil, err
	}
	dek, err := openWith(userKey, ciphertext, dataKeyAAD(keyID, encCtx))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", imageapp.ErrKeyMismatch(), err)
	}
	return dek, nil
}

func dataKeyAAD(keyID string, encCtx map[string]string) []byte {
	return append([]byte("imageapp-keyring-v1|data-key|"+keyID+"|"), envelope.Canonical(encCtx)...)
}

func (k *Keyring) userKey(ctx context.Context, keyID string) (cipher.AEAD, error) {
	k.mu.Lock()
	aead, ok := k.cache[keyID]
	k.mu.Unlock()
	if ok {
		return aead, nil
	}
	var wrapped []byte
	err := k.DB.queryRow(ctx, `SELECT wrapped FROM user_keys WHERE id = ?`, keyID).Scan(&wrapped)
	if isNoRows(err) {
		return nil, imageapp.Errorf(imageapp.ENOTFOUND, "No such key.")
	} else if err != nil {
		return nil, fmt.Errorf("local: keyring: %w", err)
	}
	raw, err := open(k.MasterKey, wrapped, []byte("imageapp-keyring-v1|user-key|"+keyID))
	if err != nil {
		return nil, fmt.Errorf("local: keyring: the master key does not unwrap key %s (wrong IMAGEAPP_MASTER_KEY?): %w", keyID, err)
	}
	aead, err = newGCM(raw)
	clear(raw)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.cache == nil {
		k.cache = map[string]cipher.AEAD{}
	}
	k.cache[keyID] = aead
	k.mu.Unlock()
	return aead, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func seal(key, plaintext, aad []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return sealWith(aead, plaintext, aad)
}

func open(key, ciphertext, aad []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return openWith(aead, ciphertext, aad)
}

// sealWith lays out version || nonce || sealed.
func sealWith(aead cipher.AEAD, plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = wrapVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return aead.Seal(out, out[1:], plaintext, aad), nil
}

func openWith(aead cipher.AEAD, ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < 1+aead.NonceSize()+aead.Overhead() || ciphertext[0] != wrapVersion {
		return nil, errors.New("malformed wrapped key")
	}
	nonce := ciphertext[1 : 1+aead.NonceSize()]
	return aead.Open(nil, nonce, ciphertext[1+aead.NonceSize():], aad)
}
