package dynamostore

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// The key of an idempotent send (imageapp.SendKeys) is an item of the
// messages table, in no index (no sort_key, no recipient_id):
//
//	message_id S = "sendkey#<sender's user_id>#<key>" | claimed_at N (unix nanos)
//	sent_id S: the message the send made, absent while it runs
//	expires_at N (unix seconds, the table's TTL): SendKeyTTL after the claim
//
// The TTL removes old keys within days; until then the claim's condition
// treats an item past expires_at as gone.

const (
	attrSentID    = "sent_id"
	attrClaimedAt = "claimed_at"
)

var _ imageapp.SendKeys = (*Messages)(nil)

func sendKeyID(senderID, key string) string { return "sendkey#" + senderID + "#" + key }

// ClaimSendKey implements imageapp.SendKeys: one conditional put, which
// returns the item it found when it may not claim it.
func (s *Messages) ClaimSendKey(ctx context.Context, senderID, key string, now time.Time) (string, error) {
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: item{
			attrMessageID: str(sendKeyID(senderID, key)),
			attrClaimedAt: num(now.UnixNano()),
			attrExpiresAt: num(now.Add(imageapp.SendKeyTTL).Unix()),
		},
		ConditionExpression: aws.String("attribute_not_exists(#id) OR #exp < :now OR (attribute_not_exists(#sent) AND #claimed < :stale)"),
		ExpressionAttributeNames: map[string]string{
			"#id": attrMessageID, "#exp": attrExpiresAt, "#sent": attrSentID, "#claimed": attrClaimedAt,
		},
		ExpressionAttributeValues: item{
			":now":   num(now.Unix()),
			":stale": num(now.Add(-imageapp.SendKeyClaimTTL).UnixNano()),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		d := &decoder{it: ccf.Item}
		if id := d.str(attrSentID); id != "" {
			return id, nil
		}
		return "", imageapp.ErrSendKeyBusy()
	}
	if err != nil {
		return "", storeError("claim send key", err)
	}
	return "", nil
}

// FinishSendKey implements imageapp.SendKeys.
func (s *Messages) FinishSendKey(ctx context.Context, senderID, key, messageID string) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       item{attrMessageID: str(sendKeyID(senderID, key))},
		UpdateExpression:          aws.String("SET #sent = :id"),
		ExpressionAttributeNames:  map[string]string{"#sent": attrSentID},
		ExpressionAttributeValues: item{":id": str(messageID)},
	})
	if err != nil {
		return storeError("finish send key", err)
	}
	return nil
}

// ReleaseSendKey implements imageapp.SendKeys.
func (s *Messages) ReleaseSendKey(ctx context.Context, senderID, key string) error {
	_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.Table),
		Key:                      item{attrMessageID: str(sendKeyID(senderID, key))},
		ConditionExpression:      aws.String("attribute_not_exists(#sent)"),
		ExpressionAttributeNames: map[string]string{"#sent": attrSentID},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("release send key", err)
	}
	return nil
}
