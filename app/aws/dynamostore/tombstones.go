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

// A tombstone is kept in the messages table as one item per party,
//
//	message_id S = "tombstone#<party's user_id>#<message_id>" | tomb_message S | tomb_sender S | tomb_recipient S
//	reason S | gone_at N (unix seconds) | expires_at N (gone_at + imageapp.TombstoneRetention: the TTL)
//	pending_shard S = "t#<party's user_id>" | pending_key S = fmt.Sprintf("%020d#%s", gone_at, message_id)
//
// so a party reads theirs with one GetItem (anybody else's key holds
// nothing: no oracle), and ForgetTombstones finds a user's through the
// sparse pending-index under their own shard, which the sweeps never query
// (theirs are "p…", "d…").
const (
	attrTombSender    = "tomb_sender"
	attrTombRecipient = "tomb_recipient"
	attrReason        = "reason"
	attrGoneAt        = "gone_at"
	attrTombMessage   = "tomb_message"
)

// TombstoneAPI is the part of the DynamoDB client Tombstones uses.
type TombstoneAPI interface {
	API
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Tombstones is imageapp.TombstoneStore in the messages table, beside
// Messages (whose storage counters it keeps right).
type Tombstones struct {
	DB    TombstoneAPI
	Table string // the messages table
}

var _ imageapp.TombstoneStore = (*Tombstones)(nil)

func tombstoneKey(party, id string) item {
	return item{attrMessageID: str("tombstone#" + party + "#" + id)}
}

func tombstoneShard(party string) string { return "t#" + party }

// DeleteMessageLeaving replaces the message's item with a pending marker
// for its blob and puts one tombstone item per party, in one transaction
// conditioned on the message being there. The recipient's storage counter
// is lowered right after, as DeleteMessage does.
func (t *Tombstones) DeleteMessageLeaving(ctx context.Context, ts imageapp.Tombstone) error {
	got, err := t.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(t.Table), Key: item{attrMessageID: str(ts.MessageID)}, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return storeError("read message to delete", err)
	}
	if got.Item == nil || got.Item[attrSortKey] == nil {
		return imageapp.ErrNoSuchMessage()
	}
	items := []types.TransactWriteItem{{Put: &types.Put{
		TableName:                aws.String(t.Table),
		Item:                     pendingItem(ts.MessageID, time.Now()),
		ConditionExpression:      aws.String("attribute_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": attrSortKey},
	}}}
	for _, party := range []string{ts.SenderID, ts.RecipientID} {
		if party == "" {
			continue
		}
		it := tombstoneKey(party, ts.MessageID)
		it[attrTombMessage], it[attrTombSender], it[attrTombRecipient] = str(ts.MessageID), str(ts.SenderID), str(ts.RecipientID)
		it[attrReason], it[attrGoneAt] = str(string(ts.Reason)), num(ts.At.Unix())
		it[attrExpiresAt] = num(ts.At.Add(imageapp.TombstoneRetention).Unix())
		it[attrPendingShard], it[attrPendingKey] = str(tombstoneShard(party)), str(pendingKey(ts.At, ts.MessageID))
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(t.Table), Item: it}})
	}
	_, err = t.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		for _, reason := range canceled.CancellationReasons {
			if aws.ToString(reason.Code) == "ConditionalCheckFailed" {
				return imageapp.ErrNoSuchMessage()
			}
		}
	}
	if err != nil {
		return storeError("delete message leaving a tombstone", err)
	}
	d := decoder{it: got.Item}
	recipient, size := d.str(attrRecipientID), d.num(attrSize)
	if recipient == "" {
		recipient = d.str(attrRequestRecipientID)
	}
	if d.err != nil {
		return d.err
	}
	return (&Messages{DB: t.DB, Table: t.Table}).addStored(ctx, recipient, -size)
}

// Tombstone reads the viewer's own tombstone item of id, consistently.
// TTL removes outlived items within days; those not removed yet are left
// out by their gone_at.
func (t *Tombstones) Tombstone(ctx context.Context, id, viewerID string, now time.Time) (imageapp.Tombstone, error) {
	if viewerID == "" {
		return imageapp.Tombstone{}, imageapp.ErrNoSuchMessage()
	}
	out, err := t.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(t.Table), Key: tombstoneKey(viewerID, id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return imageapp.Tombstone{}, storeError("read tombstone", err)
	}
	if out.Item == nil {
		return imageapp.Tombstone{}, imageapp.ErrNoSuchMessage()
	}
	d := decoder{it: out.Item}
	ts := imageapp.Tombstone{
		MessageID: id, SenderID: d.str(attrTombSender), RecipientID: d.str(attrTombRecipient),
		Reason: imageapp.GoneReason(d.str(attrReason)), At: time.Unix(d.num(attrGoneAt), 0),
	}
	if d.err != nil {
		return imageapp.Tombstone{}, d.err
	}
	if !ts.Party(viewerID) || !now.Before(ts.At.Add(imageapp.TombstoneRetention)) {
		return imageapp.Tombstone{}, imageapp.ErrNoSuchMessage()
	}
	return ts, nil
}

// ForgetTombstones deletes the tombstones of the user, found under their
// shard of the pending-index: both parties' copies, as in SQLite.
func (t *Tombstones) ForgetTombstones(ctx context.Context, userID string) error {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(t.Table),
		IndexName:                 aws.String(PendingIndex),
		KeyConditionExpression:    aws.String("#shard = :shard"),
		ExpressionAttributeNames:  map[string]string{"#shard": attrPendingShard},
		ExpressionAttributeValues: item{":shard": str(tombstoneShard(userID))},
	}
	for {
		out, err := t.DB.Query(ctx, in)
		if err != nil {
			return storeError("list tombstones", err)
		}
		for _, key := range out.Items {
			if err := t.forget(ctx, key); err != nil {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// forget deletes the tombstone item under key and the other party's copy.
func (t *Tombstones) forget(ctx context.Context, key item) error {
	got, err := t.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(t.Table), Key: item{attrMessageID: key[attrMessageID]}, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return storeError("read tombstone", err)
	}
	keys := []item{{attrMessageID: key[attrMessageID]}}
	if got.Item != nil {
		d := decoder{it: got.Item}
		sender, recipient := d.str(attrTombSender), d.str(attrTombRecipient)
		id := d.str(attrTombMessage)
		if d.err != nil {
			return d.err
		}
		for _, party := range []string{sender, recipient} {
			if party != "" {
				keys = append(keys, tombstoneKey(party, id))
			}
		}
	}
	for _, k := range keys {
		if _, err := t.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(t.Table), Key: k}); err != nil {
			return storeError("delete tombstone", err)
		}
	}
	return nil
}
