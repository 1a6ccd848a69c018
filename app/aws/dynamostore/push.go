package dynamostore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// A user's Web Push subscriptions (imageapp.PushSubscriptions) are one item
// of the users table under a reserved key, a map keyed by the hash of the
// endpoint (an endpoint is a long URL):
//
//	username S = "#push#<user_id>" | push M {sha256(endpoint) hex: M{endpoint S, p256dh B, auth B, created_at N}}
//
// No index holds it. A send reads it with one GetItem.

const (
	attrPush     = "push"
	attrEndpoint = "endpoint"
	attrP256dh   = "p256dh"
	attrAuth     = "auth"
)

func pushKey(userID string) item { return item{attrUsername: str("#push#" + userID)} }

func endpointKey(endpoint string) string {
	sum := sha256.Sum256([]byte(endpoint))
	return hex.EncodeToString(sum[:])
}

var _ imageapp.PushSubscriptions = (*Directory)(nil)

// AddPushSubscription sets the endpoint's entry: it replaces one there, or
// adds one while the map has room.
func (d *Directory) AddPushSubscription(ctx context.Context, s imageapp.PushSubscription) error {
	entry := &types.AttributeValueMemberM{Value: item{
		attrEndpoint: str(s.Endpoint), attrP256dh: bin(s.P256dh), attrAuth: bin(s.Auth), attrCreatedAt: num(s.Created.UnixNano()),
	}}
	names := map[string]string{"#p": attrPush, "#e": endpointKey(s.Endpoint)}
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table), Key: pushKey(s.UserID),
		UpdateExpression:          aws.String("SET #p.#e = :entry"),
		ConditionExpression:       aws.String("attribute_exists(#p.#e) OR size(#p) < :max"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: item{":entry": entry, ":max": num(imageapp.MaxPushSubscriptions)},
	})
	if isConditionFailed(err) {
		// No map yet (the first subscription), or a full one.
		_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(d.Table), Key: pushKey(s.UserID),
			UpdateExpression:          aws.String("SET #p = :map"),
			ConditionExpression:       aws.String("attribute_not_exists(#p)"),
			ExpressionAttributeNames:  map[string]string{"#p": attrPush},
			ExpressionAttributeValues: item{":map": &types.AttributeValueMemberM{Value: item{endpointKey(s.Endpoint): entry}}},
		})
		if isConditionFailed(err) {
			return imageapp.Errorf(imageapp.EFORBIDDEN, "Notifications are on in %d browsers already. Turn them off in one first.", imageapp.MaxPushSubscriptions)
		}
	}
	if err != nil {
		return storeError("add push subscription", err)
	}
	return nil
}

// PushSubscriptionsOf reads the user's map.
func (d *Directory) PushSubscriptionsOf(ctx context.Context, userID string) ([]imageapp.PushSubscription, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.Table), Key: pushKey(userID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, storeError("push subscriptions", err)
	}
	m, ok := out.Item[attrPush].(*types.AttributeValueMemberM)
	if !ok {
		return nil, nil
	}
	list := make([]imageapp.PushSubscription, 0, len(m.Value))
	for _, v := range m.Value {
		entry, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			return nil, storeError("push subscriptions", errMalformed(userID))
		}
		dec := decoder{it: entry.Value}
		s := imageapp.PushSubscription{
			UserID: userID, Endpoint: dec.str(attrEndpoint), P256dh: dec.bin(attrP256dh), Auth: dec.bin(attrAuth),
			Created: dec.time(attrCreatedAt).UTC(),
		}
		if dec.err != nil {
			return nil, dec.err
		}
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].Created.Equal(list[j].Created) {
			return list[i].Created.Before(list[j].Created)
		}
		return list[i].Endpoint < list[j].Endpoint
	})
	return list, nil
}

// RemovePushSubscription removes the endpoint's entry, if there.
func (d *Directory) RemovePushSubscription(ctx context.Context, userID, endpoint string) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table), Key: pushKey(userID),
		UpdateExpression:         aws.String("REMOVE #p.#e"),
		ConditionExpression:      aws.String("attribute_exists(#p)"),
		ExpressionAttributeNames: map[string]string{"#p": attrPush, "#e": endpointKey(endpoint)},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("remove push subscription", err)
	}
	return nil
}
