package dynamostore

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/sync/errgroup"
)

// DirectoryShards is how many partitions of the directory-index the listed
// users are spread over, by a hash of the lowercased username (the table
// key, so every write knows it without a read). One GSI partition key takes
// about 1,000 writes and 3,000 reads a second; eight take eight times that.
// A page queries every shard, so only ever raise it: a user stays in the
// shard they were written to, and shards 0..N-1 are still all queried.
const DirectoryShards = 8

// LegacyDirectoryPartition is the one partition every listed user had
// before the directory was sharded. PutUser keeps an existing directory
// attribute (if_not_exists: that is what keeps a hide), so those users
// stay in it until `imageapp aws backfill` (BackfillDirectory) moves them
// to their shard; until then ListUsers queries it as one more shard. Drop
// it from directoryPartitions once the backfill has run on every
// deployment (it then holds no one, and its Query reads nothing).
const LegacyDirectoryPartition = "all"

// DirectoryShard is the directory attribute of a listed user: "all#<n>".
func DirectoryShard(username string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(username)))
	return fmt.Sprintf("%s#%d", LegacyDirectoryPartition, h.Sum32()%DirectoryShards)
}

// directoryPartitions are the partition keys a page reads: every shard and
// the legacy partition.
func directoryPartitions() []string {
	parts := []string{LegacyDirectoryPartition}
	for n := range DirectoryShards {
		parts = append(parts, fmt.Sprintf("%s#%d", LegacyDirectoryPartition, n))
	}
	return parts
}

// shardRead is what a page has read of one partition so far: its users in
// username order, the last key read, and whether it has no more.
type shardRead struct {
	part  string
	items []item
	keys  []string
	last  string
	done  bool
}

// firstRead is how many users a page first asks of each partition: twice
// its share of need, so a page seldom needs a second Query of any shard
// while reading about twice what it shows rather than N times.
func firstRead(need int) int {
	return 2*((need+DirectoryShards-1)/DirectoryShards) + 1
}

// mergeShards reads the partitions until it knows the first need users
// after the cursor across all of them, and returns them in username order
// (fewer only when there are no more). A user is certain once every
// partition not yet exhausted has read up to their key; while fewer than
// need are certain, the partitions that read the least far read on. The
// first round is one Query per partition, in parallel; further Queries
// are only for the partitions holding the page back.
func (d *Directory) mergeShards(ctx context.Context, prefix, after string, need int) ([]item, error) {
	reads := make([]*shardRead, 0, DirectoryShards+1)
	for _, p := range directoryPartitions() {
		reads = append(reads, &shardRead{part: p, last: after})
	}
	pending, ask := reads, firstRead(need)
	for {
		if err := d.readShards(ctx, pending, prefix, ask); err != nil {
			return nil, err
		}
		items, bound, open, certain := mergeRead(reads)
		if certain >= need || !open {
			return items[:min(need, len(items))], nil
		}
		pending, ask = nil, need-certain
		for _, r := range reads {
			if !r.done && r.last == bound {
				pending = append(pending, r)
			}
		}
	}
}

// mergeRead merges what the partitions read, without duplicates (a user the
// backfill is moving may be in two for a moment). A user is certain when no
// partition still open may hold one before them: certain counts those, and
// bound is the least key an open partition has read to (open is false once
// every partition is exhausted, and then every user is certain).
func mergeRead(reads []*shardRead) (items []item, bound string, open bool, certain int) {
	type entry struct {
		key string
		it  item
	}
	var all []entry
	for _, r := range reads {
		if !r.done && (!open || r.last < bound) {
			bound, open = r.last, true
		}
		for i, k := range r.keys {
			all = append(all, entry{k, r.items[i]})
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	for i, e := range all {
		if i > 0 && e.key == all[i-1].key {
			continue
		}
		items = append(items, e.it)
		if !open || e.key <= bound {
			certain++
		}
	}
	return items, bound, open, certain
}

// readShards reads the next limit users of each partition, in parallel.
func (d *Directory) readShards(ctx context.Context, reads []*shardRead, prefix string, limit int) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, r := range reads {
		g.Go(func() error { return d.readShard(ctx, r, prefix, limit) })
	}
	return g.Wait()
}

// readShard is one Query of one partition of the directory-index: the next
// limit users after r.last whose key begins with prefix.
func (d *Directory) readShard(ctx context.Context, r *shardRead, prefix string, limit int) error {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(d.Table),
		IndexName:                 aws.String(DirectoryIndex),
		KeyConditionExpression:    aws.String("#dir = :dir"),
		ExpressionAttributeNames:  map[string]string{"#dir": attrDirectory},
		ExpressionAttributeValues: item{":dir": str(r.part)},
		Limit:                     aws.Int32(int32(limit)),
	}
	if prefix != "" {
		*in.KeyConditionExpression += " AND begins_with(#username, :prefix)"
		in.ExpressionAttributeNames["#username"] = attrUsername
		in.ExpressionAttributeValues[":prefix"] = str(prefix)
	}
	if r.last != "" {
		in.ExclusiveStartKey = item{attrDirectory: str(r.part), attrUsername: str(r.last)}
	}
	out, err := d.DB.Query(ctx, in)
	if err != nil {
		return storeError("list users", err)
	}
	for _, it := range out.Items {
		dec := decoder{it: it}
		key := dec.str(attrUsername)
		if dec.err != nil {
			return dec.err
		}
		r.items, r.keys, r.last = append(r.items, it), append(r.keys, key), key
	}
	if out.LastEvaluatedKey == nil {
		r.done = true
		return nil
	}
	dec := decoder{it: out.LastEvaluatedKey} // where a Query stopped, even one that returned nothing
	r.last = dec.str(attrUsername)
	return dec.err
}
