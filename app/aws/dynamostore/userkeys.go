package dynamostore

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// UserKeyPrefix starts the users-table key of each wrapped user key (key
// hierarchy mode): no username starts with '#' (reservedKey), and the item
// has no user_id or directory, so no index holds it.
const UserKeyPrefix = "#user-key#"

// UserKeys keeps each user's key, wrapped under the deployment's root KMS
// key, in an item of the users table (kmskeys.UserKeyStore):
//
//	username S = "#user-key#<user_id>" | wrapped B | created_at N
//
// Deleting the item is the account's crypto-shred: without it nothing can
// unwrap the user's data keys. Point-in-time recovery keeps a deleted item
// for its window (terraform/README.md, "Key modes").
type UserKeys struct {
	DB    API
	Table string
	Now   func() time.Time
}

func (u *UserKeys) key(userID string) item { return item{attrUsername: str(UserKeyPrefix + userID)} }

// PutUserKey stores wrapped unless a key is stored already, in one
// conditional update, and returns the stored one.
func (u *UserKeys) PutUserKey(ctx context.Context, userID string, wrapped []byte) ([]byte, error) {
	now := time.Now
	if u.Now != nil {
		now = u.Now
	}
	out, err := u.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(u.Table),
		Key:                       u.key(userID),
		UpdateExpression:          aws.String("SET #wrapped = if_not_exists(#wrapped, :wrapped), #created = if_not_exists(#created, :created)"),
		ExpressionAttributeNames:  map[string]string{"#wrapped": attrWrapped, "#created": attrCreatedAt},
		ExpressionAttributeValues: item{":wrapped": bin(wrapped), ":created": num(now().Unix())},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		return nil, storeError("put user key", err)
	}
	d := decoder{it: out.Attributes}
	stored := d.bin(attrWrapped)
	return stored, d.err
}

// UserKey reads userID's wrapped key (strongly consistent: a key just put
// by the trigger is there); ENOTFOUND when there is none.
func (u *UserKeys) UserKey(ctx context.Context, userID string) ([]byte, error) {
	out, err := u.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(u.Table), Key: u.key(userID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, storeError("read user key", err)
	}
	d := decoder{it: out.Item}
	wrapped := d.bin(attrWrapped)
	if d.err != nil {
		return nil, d.err
	}
	if len(wrapped) == 0 {
		return nil, imageapp.Errorf(imageapp.ENOTFOUND, "No such key.")
	}
	return wrapped, nil
}

// DeleteUserKey erases userID's wrapped key; a missing one is not an error.
func (u *UserKeys) DeleteUserKey(ctx context.Context, userID string) error {
	_, err := u.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(u.Table), Key: u.key(userID)})
	if err != nil {
		return storeError("delete user key", err)
	}
	return nil
}
