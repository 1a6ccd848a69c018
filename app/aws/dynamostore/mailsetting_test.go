package dynamostore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// TestMailSettingSurvivesReprovisioningAndGoesWithTheAccount: mail off is
// kept by a PutUser (provisioning again), and a deleted user's tombstone
// keeps nothing but its name and retirement: no setting of theirs stays.
func TestMailSettingSurvivesReprovisioningAndGoesWithTheAccount(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	u := imageapp.User{ID: "id-bob", Username: "Bob", Email: "bob@example.com", KeyID: "k", Topic: "t"}
	if err := f.users.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := f.users.SetPrivacy(ctx, u.ID, imageapp.Privacy{}); err != nil {
		t.Fatal(err)
	}
	if err := f.users.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := f.users.UserByUsername(ctx, "bob")
	if err != nil || imageapp.PrivacyOf(got) != (imageapp.Privacy{}) {
		t.Fatalf("after PutUser, bob's privacy = %+v (%v); want everything off as set", imageapp.PrivacyOf(got), err)
	}

	if err := f.users.DeleteUser(ctx, got, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	out, err := f.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &f.users.Table,
		Key: map[string]types.AttributeValue{"username": &types.AttributeValueMemberS{Value: "bob"}}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var attrs []string
	for name := range out.Item {
		attrs = append(attrs, name)
	}
	slices.Sort(attrs)
	if !slices.Equal(attrs, []string{"retired_until", "username"}) {
		t.Errorf("the deleted user's item keeps %v; want only username and retired_until", attrs)
	}
}
