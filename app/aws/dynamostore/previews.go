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

// SetPreviews sets the sealed previews and takes the message out of the
// preview-index, in one conditional update: a message deleted meanwhile
// (no sort_key) is not brought back as a half item.
func (s *Messages) SetPreviews(ctx context.Context, id string, recipient, sender []byte) error {
	set, remove := []string{}, []string{"#shard", "#key"}
	names := map[string]string{"#sk": attrSortKey, "#shard": attrPreviewShard, "#key": attrPreviewKey}
	values := item{}
	for _, side := range []struct {
		name, attr string
		sealed     []byte
	}{{"#rp", attrPreview, recipient}, {"#sp", attrSenderPreview, sender}} {
		names[side.name] = side.attr
		if len(side.sealed) == 0 {
			remove = append(remove, side.name)
			continue
		}
		set = append(set, side.name+" = :"+side.name[1:])
		values[":"+side.name[1:]] = bin(side.sealed)
	}
	update := "REMOVE " + strings.Join(remove, ", ")
	if len(set) > 0 {
		update = "SET " + strings.Join(set, ", ") + " " + update
	}
	in := &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.Table),
		Key:                      item{attrMessageID: str(id)},
		UpdateExpression:         aws.String(update),
		ConditionExpression:      aws.String("attribute_exists(#sk)"),
		ExpressionAttributeNames: names,
	}
	if len(values) > 0 {
		in.ExpressionAttributeValues = values
	}
	_, err := s.DB.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		return imageapp.ErrNoSuchMessage()
	}
	if err != nil {
		return storeError("set previews", err)
	}
	return nil
}

// PreviewsDueBefore queries each shard of the sparse preview-index for keys
// before the cutoff and merges them, oldest first: PendingShards Queries
// that read only what they return. The index lags SetPreviews, so callers
// read each message (consistently) and skip those no longer due.
func (s *Messages) PreviewsDueBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	keys, err := s.shardKeysBefore(ctx, sparseIndex{PreviewIndex, attrPreviewShard, attrPreviewKey, "v"},
		fmt.Sprintf("%020d", cutoff.UnixNano()), limit)
	if err != nil {
		return nil, storeError("due previews", err)
	}
	ids := make([]string, 0, min(len(keys), limit))
	for _, k := range keys[:min(len(keys), limit)] {
		_, id, ok := strings.Cut(k, "#")
		if !ok || id == "" {
			return nil, fmt.Errorf("dynamo: preview key %q is malformed", k)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
