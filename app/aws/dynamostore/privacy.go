package dynamostore

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

const (
	// attrNoReadReceipts is true on a user who turned read receipts off;
	// absent otherwise.
	attrNoReadReceipts = "no_read_receipts"

	// attrNoMail is true on a user who turned email notifications off;
	// absent otherwise.
	attrNoMail = "no_mail"

	// HiddenPartition is the directory attribute of a user who asked not to
	// be listed: the directory-index keeps them under this key, which
	// ListUsers never queries. A value rather than a REMOVE, so PutUser's
	// if_not_exists keeps a hide in the same single write, with no read
	// first, and BackfillDirectory (which fills absent ones and moves legacy
	// "all" ones to their shard) leaves it be.
	HiddenPartition = "hidden"
)

// SetPrivacy stores the user's settings: the directory attribute moves the
// user out of the directory or into their shard of it, receipts are a flag.
func (d *Directory) SetPrivacy(ctx context.Context, userID string, p imageapp.Privacy) error {
	u, err := d.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	dir := DirectoryShard(u.Username)
	if !p.Listed {
		dir = HiddenPartition
	}
	off := func(on bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: !on} }
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(d.Table),
		Key:                 item{attrUsername: str(strings.ToLower(u.Username))},
		UpdateExpression:    aws.String("SET #dir = :dir, #norr = :norr, #nomail = :nomail, #mr = :mr"),
		ConditionExpression: aws.String("#uid = :id"),
		ExpressionAttributeNames: map[string]string{
			"#dir": attrDirectory, "#norr": attrNoReadReceipts, "#nomail": attrNoMail, "#mr": attrMessageRequests, "#uid": attrUserID},
		ExpressionAttributeValues: item{
			":dir": str(dir), ":norr": off(p.ReadReceipts), ":nomail": off(p.NotifyByMail), ":mr": off(!p.MessageRequests), ":id": str(userID)},
	})
	if isConditionFailed(err) {
		return imageapp.ErrNoSuchUser()
	}
	if err != nil {
		return storeError("set privacy", err)
	}
	return nil
}

// decodePrivacy reads the settings of a user item into u.
func decodePrivacy(it item, u *imageapp.User) {
	if v, ok := it[attrNoReadReceipts].(*types.AttributeValueMemberBOOL); ok {
		u.NoReadReceipts = v.Value
	}
	if v, ok := it[attrNoMail].(*types.AttributeValueMemberBOOL); ok {
		u.NoMail = v.Value
	}
	if v, ok := it[attrMessageRequests].(*types.AttributeValueMemberBOOL); ok {
		u.MessageRequests = v.Value
	}
	if v, ok := it[attrDirectory].(*types.AttributeValueMemberS); ok {
		u.Hidden = v.Value == HiddenPartition
	}
}
