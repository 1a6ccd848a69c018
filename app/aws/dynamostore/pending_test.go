package dynamostore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/aws/dynamostore"
	"imageapp/app/imageapp"
)

func pendingIDs(t *testing.T, f fixture, cutoff time.Time, limit int) []string {
	t.Helper()
	ps, err := f.messages.PendingBefore(context.Background(), cutoff, limit)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestPendingMarkerLifecycle: a marker is an item that is no message; the
// message's write replaces it, a delete leaves one, and no marker call ever
// touches a message.
func TestPendingMarkerLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	t0 := time.Unix(1700000000, 0).UTC()
	later := t0.Add(time.Hour)
	if err := f.messages.PutPending(ctx, "m1", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.messages.Message(ctx, "m1"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("a marker read as a message: %v", err)
	}
	if ok, err := f.messages.MessageExists(ctx, "m1"); ok || err != nil {
		t.Errorf("MessageExists of a marker = %v, %v; want false", ok, err)
	}
	if err := f.messages.DeleteMessage(ctx, "m1"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("deleting a marker as a message = %v; want ENOTFOUND", err)
	}
	if err := f.messages.MarkRead(ctx, "m1", t0); err != nil {
		t.Errorf("marking a marker read = %v; want nil (nothing to mark)", err)
	}
	if got := pendingIDs(t, f, t0, 10); len(got) != 0 {
		t.Errorf("markers before %v = %v; want none (the marker started then, not before)", t0, got)
	}
	if got := pendingIDs(t, f, t0.Add(time.Nanosecond), 10); fmt.Sprint(got) != "[m1]" {
		t.Errorf("markers before %v = %v; want [m1]", t0.Add(time.Nanosecond), got)
	}

	m := message("m1", "alice", "bob", t0)
	if err := f.messages.CreateMessage(ctx, m); err != nil {
		t.Fatalf("the message's write over its marker: %v", err)
	}
	if got := pendingIDs(t, f, later, 10); len(got) != 0 {
		t.Errorf("after the message landed the markers are %v; want none", got)
	}
	raw, err := f.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(f.messages.Table),
		Key: map[string]types.AttributeValue{"message_id": &types.AttributeValueMemberS{Value: "m1"}}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := raw.Item["pending_shard"]; ok {
		t.Error("the message's item still carries pending_shard, so it stays in the pending-index")
	}
	if err := f.messages.PutPending(ctx, "m1", later); imageapp.ErrorCode(err) != imageapp.ECONFLICT {
		t.Errorf("a marker over a message = %v; want ECONFLICT", err)
	}
	if err := f.messages.ClearPending(ctx, "m1"); err != nil {
		t.Errorf("clearing the marker of a delivered message = %v; want nil", err)
	}
	if ok, _ := f.messages.MessageExists(ctx, "m1"); !ok {
		t.Fatal("ClearPending removed a message")
	}
	if err := f.messages.CreateMessage(ctx, message("m1", "mallory", "bob", t0)); imageapp.ErrorCode(err) != imageapp.ECONFLICT {
		t.Errorf("overwriting a message = %v; want ECONFLICT", err)
	}

	before := time.Now()
	if err := f.messages.DeleteMessage(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	ps, err := f.messages.PendingBefore(ctx, time.Now().Add(time.Minute), 10)
	if err != nil || len(ps) != 1 || ps[0].ID != "m1" || ps[0].Started.Before(before.Add(-time.Second)) {
		t.Fatalf("after a delete the markers are %+v, %v; want m1's, started at the delete", ps, err)
	}
	if ok, _ := f.messages.MessageExists(ctx, "m1"); ok {
		t.Error("the deleted message still exists")
	}
	if err := f.messages.ClearPending(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if got := pendingIDs(t, f, later.Add(24*time.Hour*365*100), 10); len(got) != 0 {
		t.Errorf("after ClearPending the markers are %v; want none", got)
	}
}

// TestPendingBeforeReadsOnlyOldMarkers: with 60 delivered messages and
// markers spread over every shard, a read of the old markers is one Query
// per shard, reads only markers, and returns the oldest first across shards.
func TestPendingBeforeReadsOnlyOldMarkers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	t0 := time.Unix(1700000000, 0).UTC()
	for i := range 60 {
		id := fmt.Sprintf("d%02d", i)
		if err := f.messages.PutPending(ctx, id, t0); err != nil {
			t.Fatal(err)
		}
		if err := f.messages.CreateMessage(ctx, message(id, "alice", "bob", t0)); err != nil {
			t.Fatal(err)
		}
	}
	measure := func(cutoff time.Time, limit int) ([]string, int32, int32) {
		f.calls.queries.Store(0)
		f.calls.read.Store(0)
		ids := pendingIDs(t, f, cutoff, limit)
		return ids, f.calls.queries.Load(), f.calls.read.Load()
	}
	if err := f.messages.PutPending(ctx, "orphan", t0); err != nil {
		t.Fatal(err)
	}
	ids, queries, read := measure(t0.Add(time.Hour), 100)
	if fmt.Sprint(ids) != "[orphan]" || queries != dynamostore.PendingShards || read != 1 {
		t.Errorf("60 delivered + 1 orphan: PendingBefore = %v in %d Queries reading %d items; want [orphan] in %d reading 1",
			ids, queries, read, dynamostore.PendingShards)
	}
	t.Logf("60 delivered + 1 orphan: %d Queries, %d items read, 0 Scans", queries, read)
	if err := f.messages.ClearPending(ctx, "orphan"); err != nil {
		t.Fatal(err)
	}

	var want []string
	for i := range 20 { // newest first, so the order returned is not the order written
		id := fmt.Sprintf("o%02d", 19-i)
		if err := f.messages.PutPending(ctx, id, t0.Add(time.Duration(19-i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		want = append(want, fmt.Sprintf("o%02d", i))
	}
	ids, queries, read = measure(t0.Add(time.Hour), 5)
	if fmt.Sprint(ids) != fmt.Sprint(want) || queries != dynamostore.PendingShards || read > 5*dynamostore.PendingShards {
		t.Errorf("the 5 oldest of 20 markers = %v in %d Queries reading %d items; want %v in %d reading at most %d",
			ids, queries, read, want, dynamostore.PendingShards, 5*dynamostore.PendingShards)
	}
	if ids, _, _ := measure(t0.Add(3*time.Minute), 100); fmt.Sprint(ids) != "[o00 o01 o02]" {
		t.Errorf("markers started before 3 minutes in = %v; want [o00 o01 o02]", ids)
	}
	if f.calls.scans.Load() != 0 {
		t.Errorf("%d Scans; the markers are read by Query only", f.calls.scans.Load())
	}
}
