package dynamostore

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// Who a user blocks is one item of the users table (a reserved key, no
// user's name: names have no '#'), a string set of user IDs:
//
//	username S = "#blocks#<blocker's user_id>" | blocked SS
//
// A send to someone reads it whole with one GetItem; block and unblock are
// one UpdateItem (ADD / DELETE on the set).

const attrBlocked = "blocked"

func blocksKey(blockerID string) item { return item{attrUsername: str("#blocks#" + blockerID)} }

// SetBlocked adds blockedID to, or removes it from, blockerID's set.
func (d *Directory) SetBlocked(ctx context.Context, blockerID, blockedID string, blocked bool) error {
	in := &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       blocksKey(blockerID),
		UpdateExpression:          aws.String("DELETE #blocked :id"),
		ExpressionAttributeNames:  map[string]string{"#blocked": attrBlocked},
		ExpressionAttributeValues: item{":id": &types.AttributeValueMemberSS{Value: []string{blockedID}}},
	}
	if blocked {
		in.UpdateExpression = aws.String("ADD #blocked :id")
		in.ConditionExpression = aws.String("attribute_not_exists(#blocked) OR size(#blocked) < :max OR contains(#blocked, :one)")
		in.ExpressionAttributeValues[":max"] = num(imageapp.MaxBlocked)
		in.ExpressionAttributeValues[":one"] = str(blockedID)
	}
	_, err := d.DB.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		return imageapp.Errorf(imageapp.EINVALID, "You can block at most %d people.", imageapp.MaxBlocked)
	}
	if err != nil {
		return storeError("block", err)
	}
	return nil
}

// Blocked reads blockerID's set, strongly consistent: an unblock counts
// from the next send on.
func (d *Directory) Blocked(ctx context.Context, blockerID string) ([]string, error) {
	return d.stringSet(ctx, blocksKey(blockerID), attrBlocked, "blocked")
}

// stringSet reads the string set attr of the item at key, strongly
// consistent; a missing item or attribute is an empty set.
func (d *Directory) stringSet(ctx context.Context, key item, attr, what string) ([]string, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.Table),
		Key:            key,
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, storeError(what, err)
	}
	if set, ok := out.Item[attr].(*types.AttributeValueMemberSS); ok {
		return set.Value, nil
	}
	return nil, nil
}
