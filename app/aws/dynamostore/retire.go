package dynamostore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"imageapp/app/imageapp"
)

// A deleted account's item becomes, in one conditional write, a
// tombstone: its username and retired_until, nothing else. Without user_id
// and directory it is in neither index; PutUser refuses the name to anyone
// until retired_until has passed.

const attrRetiredUntil = "retired_until"

// DeleteUser turns u's item into the username's tombstone, in one
// conditional UpdateItem (the app's role may PutItem only the cookie key
// ring, never a user's row): every attribute of the user goes.
func (d *Directory) DeleteUser(ctx context.Context, u imageapp.User, until time.Time) error {
	names := map[string]string{"#retired": attrRetiredUntil, "#uid": attrUserID}
	var removes []string
	for i, attr := range []string{attrUserID, attrDisplayUsername, attrEmail, attrKeyID, attrTopic, attrCreatedAt,
		attrSessionVersion, attrDirectory, attrThumbKey, attrNoReadReceipts, attrNoMail, attrMessageRequests} {
		name := fmt.Sprintf("#a%d", i)
		names[name] = attr
		removes = append(removes, name)
	}
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(strings.ToLower(u.Username))},
		UpdateExpression:          aws.String("SET #retired = :until REMOVE " + strings.Join(removes, ", ")),
		ConditionExpression:       aws.String("#uid = :id"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: item{":id": str(u.ID), ":until": num(until.UnixNano())},
	})
	if isConditionFailed(err) {
		return nil // gone already, or the name is another user's: nothing of u's to delete
	}
	if err != nil {
		return storeError("delete user", err)
	}
	// Their blocks item goes empty (an UpdateItem: the app may not DeleteItem users).
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      blocksKey(u.ID),
		UpdateExpression:         aws.String("REMOVE #blocked"),
		ExpressionAttributeNames: map[string]string{"#blocked": attrBlocked},
	})
	if err != nil {
		return storeError("delete the user's blocks", err)
	}
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      contactsKey(u.ID),
		UpdateExpression:         aws.String("REMOVE #c"),
		ExpressionAttributeNames: map[string]string{"#c": attrContacts},
	})
	if err != nil {
		return storeError("delete the user's contacts", err)
	}
	return nil
}

// UsernameRetired reads the name's item: a tombstone still in its time.
func (d *Directory) UsernameRetired(ctx context.Context, username string) (bool, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.Table),
		Key:            item{attrUsername: str(strings.ToLower(username))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, storeError("retired username", err)
	}
	dec := decoder{it: out.Item}
	until := dec.num(attrRetiredUntil)
	return dec.str(attrUserID) == "" && until > d.now().UnixNano(), dec.err
}
