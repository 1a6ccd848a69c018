package dynamostore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/aws/dynamostore"
	"imageapp/app/imageapp"
)

// pageAll follows a search's pages of limit users to the end and returns
// the usernames in the order the pages gave them, with the Queries and the
// items they read.
func pageAll(t *testing.T, f fixture, search string, limit int) (names []string, pages, queries, read int) {
	t.Helper()
	f.calls.queries.Store(0)
	f.calls.read.Store(0)
	cursor := ""
	for {
		if pages++; pages > 100 {
			t.Fatal("too many pages: the cursor does not advance")
		}
		page, err := f.users.ListUsers(context.Background(), imageapp.UserQuery{Search: search, Cursor: cursor, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Users) > limit {
			t.Fatalf("a page of %d users, limit %d", len(page.Users), limit)
		}
		for _, u := range page.Users {
			names = append(names, u.Username)
		}
		if page.Next == "" {
			return names, pages, int(f.calls.queries.Load()), int(f.calls.read.Load())
		}
		cursor = page.Next
	}
}

// directoryOf is the directory attribute of a user's item ("" when absent).
func directoryOf(t *testing.T, f fixture, key string) string {
	t.Helper()
	out, err := f.client.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(f.users.Table),
		Key: map[string]types.AttributeValue{"username": &types.AttributeValueMemberS{Value: key}}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := out.Item["directory"].(*types.AttributeValueMemberS)
	if v == nil {
		return ""
	}
	return v.Value
}

// putLegacy writes a listed user as the version before the shards did: in
// the one "all" partition.
func putLegacy(t *testing.T, f fixture, name string) {
	t.Helper()
	_, err := f.client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(f.users.Table),
		Item: map[string]types.AttributeValue{
			"username": &types.AttributeValueMemberS{Value: strings.ToLower(name)}, "user_id": &types.AttributeValueMemberS{Value: "id-" + name},
			"display_username": &types.AttributeValueMemberS{Value: name}, "email": &types.AttributeValueMemberS{Value: name + "@example.com"},
			"directory": &types.AttributeValueMemberS{Value: dynamostore.LegacyDirectoryPartition}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDirectoryShardsMerge: 50 users spread over the shards, plus 10 in the
// legacy partition and two hidden ones, page 7 at a time: every listed user
// exactly once, in username order, across shards and the legacy partition;
// a prefix search finds its users in every shard; the hidden ones never.
// After the backfill the legacy users are in their shards and still listed once.
func TestDirectoryShardsMerge(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var listed, bes []string
	shards := map[string]bool{}
	for i := range 50 {
		name := fmt.Sprintf("u%02dx", (i*37)%50) // written out of order
		if i%4 == 0 {
			name = fmt.Sprintf("Bee%02d", i)
			bes = append(bes, name)
		}
		listed = append(listed, name)
		if err := f.users.PutUser(ctx, imageapp.User{ID: "id-" + name, Username: name, Email: name + "@example.com"}); err != nil {
			t.Fatal(err)
		}
		shard := directoryOf(t, f, strings.ToLower(name))
		if shard != dynamostore.DirectoryShard(name) {
			t.Fatalf("%s is in %q; want their shard %q", name, shard, dynamostore.DirectoryShard(name))
		}
		shards[shard] = true
	}
	if len(shards) != dynamostore.DirectoryShards {
		t.Fatalf("50 users fill %d shards; want all %d (the test needs every shard)", len(shards), dynamostore.DirectoryShards)
	}
	for i := range 10 { // one partition holding many pages back: more Queries of it
		name := fmt.Sprintf("Beelegacy%d", i)
		putLegacy(t, f, name)
		listed, bes = append(listed, name), append(bes, name)
	}
	for _, name := range []string{"Beehidden", "zhidden"} {
		if err := f.users.PutUser(ctx, imageapp.User{ID: "id-" + name, Username: name, Email: name + "@example.com"}); err != nil {
			t.Fatal(err)
		}
		if err := f.users.SetPrivacy(ctx, "id-"+name, imageapp.Privacy{ReadReceipts: true}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		got, pages, queries, read := pageAll(t, f, "", 7)
		if strings.Join(got, ",") != strings.Join(sorted(listed), ",") {
			t.Errorf("%s: paging 7 at a time gave %v; want each listed user once in order: %v", when, got, sorted(listed))
		}
		t.Logf("%s: %d users in %d pages of 7: %d Queries (%.1f a page), %d items read (%.1f a page)",
			when, len(got), pages, queries, float64(queries)/float64(pages), read, float64(read)/float64(pages))
		if got, _, _, _ := pageAll(t, f, "BEE", 3); strings.Join(got, ",") != strings.Join(sorted(bes), ",") {
			t.Errorf("%s: search BEE gave %v; want %v", when, got, sorted(bes))
		}
	}
	check("before the backfill")
	if n, err := f.users.BackfillDirectory(ctx); err != nil || n != 10 {
		t.Fatalf("the backfill moved %d users (%v); want the 10 legacy ones", n, err)
	}
	if got, want := directoryOf(t, f, "beelegacy3"), dynamostore.DirectoryShard("beelegacy3"); got != want {
		t.Errorf("after the backfill the legacy user is in %q; want %q", got, want)
	}
	if got := directoryOf(t, f, "beehidden"); got != dynamostore.HiddenPartition {
		t.Errorf("after the backfill a hidden user is in %q; want still %q", got, dynamostore.HiddenPartition)
	}
	check("after the backfill")
}
