package server

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
)

// assertWrappedUserKey: in the key hierarchy, u's key is an item of the
// users table that the root key opens for u alone, and no KMS key of u's
// exists.
func assertWrappedUserKey(t *testing.T, c awsbackend.Clients, res awstest.Resources, u imageapp.User) {
	t.Helper()
	ctx := context.Background()
	out, err := c.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(res.UsersTable),
		Key: map[string]ddbtypes.AttributeValue{"username": &ddbtypes.AttributeValueMemberS{Value: dynamostore.UserKeyPrefix + u.ID}}})
	wrapped, ok := out.Item["wrapped"].(*ddbtypes.AttributeValueMemberB)
	if err != nil || !ok {
		t.Fatalf("no wrapped user key of %s in %s: %v (%v)", u.Username, res.UsersTable, out.Item, err)
	}
	userCtx := func(id string) map[string]string {
		return map[string]string{"app": "imageapp", "user_id": id, "purpose": kmskeys.PurposeUserKey}
	}
	plain, err := c.KMS.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(res.RootKeyID), CiphertextBlob: wrapped.Value, EncryptionContext: userCtx(u.ID)})
	if err != nil || len(plain.Plaintext) != 32 {
		t.Errorf("the root key opens %s's key: %v; want a 32-byte key", u.Username, err)
	}
	if _, err := c.KMS.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(res.RootKeyID), CiphertextBlob: wrapped.Value, EncryptionContext: userCtx("someone-else")}); err == nil {
		t.Errorf("%s's wrapped key opened under another user's context", u.Username)
	}
	if _, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/imageapp/user/" + u.ID)}); err == nil {
		t.Errorf("%s has a KMS key of their own in the key hierarchy", u.Username)
	}
}

// assertDataKeyOpensUnderTheUserKey: the stored data key opens, through a
// fresh instance's hierarchy, under the message's context and no other.
func assertDataKeyOpensUnderTheUserKey(t *testing.T, c awsbackend.Clients, res awstest.Resources, item map[string]ddbtypes.AttributeValue, id string, from, to imageapp.User) {
	t.Helper()
	ctx := context.Background()
	wrapped, ok := item["wrapped_key"].(*ddbtypes.AttributeValueMemberB)
	if !ok {
		t.Fatalf("wrapped_key is %T", item["wrapped_key"])
	}
	keys := &kmskeys.Hierarchy{KMS: c.KMS, RootKeyID: res.RootKeyID, AppName: "imageapp",
		Store: &dynamostore.UserKeys{DB: c.DynamoDB, Table: res.UsersTable}}
	right := map[string]string{"app": "imageapp", "message_id": id, "sender_id": from.ID, "recipient_id": to.ID}
	if dek, err := keys.Decrypt(ctx, to.KeyID, wrapped.Value, right); err != nil || len(dek) != 32 {
		t.Fatalf("the stored data key under bob's user key: %v; want a 32-byte key", err)
	}
	for name, wrong := range map[string]map[string]string{
		"another message": {"app": "imageapp", "message_id": "0000", "sender_id": from.ID, "recipient_id": to.ID},
		"swapped roles":   {"app": "imageapp", "message_id": id, "sender_id": to.ID, "recipient_id": from.ID},
	} {
		if _, err := keys.Decrypt(ctx, to.KeyID, wrapped.Value, wrong); imageapp.ErrorCode(err) != imageapp.EINTEGRITY {
			t.Errorf("the data key opened with the context of %s: %v", name, err)
		}
	}
	if _, err := keys.Decrypt(ctx, from.KeyID, wrapped.Value, right); imageapp.ErrorCode(err) != imageapp.EINTEGRITY {
		t.Errorf("bob's data key opened under alice's user key: %v", err)
	}
}
