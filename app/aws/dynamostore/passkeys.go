package dynamostore

import (
	"context"
	"encoding/base64"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// A user's passkeys (imageapp.PasskeyStore) are one item of the users table
// under a reserved key, a map from the credential ID (base64url) to the
// passkey, and each credential ID has a pointer item naming its owner, for
// the username-less sign-in, which starts from the credential ID alone:
//
//	username S = "#passkeys#<user_id>" | passkeys M {id: M{name S, record B, sign_count N, created_at N, last_used N}}
//	username S = "#passkey#<id>" | owner_id S
//
// Neither has a user_id or directory attribute, so no index holds them. A
// counter update is one conditional UpdateItem of one map entry. Adding
// writes the pointer first (which claims the ID) and then the entry;
// removing deletes the entry first: a pointer left by a failure in between
// points at nothing, which reads as no passkey. Only GetItem and UpdateItem:
// the app's role may not put or delete items of the users table but the
// cookie key ring's (terraform/iam.tf), so a released pointer keeps its key
// without an owner.

const (
	attrPasskeys  = "passkeys"
	attrOwnerID   = "owner_id"
	attrName      = "name"
	attrRecord    = "record"
	attrSignCount = "sign_count"
	attrLastUsed  = "last_used"
)

func passkeysKey(userID string) item { return item{attrUsername: str("#passkeys#" + userID)} }
func passkeyKey(id []byte) item {
	return item{attrUsername: str("#passkey#" + base64.RawURLEncoding.EncodeToString(id))}
}

var _ imageapp.PasskeyStore = (*Directory)(nil)

func noPasskey() error { return imageapp.Errorf(imageapp.ENOTFOUND, "That passkey is not registered.") }

// AddPasskey claims the ID, then adds the entry if the user has room.
func (d *Directory) AddPasskey(ctx context.Context, p imageapp.Passkey) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table), Key: passkeyKey(p.ID),
		UpdateExpression:          aws.String("SET #o = :u"),
		ConditionExpression:       aws.String("attribute_not_exists(#o)"),
		ExpressionAttributeNames:  map[string]string{"#o": attrOwnerID},
		ExpressionAttributeValues: item{":u": str(p.UserID)},
	})
	if isConditionFailed(err) {
		return imageapp.Errorf(imageapp.ECONFLICT, "That passkey is registered already.")
	}
	if err != nil {
		return storeError("add passkey", err)
	}
	entry := &types.AttributeValueMemberM{Value: item{
		attrName: str(p.Name), attrRecord: bin(p.Record), attrSignCount: num(int64(p.SignCount)),
		attrCreatedAt: num(p.Created.UnixNano()), attrLastUsed: num(0),
	}}
	id := base64.RawURLEncoding.EncodeToString(p.ID)
	// The map is created by the first passkey, then grows entry by entry.
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table), Key: passkeysKey(p.UserID),
		UpdateExpression:          aws.String("SET #p.#id = :entry"),
		ConditionExpression:       aws.String("attribute_exists(#p) AND size(#p) < :max"),
		ExpressionAttributeNames:  map[string]string{"#p": attrPasskeys, "#id": id},
		ExpressionAttributeValues: item{":entry": entry, ":max": num(imageapp.MaxPasskeys)},
	})
	if isConditionFailed(err) {
		_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(d.Table), Key: passkeysKey(p.UserID),
			UpdateExpression:          aws.String("SET #p = :map"),
			ConditionExpression:       aws.String("attribute_not_exists(#p)"),
			ExpressionAttributeNames:  map[string]string{"#p": attrPasskeys},
			ExpressionAttributeValues: item{":map": &types.AttributeValueMemberM{Value: item{id: entry}}},
		})
		if isConditionFailed(err) {
			err = imageapp.Errorf(imageapp.EFORBIDDEN, "You have %d passkeys, the most you can have. Remove one to add another.", imageapp.MaxPasskeys)
		}
	}
	if err != nil {
		if delErr := d.releasePasskeyID(ctx, p.UserID, p.ID); delErr != nil {
			return storeError("add passkey (and release its ID: "+delErr.Error()+")", err)
		}
		if imageapp.ErrorCode(err) == imageapp.EFORBIDDEN {
			return err
		}
		return storeError("add passkey", err)
	}
	return nil
}

// Passkey follows the ID's pointer to its owner's entry.
func (d *Directory) Passkey(ctx context.Context, id []byte) (imageapp.Passkey, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.Table), Key: passkeyKey(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return imageapp.Passkey{}, storeError("passkey", err)
	}
	if out.Item == nil {
		return imageapp.Passkey{}, noPasskey()
	}
	dec := decoder{it: out.Item}
	owner := dec.str(attrOwnerID)
	if dec.err != nil {
		return imageapp.Passkey{}, dec.err
	}
	if owner == "" {
		return imageapp.Passkey{}, noPasskey() // a pointer released
	}
	list, err := d.Passkeys(ctx, owner)
	if err != nil {
		return imageapp.Passkey{}, err
	}
	for _, p := range list {
		if string(p.ID) == string(id) {
			return p, nil
		}
	}
	return imageapp.Passkey{}, noPasskey()
}

// Passkeys reads the user's map.
func (d *Directory) Passkeys(ctx context.Context, userID string) ([]imageapp.Passkey, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.Table), Key: passkeysKey(userID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, storeError("passkeys", err)
	}
	m, ok := out.Item[attrPasskeys].(*types.AttributeValueMemberM)
	if !ok {
		return nil, nil
	}
	list := make([]imageapp.Passkey, 0, len(m.Value))
	for id, v := range m.Value {
		raw, err := base64.RawURLEncoding.DecodeString(id)
		entry, ok := v.(*types.AttributeValueMemberM)
		if err != nil || !ok {
			return nil, storeError("passkeys", errMalformed(id))
		}
		dec := decoder{it: entry.Value}
		p := imageapp.Passkey{
			ID: raw, UserID: userID, Name: dec.str(attrName), Record: dec.bin(attrRecord),
			SignCount: uint32(dec.num(attrSignCount)), Created: dec.time(attrCreatedAt).UTC(),
		}
		if used := dec.num(attrLastUsed); used != 0 {
			p.LastUsed = time.Unix(0, used).UTC()
		}
		if dec.err != nil {
			return nil, dec.err
		}
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].Created.Equal(list[j].Created) {
			return list[i].Created.After(list[j].Created)
		}
		return string(list[i].ID) < string(list[j].ID)
	})
	return list, nil
}

type errMalformed string

func (e errMalformed) Error() string { return "malformed passkey entry " + strconv.Quote(string(e)) }

// UsePasskey updates one map entry if its counter goes up (or stays 0).
func (d *Directory) UsePasskey(ctx context.Context, id []byte, count uint32, at time.Time) error {
	p, err := d.Passkey(ctx, id)
	if err != nil {
		return err
	}
	cond := "#p.#id.#c < :c"
	if count == 0 {
		cond = "#p.#id.#c = :c"
	}
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table), Key: passkeysKey(p.UserID),
		UpdateExpression:    aws.String("SET #p.#id.#c = :c, #p.#id.#u = :at"),
		ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: map[string]string{
			"#p": attrPasskeys, "#id": base64.RawURLEncoding.EncodeToString(id), "#c": attrSignCount, "#u": attrLastUsed,
		},
		ExpressionAttributeValues: item{":c": num(int64(count)), ":at": num(at.UnixNano())},
	})
	if isConditionFailed(err) {
		return imageapp.Errorf(imageapp.ECONFLICT, "That passkey's counter did not go up.")
	}
	if err != nil {
		return storeError("use passkey", err)
	}
	return nil
}

// RemovePasskey removes the user's entry, then the ID's pointer.
func (d *Directory) RemovePasskey(ctx context.Context, userID string, id []byte) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table), Key: passkeysKey(userID),
		UpdateExpression:         aws.String("REMOVE #p.#id"),
		ConditionExpression:      aws.String("attribute_exists(#p.#id)"),
		ExpressionAttributeNames: map[string]string{"#p": attrPasskeys, "#id": base64.RawURLEncoding.EncodeToString(id)},
	})
	if isConditionFailed(err) {
		return imageapp.Errorf(imageapp.ENOTFOUND, "That passkey is not one of yours.")
	}
	if err != nil {
		return storeError("remove passkey", err)
	}
	if err := d.releasePasskeyID(ctx, userID, id); err != nil {
		return storeError("remove passkey pointer", err)
	}
	return nil
}

// releasePasskeyID removes the pointer's owner, if it is userID: the app
// may not delete items of the users table (terraform/iam.tf), and a pointer
// without an owner reads as none.
func (d *Directory) releasePasskeyID(ctx context.Context, userID string, id []byte) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table), Key: passkeyKey(id),
		UpdateExpression:          aws.String("REMOVE #o"),
		ConditionExpression:       aws.String("#o = :u"),
		ExpressionAttributeNames:  map[string]string{"#o": attrOwnerID},
		ExpressionAttributeValues: item{":u": str(userID)},
	})
	if err != nil && !isConditionFailed(err) {
		return err
	}
	return nil
}
