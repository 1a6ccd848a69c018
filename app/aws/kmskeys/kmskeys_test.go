package kmskeys_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
)

var stack *awstest.Stack

func TestMain(m *testing.M) {
	os.Exit(awstest.RunMain(m, awstest.Options{Services: []awstest.Service{awstest.KMS, awstest.DynamoDB}}, &stack))
}

func newKeys(t *testing.T) (*kmskeys.Keys, *kms.Client) {
	t.Helper()
	cfg, err := awsbackend.LoadConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	client := awsbackend.NewClients(cfg).KMS
	return &kmskeys.Keys{KMS: client, AppName: "imageapp"}, client
}

func TestCreateUserKeyIsIdempotentTaggedAndAliased(t *testing.T) {
	ctx := context.Background()
	keys, client := newKeys(t)
	first, err := keys.CreateUserKey(ctx, "user-1")
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	again, err := keys.CreateUserKey(ctx, "user-1")
	if err != nil || again != first {
		t.Fatalf("second create = %q, %v; want the same key %q", again, err, first)
	}

	alias, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/imageapp/user/user-1")})
	if err != nil {
		t.Fatalf("describe alias: %v", err)
	}
	if got := aws.ToString(alias.KeyMetadata.KeyId); got != first {
		t.Errorf("alias points at %q, want %q", got, first)
	}
	if spec := alias.KeyMetadata.KeySpec; spec != types.KeySpecSymmetricDefault {
		t.Errorf("key spec = %s, want SYMMETRIC_DEFAULT", spec)
	}
	tags, err := client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(first)})
	if err != nil {
		t.Fatalf("list tags: %v", err)
	}
	got := map[string]string{}
	for _, tag := range tags.Tags {
		got[aws.ToString(tag.TagKey)] = aws.ToString(tag.TagValue)
	}
	if got["app"] != "imageapp" || got["user_id"] != "user-1" {
		t.Errorf("tags = %v, want app=imageapp and user_id=user-1", got)
	}

	other, err := keys.CreateUserKey(ctx, "user-2")
	if err != nil || other == first {
		t.Errorf("another user got key %q (%v); want a key of their own", other, err)
	}
}

// racer plays the other side of a race: its first DescribeKey says the
// alias does not exist yet, and just before the adapter creates the alias,
// another caller (a retried trigger, the app provisioning lazily) does.
type racer struct {
	kmskeys.API
	real         *kms.Client
	described    bool
	winner, ours string
}

func (r *racer) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, o ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	if !r.described {
		r.described = true
		return nil, &types.NotFoundException{Message: aws.String("Alias does not exist")}
	}
	return r.API.DescribeKey(ctx, in, o...)
}

func (r *racer) CreateAlias(ctx context.Context, in *kms.CreateAliasInput, o ...func(*kms.Options)) (*kms.CreateAliasOutput, error) {
	other, err := r.real.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		return nil, err
	}
	r.winner, r.ours = aws.ToString(other.KeyMetadata.KeyId), aws.ToString(in.TargetKeyId)
	if _, err := r.real.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: in.AliasName, TargetKeyId: other.KeyMetadata.KeyId}); err != nil {
		return nil, err
	}
	return r.API.CreateAlias(ctx, in, o...)
}

func TestLosingTheAliasRaceReturnsTheWinnersKey(t *testing.T) {
	ctx := context.Background()
	_, client := newKeys(t)
	r := &racer{API: client, real: client}
	keys := &kmskeys.Keys{KMS: r, AppName: "imageapp"}
	got, err := keys.CreateUserKey(ctx, "racer")
	if err != nil {
		t.Fatalf("create key while losing the race: %v", err)
	}
	if got != r.winner {
		t.Errorf("returned key %q; want the key the alias names, %q", got, r.winner)
	}
	ours, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(r.ours)})
	if err != nil || ours.KeyMetadata.KeyState != types.KeyStatePendingDeletion {
		t.Errorf("the losing key is %v (%v); want it scheduled for deletion", ours.KeyMetadata.KeyState, err)
	}
}

func TestDataKeysAreBoundToKeyAndContext(t *testing.T) {
	ctx := context.Background()
	keys, _ := newKeys(t)
	keyID, err := keys.CreateUserKey(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := keys.CreateUserKey(ctx, "carol")
	if err != nil {
		t.Fatal(err)
	}
	encCtx := map[string]string{"app": "imageapp", "message_id": "m1", "sender_id": "alice", "recipient_id": "bob"}
	dk, err := keys.GenerateDataKey(ctx, keyID, encCtx)
	if err != nil {
		t.Fatalf("generate data key: %v", err)
	}
	if len(dk.Plaintext) != 32 {
		t.Fatalf("data key is %d bytes, want 32 (AES-256)", len(dk.Plaintext))
	}
	if bytes.Contains(dk.Ciphertext, dk.Plaintext) {
		t.Fatal("the wrapped key contains the plaintext key")
	}
	got, err := keys.Decrypt(ctx, keyID, dk.Ciphertext, encCtx)
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
	} {
		t.Run(name, func(t *testing.T) {
			_, err := keys.Decrypt(ctx, tc.keyID, tc.ciphertext, tc.ctx)
			if code := imageapp.ErrorCode(err); code != imageapp.EINTEGRITY {
				t.Errorf("decrypt = %v (code %q); want EINTEGRITY", err, code)
			}
		})
	}
}

func TestUnsafeUserIDsAreRefused(t *testing.T) {
	keys, _ := newKeys(t)
	for _, id := range []string{"", "a/b", "../x", "with space"} {
		if _, err := keys.CreateUserKey(context.Background(), id); err == nil {
			t.Errorf("CreateUserKey(%q) succeeded; an alias must not be built from it", id)
		}
	}
}
