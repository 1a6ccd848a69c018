package dynamostore

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// Message requests. The people a user knows are one item of the users
// table, like their blocks (a reserved key, a string set of user IDs):
//
//	username S = "#contacts#<user_id>" | contacts SS
//
// A send ADDs its recipient to the sender's set (one UpdateItem); a send
// to someone with message requests on reads their set (one GetItem).
//
// A request is a message whose recipient_id is request_recipient_id
// instead, keeping it out of the recipient's inbox indexes (recipient,
// unread, read) as a withheld message is; the sparse request-index
// (request_recipient_id, sort_key) lists a recipient's requests. It counts
// against the recipient's stored bytes like any message they hold.

const (
	attrContacts           = "contacts"
	attrRequestRecipientID = "request_recipient_id"
	// attrMessageRequests is true on a user who accepts images only from
	// people they know; absent otherwise.
	attrMessageRequests = "message_requests"

	RequestIndex = "request-index"
)

func contactsKey(userID string) item { return item{attrUsername: str("#contacts#" + userID)} }

// AddContact adds contactID to userID's set, unless the set is full.
func (d *Directory) AddContact(ctx context.Context, userID, contactID string) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      contactsKey(userID),
		UpdateExpression:         aws.String("ADD #c :id"),
		ConditionExpression:      aws.String("attribute_not_exists(#c) OR size(#c) < :max OR contains(#c, :one)"),
		ExpressionAttributeNames: map[string]string{"#c": attrContacts},
		ExpressionAttributeValues: item{
			":id":  &types.AttributeValueMemberSS{Value: []string{contactID}},
			":max": num(imageapp.MaxContacts),
			":one": str(contactID),
		},
	})
	if isConditionFailed(err) {
		return imageapp.Errorf(imageapp.EINVALID, "At most %d contacts are kept.", imageapp.MaxContacts)
	}
	if err != nil {
		return storeError("add contact", err)
	}
	return nil
}

// Knows reads userID's set, strongly consistent: an accept counts from the
// next send on.
func (d *Directory) Knows(ctx context.Context, userID, contactID string) (bool, error) {
	contacts, err := d.stringSet(ctx, contactsKey(userID), attrContacts, "knows")
	return slices.Contains(contacts, contactID), err
}

// AcceptRequests reads the recipient's part of the request-index and, for
// each of senderID's, moves it into the inbox indexes with one conditional
// UpdateItem (a request deleted meanwhile is skipped).
func (s *Messages) AcceptRequests(ctx context.Context, recipientID, senderID string) (int, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String(RequestIndex),
		KeyConditionExpression:    aws.String("#r = :r"),
		FilterExpression:          aws.String("#s = :s"),
		ProjectionExpression:      aws.String("#id"),
		ExpressionAttributeNames:  map[string]string{"#r": attrRequestRecipientID, "#s": attrSenderID, "#id": attrMessageID},
		ExpressionAttributeValues: item{":r": str(recipientID), ":s": str(senderID)},
	}
	accepted := 0
	for {
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return accepted, storeError("list requests", err)
		}
		for _, it := range out.Items {
			d := decoder{it: it}
			id := d.str(attrMessageID)
			if d.err != nil {
				return accepted, d.err
			}
			_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:                 aws.String(s.Table),
				Key:                       item{attrMessageID: str(id)},
				UpdateExpression:          aws.String("SET #rid = :r, #unread = :r REMOVE #req"),
				ConditionExpression:       aws.String("#req = :r AND attribute_exists(#sk)"),
				ExpressionAttributeNames:  map[string]string{"#rid": attrRecipientID, "#unread": attrUnreadRecipientID, "#req": attrRequestRecipientID, "#sk": attrSortKey},
				ExpressionAttributeValues: item{":r": str(recipientID)},
			})
			if isConditionFailed(err) {
				continue // deleted or accepted meanwhile
			}
			if err != nil {
				return accepted, storeError("accept request", err)
			}
			accepted++
		}
		if out.LastEvaluatedKey == nil {
			return accepted, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
