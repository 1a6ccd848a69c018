package dynamostore

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"imageapp/app/imageapp"
)

// PendingShards is how many partitions of the pending-index the markers are
// spread over, by a hash of the message ID: each send writes its marker into
// the index and takes it out again, and one partition key takes about 1,000
// writes a second, so four carry some 2,000 sends a second. A sweep queries
// each shard once, so it costs PendingShards small Queries plus the
// markers it finds. Only ever raise it: markers in a shard no longer
// queried would never be swept.
const PendingShards = 4

// pendingShard is the pending-index partition of a message ID's marker.
func pendingShard(id string) string { return shardOf("p", id) }

// shardOf spreads IDs over PendingShards partitions of a sparse index (the
// pending and the expiry index), by a hash of the ID.
func shardOf(prefix, id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s%d", prefix, h.Sum32()%PendingShards)
}

// pendingKey orders markers by start time, then ID, like SortKey.
func pendingKey(started time.Time, id string) string {
	return fmt.Sprintf("%020d#%s", started.UnixNano(), id)
}

// pendingItem is the marker item of message id.
func pendingItem(id string, started time.Time) item {
	return item{
		attrMessageID:    str(id),
		attrPendingShard: str(pendingShard(id)),
		attrPendingKey:   str(pendingKey(started, id)),
	}
}

// PutPending writes the marker item, unless a message has the ID.
func (s *Messages) PutPending(ctx context.Context, id string, started time.Time) error {
	if id == "" {
		return imageapp.Errorf(imageapp.EINVALID, "A pending marker needs a message ID.")
	}
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		Item:                     pendingItem(id, started),
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": attrSortKey},
	})
	if isConditionFailed(err) {
		return imageapp.ErrMessageExists()
	}
	if err != nil {
		return storeError("put pending marker", err)
	}
	return nil
}

// ClearPending deletes the marker item; the condition keeps a message that
// has replaced it (then there is no marker to clear, which is fine).
func (s *Messages) ClearPending(ctx context.Context, id string) error {
	_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.Table),
		Key:                      item{attrMessageID: str(id)},
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": attrSortKey},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("clear pending marker", err)
	}
	return nil
}

// PendingBefore queries each shard of the sparse pending-index for keys
// before the cutoff, oldest first, and merges them: PendingShards Queries
// that read only the markers they return. The index is eventually
// consistent: a marker just cleared may still be listed, so callers check
// each with MessageExists (a consistent read) before acting on it.
func (s *Messages) PendingBefore(ctx context.Context, cutoff time.Time, limit int) ([]imageapp.Pending, error) {
	if limit <= 0 {
		return nil, nil
	}
	keys, err := s.shardKeysBefore(ctx, sparseIndex{PendingIndex, attrPendingShard, attrPendingKey, "p"},
		fmt.Sprintf("%020d", cutoff.UnixNano()), limit)
	if err != nil {
		return nil, storeError("pending markers", err)
	}
	if len(keys) > limit {
		keys = keys[:limit]
	}
	out := make([]imageapp.Pending, 0, len(keys))
	for _, k := range keys {
		ts, id, ok := strings.Cut(k, "#")
		nanos, err := strconv.ParseInt(ts, 10, 64)
		if !ok || err != nil || id == "" {
			return nil, fmt.Errorf("dynamo: pending marker key %q is malformed", k)
		}
		out = append(out, imageapp.Pending{ID: id, Started: time.Unix(0, nanos).UTC()})
	}
	return out, nil
}

// sparseIndex is a sharded sparse index of keys that start with a time
// (the pending and the expiry index): its name, shard and key attributes,
// and the shard prefix.
type sparseIndex struct{ name, shardAttr, keyAttr, prefix string }

// shardKeysBefore queries each shard of ix for keys below cutoff and
// returns them merged in order (up to limit from each shard): PendingShards
// Queries that read only the keys they return.
func (s *Messages) shardKeysBefore(ctx context.Context, ix sparseIndex, cutoff string, limit int) ([]string, error) {
	var keys []string
	for shard := range PendingShards {
		out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
			TableName:                aws.String(s.Table),
			IndexName:                aws.String(ix.name),
			KeyConditionExpression:   aws.String("#shard = :shard AND #key < :cutoff"),
			ExpressionAttributeNames: map[string]string{"#shard": ix.shardAttr, "#key": ix.keyAttr},
			ExpressionAttributeValues: item{
				":shard":  str(fmt.Sprintf("%s%d", ix.prefix, shard)),
				":cutoff": str(cutoff),
			},
			ProjectionExpression: aws.String("#key"),
			Limit:                aws.Int32(int32(limit)),
		})
		if err != nil {
			return nil, err
		}
		for _, it := range out.Items {
			d := decoder{it: it}
			keys = append(keys, d.str(ix.keyAttr))
			if d.err != nil {
				return nil, d.err
			}
		}
	}
	slices.Sort(keys)
	return keys, nil
}
