package kmskeys_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/imageapp"
)

// countingRoot counts the KMS calls the hierarchy makes.
type countingRoot struct {
	kmskeys.RootAPI
	generates, decrypts atomic.Int32
}

func (c *countingRoot) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, o ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error) {
	c.generates.Add(1)
	return c.RootAPI.GenerateDataKey(ctx, in, o...)
}

func (c *countingRoot) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	c.decrypts.Add(1)
	return c.RootAPI.Decrypt(ctx, in, o...)
}

var hierarchyTables atomic.Int32

type hierarchyFixture struct {
	kms   *kms.Client
	root  string
	store *dynamostore.UserKeys
}

// newHierarchyFixture makes a root key and a users table on the emulators.
func newHierarchyFixture(t *testing.T) hierarchyFixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := awsbackend.NewClients(cfg)
	root, err := c.KMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("root key of a test")})
	if err != nil {
		t.Fatal(err)
	}
	n := hierarchyTables.Add(1)
	users, messages := fmt.Sprintf("hk%d-users", n), fmt.Sprintf("hk%d-messages", n)
	if err := dynamostore.CreateTables(ctx, c.DynamoDB, users, messages); err != nil {
		t.Fatal(err)
	}
	return hierarchyFixture{kms: c.KMS, root: aws.ToString(root.KeyMetadata.KeyId), store: &dynamostore.UserKeys{DB: c.DynamoDB, Table: users}}
}

// instance is one app instance over the fixture: its own cache and counters.
func (f hierarchyFixture) instance(now func() time.Time) (*kmskeys.Hierarchy, *countingRoot) {
	calls := &countingRoot{RootAPI: f.kms}
	return &kmskeys.Hierarchy{KMS: calls, RootKeyID: f.root, AppName: "imageapp", Store: f.store, Now: now}, calls
}

func countKeys(t *testing.T, c *kms.Client) int {
	t.Helper()
	n := 0
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Keys)
	}
	return n
}

func TestHierarchyUserKeysCreateNoKMSKeyAndAreIdempotent(t *testing.T) {
	ctx := context.Background()
	f := newHierarchyFixture(t)
	h, calls := f.instance(nil)
	before := countKeys(t, f.kms)
	first, err := h.CreateUserKey(ctx, "user-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.CreateUserKey(ctx, "user-1")
	if err != nil || again != first {
		t.Fatalf("second create = %q, %v; want %q", again, err, first)
	}
	other, err := h.CreateUserKey(ctx, "user-2")
	if err != nil || other == first {
		t.Fatalf("another user got %q (%v); want a key of their own", other, err)
	}
	if after := countKeys(t, f.kms); after != before {
		t.Errorf("KMS holds %d keys after provisioning two users, %d before: the hierarchy must create none", after, before)
	}
	if got := calls.generates.Load(); got != 2 {
		t.Errorf("%d GenerateDataKey calls for two users; want one each", got)
	}
	wrapped, err := f.store.UserKey(ctx, "user-1")
	if err != nil {
		t.Fatal(err)
	}
	// The user ID is in the encryption context: the root key opens the
	// wrapped key for its user only.
	if _, err := f.kms.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped, KeyId: aws.String(f.root),
		EncryptionContext: map[string]string{"app": "imageapp", "user_id": "user-2", "purpose": kmskeys.PurposeUserKey}}); err == nil {
		t.Error("user-1's wrapped key opened under user-2's context")
	}
	if _, err := h.CreateUserKey(ctx, "a/b"); err == nil {
		t.Error("a user ID with a slash named a key")
	}
}

func TestHierarchyDataKeysAreBoundToKeyAndContext(t *testing.T) {
	ctx := context.Background()
	f := newHierarchyFixture(t)
	h, _ := f.instance(nil)
	keyID, err := h.CreateUserKey(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := h.CreateUserKey(ctx, "carol")
	if err != nil {
		t.Fatal(err)
	}
	encCtx := map[string]string{"app": "imageapp", "message_id": "m1", "sender_id": "alice", "recipient_id": "bob"}
	dk, err := h.GenerateDataKey(ctx, keyID, encCtx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dk.Plaintext) != 32 || bytes.Contains(dk.Ciphertext, dk.Plaintext) {
		t.Fatalf("data key of %d bytes, wrapped %x; want 32 bytes, not in the clear", len(dk.Plaintext), dk.Ciphertext)
	}
	// Another instance (a cold cache) opens it through the store and KMS.
	cold, _ := f.instance(nil)
	got, err := cold.Decrypt(ctx, keyID, dk.Ciphertext, encCtx)
	if err != nil || !bytes.Equal(got, dk.Plaintext) {
		t.Fatalf("decrypt with the right context = %x, %v; want the data key", got, err)
	}
	moved := map[string]string{"app": "imageapp", "message_id": "m2", "sender_id": "alice", "recipient_id": "bob"}
	flipped := bytes.Clone(dk.Ciphertext)
	flipped[len(flipped)-5] ^= 1
	for name, tc := range map[string]struct {
		keyID      string
		ciphertext []byte
		ctx        map[string]string
	}{
		"another message's context": {keyID, dk.Ciphertext, moved},
		"no context":                {keyID, dk.Ciphertext, nil},
		"a flipped bit":             {keyID, flipped, encCtx},
		"another user's key":        {otherKey, dk.Ciphertext, encCtx},
		"garbage":                   {keyID, []byte("not a ciphertext at all"), encCtx},
		"a per-user KMS key ID":     {"1234abcd-12ab-34cd-56ef-1234567890ab", dk.Ciphertext, encCtx},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := h.Decrypt(ctx, tc.keyID, tc.ciphertext, tc.ctx)
			if code := imageapp.ErrorCode(err); code != imageapp.EINTEGRITY {
				t.Errorf("decrypt = %v (code %q); want EINTEGRITY", err, code)
			}
		})
	}
}

func TestHierarchyAWrappedUserKeyMovedToAnotherUserDoesNotOpen(t *testing.T) {
	ctx := context.Background()
	f := newHierarchyFixture(t)
	h, _ := f.instance(nil)
	if _, err := h.CreateUserKey(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	alices, err := f.store.UserKey(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.PutUserKey(ctx, "mallory", alices); err != nil {
		t.Fatal(err)
	}
	_, err = h.GenerateDataKey(ctx, "user-key/mallory", map[string]string{"app": "imageapp"})
	if code := imageapp.ErrorCode(err); code != imageapp.EINTEGRITY {
		t.Errorf("a data key under alice's key copied to mallory = %v (code %q); want EINTEGRITY", err, code)
	}
}

func TestHierarchyCachesUserKeysBrieflyAndBounded(t *testing.T) {
	ctx := context.Background()
	f := newHierarchyFixture(t)
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	maker, _ := f.instance(now)
	keyID, err := maker.CreateUserKey(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	h, calls := f.instance(now)
	encCtx := map[string]string{"app": "imageapp", "message_id": "m"}
	for range 3 {
		if _, err := h.GenerateDataKey(ctx, keyID, encCtx); err != nil {
			t.Fatal(err)
		}
	}
	if got := calls.decrypts.Load(); got != 1 {
		t.Errorf("three sends to one user cost %d KMS Decrypts; want 1 (the user key, then cached)", got)
	}
	offset.Add(int64(kmskeys.UserKeyCacheTTL + time.Second))
	if _, err := h.GenerateDataKey(ctx, keyID, encCtx); err != nil {
		t.Fatal(err)
	}
	if got := calls.decrypts.Load(); got != 2 {
		t.Errorf("after the cache's TTL, %d Decrypts in all; want the user key unwrapped again (2)", got)
	}

	small, _ := f.instance(now)
	small.MaxCached = 2
	for _, u := range []string{"u1", "u2", "u3", "u4"} {
		id, err := maker.CreateUserKey(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := small.GenerateDataKey(ctx, id, encCtx); err != nil {
			t.Fatal(err)
		}
	}
	if got := small.Cached(); got > 2 {
		t.Errorf("the cache holds %d user keys; want at most MaxCached (2)", got)
	}
}

func TestHierarchyDestroyShredsTheUserKey(t *testing.T) {
	ctx := context.Background()
	f := newHierarchyFixture(t)
	h, _ := f.instance(nil)
	keyID, err := h.CreateUserKey(ctx, "leaver")
	if err != nil {
		t.Fatal(err)
	}
	encCtx := map[string]string{"app": "imageapp", "message_id": "m"}
	dk, err := h.GenerateDataKey(ctx, keyID, encCtx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.DestroyUserKey(ctx, keyID); err != nil {
		t.Fatal(err)
	}
	if err := h.DestroyUserKey(ctx, keyID); err != nil {
		t.Errorf("destroying a destroyed key: %v; want no error", err)
	}
	if _, err := f.store.UserKey(ctx, "leaver"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("the wrapped user key is still stored (%v)", err)
	}
	for name, inst := range map[string]*kmskeys.Hierarchy{"the destroying instance": h, "another instance": func() *kmskeys.Hierarchy { c, _ := f.instance(nil); return c }()} {
		if _, err := inst.Decrypt(ctx, keyID, dk.Ciphertext, encCtx); imageapp.ErrorCode(err) != imageapp.EINTEGRITY {
			t.Errorf("%s unwrapped a data key of a destroyed user key: %v", name, err)
		}
	}
}
