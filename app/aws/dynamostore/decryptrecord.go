package dynamostore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// A user's decrypt record lives in the messages table, as items that are
// not messages (no sort_key, in no index):
//
//	message_id S = "record#<user_id>"        the head: seq N | hash B | at N (unix ms) | signature B
//	message_id S = "record#<user_id>#<seq>"  an entry: seq N | at N | entry_message S | by_user S |
//	  by_username S | by_session S | by_device S | by_job S | purpose S | context M{S} | prev B | hash B |
//	  expires_at N (unix seconds, the table's TTL: DynamoDB drops entries past imageapp.RecordRetention)
//
// Entries have sequence numbers, so a page newest first is one BatchGetItem
// of the keys below the head, with no index. An append is one
// TransactWriteItems: the head moves only if it is still the one the writer
// chained from (a condition), and each entry is put only if new, so writers
// on several instances never fork a chain.

// MaxRecordAppend is how many entries one append may carry: a transaction
// holds 100 actions, one of them the head's.
const MaxRecordAppend = 99

const (
	attrSeq          = "seq"
	attrHash         = "hash"
	attrAt           = "at"
	attrSignature    = "signature"
	attrEntryMessage = "entry_message"
	attrByUser       = "by_user"
	attrByUsername   = "by_username"
	attrBySession    = "by_session"
	attrByDevice     = "by_device"
	attrByJob        = "by_job"
	attrPurpose      = "purpose"
	attrContext      = "context"
	attrPrev         = "prev"
)

// RecordAPI is the part of the DynamoDB client DecryptRecord uses.
type RecordAPI interface {
	API
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// DecryptRecord is imageapp.DecryptRecord in the messages table.
type DecryptRecord struct {
	DB    RecordAPI
	Table string // the messages table
}

var _ imageapp.DecryptRecord = (*DecryptRecord)(nil)

func recordHeadKey(userID string) item { return item{attrMessageID: str("record#" + userID)} }
func recordEntryKey(userID string, seq int64) item {
	return item{attrMessageID: str("record#" + userID + "#" + strconv.FormatInt(seq, 10))}
}

// RecordHead implements imageapp.DecryptRecord, with a consistent read.
func (r *DecryptRecord) RecordHead(ctx context.Context, userID string) (imageapp.DecryptHead, error) {
	h := imageapp.DecryptHead{UserID: userID}
	out, err := r.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(r.Table), Key: recordHeadKey(userID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return h, storeError("read record head", err)
	}
	if out.Item == nil {
		return h, nil
	}
	d := decoder{it: out.Item}
	h.Seq, h.Hash, h.At, h.Signature = d.num(attrSeq), d.bin(attrHash), time.UnixMilli(d.num(attrAt)).UTC(), d.bin(attrSignature)
	return h, d.err
}

// AppendRecord implements imageapp.DecryptRecord in one transaction.
func (r *DecryptRecord) AppendRecord(ctx context.Context, userID string, prev imageapp.DecryptHead, entries []imageapp.DecryptEntry, next imageapp.DecryptHead) error {
	if len(entries) > MaxRecordAppend {
		return fmt.Errorf("dynamo: append record: %d entries; at most %d at once", len(entries), MaxRecordAppend)
	}
	head := &types.Update{
		TableName: aws.String(r.Table), Key: recordHeadKey(userID),
		UpdateExpression:          aws.String("SET #seq = :seq, #hash = :hash, #at = :at, #sig = :sig"),
		ExpressionAttributeNames:  map[string]string{"#seq": attrSeq, "#hash": attrHash, "#at": attrAt, "#sig": attrSignature},
		ExpressionAttributeValues: item{":seq": num(next.Seq), ":hash": bin(next.Hash), ":at": num(next.At.UnixMilli()), ":sig": bin(next.Signature)},
	}
	if prev.Seq == 0 {
		head.ConditionExpression = aws.String("attribute_not_exists(#seq)")
	} else {
		head.ConditionExpression = aws.String("#seq = :prevSeq AND #hash = :prevHash")
		head.ExpressionAttributeValues[":prevSeq"] = num(prev.Seq)
		head.ExpressionAttributeValues[":prevHash"] = bin(prev.Hash)
	}
	items := []types.TransactWriteItem{{Update: head}}
	for _, e := range entries {
		it := recordEntryKey(userID, e.Seq)
		it[attrSeq], it[attrAt], it[attrPurpose] = num(e.Seq), num(e.At.UnixMilli()), str(string(e.Purpose))
		it[attrPrev], it[attrHash] = bin(e.Prev), bin(e.Hash)
		it[attrExpiresAt] = num(e.At.Add(imageapp.RecordRetention).Unix())
		for name, v := range map[string]string{attrEntryMessage: e.MessageID, attrByUser: e.By.UserID, attrByUsername: e.By.Username,
			attrBySession: e.By.Session, attrByDevice: e.By.Device, attrByJob: e.By.Job} {
			if v != "" {
				it[name] = str(v)
			}
		}
		ctxMap := item{}
		for k, v := range e.Context {
			ctxMap[k] = str(v)
		}
		it[attrContext] = &types.AttributeValueMemberM{Value: ctxMap}
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(r.Table), Item: it, ConditionExpression: aws.String("attribute_not_exists(message_id)"),
		}})
	}
	_, err := r.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		for _, reason := range canceled.CancellationReasons {
			if aws.ToString(reason.Code) == "ConditionalCheckFailed" || aws.ToString(reason.Code) == "TransactionConflict" {
				return imageapp.Errorf(imageapp.ECONFLICT, "The decrypt record moved on; read its head again.")
			}
		}
	}
	if err != nil {
		return storeError("append record", err)
	}
	return nil
}

// RecordEntries implements imageapp.DecryptRecord: the keys below before
// (or the head), read with consistent BatchGetItems; entries TTL removed
// are simply missing, so the page ends at the first gap past the oldest
// kept, and those past the retention that TTL has not removed yet are left
// out, as SQLite's append removes them.
func (r *DecryptRecord) RecordEntries(ctx context.Context, userID string, before int64, limit int) ([]imageapp.DecryptEntry, error) {
	if before <= 0 {
		head, err := r.RecordHead(ctx, userID)
		if err != nil {
			return nil, err
		}
		before = head.Seq + 1
	}
	var out []imageapp.DecryptEntry
	now := time.Now()
	for top := before - 1; top >= 1 && len(out) < limit; {
		var keys []item
		for seq := top; seq >= 1 && len(keys) < min(100, limit-len(out)); seq-- {
			keys = append(keys, recordEntryKey(userID, seq))
		}
		top -= int64(len(keys))
		got, err := r.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		if len(got) == 0 {
			break // older entries expired
		}
		for _, it := range got {
			e, err := decodeRecordEntry(it)
			if err != nil {
				return nil, err
			}
			if now.Sub(e.At) < imageapp.RecordRetention { // TTL removes the rest within days
				out = append(out, e)
			}
		}
	}
	sortNewestFirst(out)
	return out, nil
}

// batchGet reads keys consistently, again for the keys DynamoDB left unprocessed.
func (r *DecryptRecord) batchGet(ctx context.Context, keys []item) ([]item, error) {
	var got []item
	for len(keys) > 0 {
		out, err := r.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			r.Table: {Keys: keys, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return nil, storeError("read record", err)
		}
		got = append(got, out.Responses[r.Table]...)
		keys = out.UnprocessedKeys[r.Table].Keys
	}
	return got, nil
}

func decodeRecordEntry(it item) (imageapp.DecryptEntry, error) {
	d := decoder{it: it}
	e := imageapp.DecryptEntry{
		Seq: d.num(attrSeq), At: time.UnixMilli(d.num(attrAt)).UTC(), MessageID: d.str(attrEntryMessage),
		By: imageapp.Asker{UserID: d.str(attrByUser), Username: d.str(attrByUsername), Session: d.str(attrBySession),
			Device: d.str(attrByDevice), Job: d.str(attrByJob)},
		Purpose: imageapp.DecryptPurpose(d.str(attrPurpose)), Prev: d.bin(attrPrev), Hash: d.bin(attrHash),
		Context: map[string]string{},
	}
	if m, ok := it[attrContext].(*types.AttributeValueMemberM); ok {
		cd := decoder{it: m.Value}
		for k := range m.Value {
			e.Context[k] = cd.str(k)
		}
		if cd.err != nil {
			return e, cd.err
		}
	}
	return e, d.err
}

// sortNewestFirst orders entries as a page reads: BatchGetItem answers in any order.
func sortNewestFirst(es []imageapp.DecryptEntry) {
	slices.SortFunc(es, func(a, b imageapp.DecryptEntry) int { return cmp.Compare(b.Seq, a.Seq) })
}

// DeleteRecord implements imageapp.DecryptRecord: the entries, then the head.
func (r *DecryptRecord) DeleteRecord(ctx context.Context, userID string) error {
	head, err := r.RecordHead(ctx, userID)
	if err != nil {
		return err
	}
	for seq := head.Seq; seq >= 1; seq-- {
		if _, err := r.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(r.Table), Key: recordEntryKey(userID, seq)}); err != nil {
			return storeError("delete record entry", err)
		}
	}
	if _, err := r.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(r.Table), Key: recordHeadKey(userID)}); err != nil {
		return storeError("delete record head", err)
	}
	return nil
}
