package dynamostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"imageapp/app/aws/dynamostore"
	"imageapp/app/imageapp"
)

// usersRole refuses what the app's IAM role refuses on the users table
// (terraform/iam.tf): any PutItem but the cookie key ring's, any DeleteItem.
type usersRole struct {
	dynamostore.API
	users string
}

var errDenied = errors.New("AccessDeniedException: not allowed by the app's role")

func (r usersRole) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if aws.ToString(in.TableName) == r.users {
		return nil, errDenied
	}
	return r.API.PutItem(ctx, in, o...)
}

func (r usersRole) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if aws.ToString(in.TableName) == r.users {
		return nil, errDenied
	}
	return r.API.DeleteItem(ctx, in, o...)
}

// TestSignInStoresNeedOnlyTheAppsRole runs every two-factor, passkey and
// push change through the app's role: none puts or deletes an item of the
// users table, and taking it all back reads as nothing there.
func TestSignInStoresNeedOnlyTheAppsRole(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	d := &dynamostore.Directory{DB: usersRole{API: f.client, users: f.users.Table}, Table: f.users.Table}
	const uid = "u-1"

	if err := d.PutTwoFactor(ctx, uid, imageapp.TwoFactor{SealedSecret: []byte("s"), WrappedKey: []byte("k")}); err != nil {
		t.Fatalf("put two-factor: %v", err)
	}
	if err := d.ConfirmTwoFactor(ctx, uid, []string{"h1", "h2"}, 7); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if err := d.UseTwoFactorStep(ctx, uid, 8); err != nil {
		t.Fatalf("use step: %v", err)
	}
	if err := d.UseRecoveryCode(ctx, uid, "h1"); err != nil {
		t.Fatalf("use recovery code: %v", err)
	}
	if err := d.DeleteTwoFactor(ctx, uid); err != nil {
		t.Fatalf("delete two-factor: %v", err)
	}
	if _, err := d.TwoFactor(ctx, uid); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("two-factor after deleting: %v; want ENOTFOUND", err)
	}
	if err := d.UseRecoveryCode(ctx, uid, "h2"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("a recovery code after deleting: %v; want ENOTFOUND", err)
	}
	if err := d.PutTwoFactor(ctx, uid, imageapp.TwoFactor{SealedSecret: []byte("s2"), WrappedKey: []byte("k2")}); err != nil {
		t.Fatalf("enrol again after deleting: %v", err)
	}

	id := []byte("credential-1")
	p := imageapp.Passkey{ID: id, UserID: uid, Name: "phone", Record: []byte("{}"), Created: time.Now()}
	if err := d.AddPasskey(ctx, p); err != nil {
		t.Fatalf("add passkey: %v", err)
	}
	if err := d.UsePasskey(ctx, id, 1, time.Now()); err != nil {
		t.Fatalf("use passkey: %v", err)
	}
	if err := d.RemovePasskey(ctx, uid, id); err != nil {
		t.Fatalf("remove passkey: %v", err)
	}
	if _, err := d.Passkey(ctx, id); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("passkey after removing: %v; want ENOTFOUND", err)
	}
	if err := d.AddPasskey(ctx, p); err != nil {
		t.Fatalf("add the removed passkey again: %v", err)
	}

	sub := imageapp.PushSubscription{UserID: uid, Endpoint: "https://push.example/x", P256dh: make([]byte, 65), Auth: make([]byte, 16), Created: time.Now()}
	if err := d.AddPushSubscription(ctx, sub); err != nil {
		t.Fatalf("add push subscription: %v", err)
	}
	if err := d.RemovePushSubscription(ctx, uid, sub.Endpoint); err != nil {
		t.Fatalf("remove push subscription: %v", err)
	}
}
