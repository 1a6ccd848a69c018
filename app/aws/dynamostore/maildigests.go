package dynamostore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// A recipient's mail digest (imageapp.MailDigests) is an item of the
// messages table, in no index but the pending-index while a digest waits:
//
//	message_id S = "maildigest#<recipient's user_id>" | last_sent N (unix nanos)
//	images N | senders SS | expires_at N (a day after the last write: the TTL drops idle rows)
//	pending_shard S = "d<0..PendingShards-1>" | pending_key S = fmt.Sprintf("%020d#%s", due, recipient_id):
//	present only while a digest waits; the digest sweep queries each shard
//	for keys before now, as the orphan sweep does with "p" shards
//
// Every write is conditional on what was read (optimistic concurrency), so
// instances racing for a recipient agree on the one that mails.
type MailDigests struct {
	DB    API
	Table string
}

var _ imageapp.MailDigests = (*MailDigests)(nil)

const (
	attrLastSent = "last_sent"
	attrImages   = "images"
	attrSenders  = "senders"

	digestPrefix = "maildigest#"
	digestShard  = "d"
	digestIdle   = 24 * time.Hour // how long an idle row stays
	digestTries  = 10             // conditional writes that lose a race are retried this often
)

func digestID(recipientID string) string { return digestPrefix + recipientID }

// digestState is what one consistent read says of a recipient's row.
type digestState struct {
	exists   bool
	lastSent int64
	images   int64
	dueKey   string
	senders  []string
}

func (s *MailDigests) read(ctx context.Context, recipientID string) (digestState, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            item{attrMessageID: str(digestID(recipientID))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil || out.Item == nil {
		return digestState{}, err
	}
	d := decoder{it: out.Item}
	st := digestState{exists: true, lastSent: d.num(attrLastSent), images: d.num(attrImages), dueKey: d.str(attrPendingKey)}
	if ss, ok := out.Item[attrSenders].(*types.AttributeValueMemberSS); ok {
		st.senders = slices.Sorted(slices.Values(ss.Value))
	}
	return st, d.err
}

// unchanged is the condition that the row is as st read it, with the
// names and values it uses (DynamoDB refuses unused ones).
func unchanged(st digestState) (string, map[string]string, item) {
	names := map[string]string{"#last": attrLastSent, "#images": attrImages, "#exp": attrExpiresAt}
	if !st.exists {
		names["#id"] = attrMessageID
		return "attribute_not_exists(#id)", names, item{}
	}
	return "#last = :seenLast AND #images = :seenImages", names, item{":seenLast": num(st.lastSent), ":seenImages": num(st.images)}
}

// Record implements imageapp.MailDigests.
func (s *MailDigests) Record(ctx context.Context, recipientID, sender string, now time.Time, window time.Duration) (bool, error) {
	for range digestTries {
		st, err := s.read(ctx, recipientID)
		if err != nil {
			return false, storeError("read a mail digest", err)
		}
		cond, names, values := unchanged(st)
		values[":exp"] = num(now.Add(digestIdle).Unix())
		in := &dynamodb.UpdateItemInput{TableName: aws.String(s.Table), Key: item{attrMessageID: str(digestID(recipientID))}}
		mailNow := !st.exists || (st.dueKey == "" && st.lastSent <= now.Add(-window).UnixNano())
		if mailNow {
			in.UpdateExpression = aws.String("SET #last = :now, #images = :zero, #exp = :exp")
			values[":now"], values[":zero"] = num(now.UnixNano()), num(0)
		} else {
			due := st.dueKey
			if due == "" {
				due = pendingKey(time.Unix(0, st.lastSent).Add(window), recipientID)
			}
			in.UpdateExpression = aws.String("SET #images = #images + :one, #exp = :exp, #shard = :shard, #key = :key ADD #senders :sender")
			names["#shard"], names["#key"], names["#senders"] = attrPendingShard, attrPendingKey, attrSenders
			values[":one"], values[":shard"], values[":key"] = num(1), str(shardOf(digestShard, recipientID)), str(due)
			values[":sender"] = &types.AttributeValueMemberSS{Value: []string{sender}}
		}
		in.ConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues = aws.String(cond), names, values
		_, err = s.DB.UpdateItem(ctx, in)
		if isConditionFailed(err) {
			continue // another send or the sweep wrote first: read again
		}
		if err != nil {
			return false, storeError("record a notification", err)
		}
		return mailNow, nil
	}
	return false, fmt.Errorf("dynamo: record a notification: %d writes in a row lost their race", digestTries)
}

// Due implements imageapp.MailDigests: PendingShards Queries of the
// pending-index's digest shards, then a consistent read of each digest.
func (s *MailDigests) Due(ctx context.Context, now time.Time, limit int) ([]imageapp.Digest, error) {
	if limit <= 0 {
		return nil, nil
	}
	m := &Messages{DB: s.DB, Table: s.Table}
	keys, err := m.shardKeysBefore(ctx, sparseIndex{PendingIndex, attrPendingShard, attrPendingKey, digestShard},
		fmt.Sprintf("%020d", now.UnixNano()+1), limit)
	if err != nil {
		return nil, storeError("due digests", err)
	}
	var out []imageapp.Digest
	for _, k := range keys[:min(len(keys), limit)] {
		_, recipientID, ok := strings.Cut(k, "#")
		if !ok || recipientID == "" {
			return nil, fmt.Errorf("dynamo: digest key %q is malformed", k)
		}
		st, err := s.read(ctx, recipientID)
		if err != nil {
			return nil, storeError("read a due digest", err)
		}
		if st.dueKey == "" || st.images <= 0 { // settled a moment ago: the index lags
			continue
		}
		dueNanos, _, _ := strings.Cut(st.dueKey, "#")
		due, err := strconv.ParseInt(dueNanos, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("dynamo: digest key %q is malformed", st.dueKey)
		}
		out = append(out, imageapp.Digest{RecipientID: recipientID, Images: int(st.images), Senders: st.senders, Due: time.Unix(0, due).UTC()})
	}
	return out, nil
}

// Settle implements imageapp.MailDigests. With images left (recorded after
// d was read) the senders stay: a name may show twice, never go missing.
func (s *MailDigests) Settle(ctx context.Context, d imageapp.Digest, now time.Time, window time.Duration) error {
	for range digestTries {
		st, err := s.read(ctx, d.RecipientID)
		if err != nil {
			return storeError("read a mail digest", err)
		}
		if !st.exists {
			return nil
		}
		cond, names, values := unchanged(st)
		names["#shard"], names["#key"] = attrPendingShard, attrPendingKey
		values[":now"], values[":exp"] = num(now.UnixNano()), num(now.Add(digestIdle).Unix())
		left := st.images - int64(d.Images)
		expr := "SET #last = :now, #exp = :exp, #images = :left, #shard = :shard, #key = :key"
		if left > 0 {
			values[":left"], values[":shard"], values[":key"] = num(left), str(shardOf(digestShard, d.RecipientID)), str(pendingKey(now.Add(window), d.RecipientID))
		} else {
			expr = "SET #last = :now, #exp = :exp, #images = :left REMOVE #shard, #key, #senders"
			names["#senders"] = attrSenders
			values[":left"] = num(0)
		}
		_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(s.Table), Key: item{attrMessageID: str(digestID(d.RecipientID))},
			UpdateExpression: aws.String(expr), ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: names, ExpressionAttributeValues: values,
		})
		if isConditionFailed(err) {
			continue
		}
		if err != nil {
			return storeError("settle a digest", err)
		}
		return nil
	}
	return fmt.Errorf("dynamo: settle a digest: %d writes in a row lost their race", digestTries)
}
