package dynamostore_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
)

var stack *awstest.Stack

func TestMain(m *testing.M) {
	os.Exit(awstest.RunMain(m, awstest.Options{Services: []awstest.Service{awstest.DynamoDB}}, &stack))
}

var tables atomic.Int32

// counting counts the calls the adapters make, to prove pages are single queries.
type counting struct {
	dynamostore.API
	gets, queries, scans atomic.Int32
	read                 atomic.Int32 // items the Queries read (ScannedCount)
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	return c.API.GetItem(ctx, in, o...)
}

func (c *counting) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.queries.Add(1)
	out, err := c.API.Query(ctx, in, o...)
	if err == nil {
		c.read.Add(out.ScannedCount)
	}
	return out, err
}

func (c *counting) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	c.scans.Add(1)
	return c.API.Scan(ctx, in, o...)
}

type fixture struct {
	client   *dynamodb.Client
	calls    *counting
	users    *dynamostore.Directory
	messages *dynamostore.Messages
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := awsbackend.NewClients(cfg).DynamoDB
	n := tables.Add(1)
	users, messages := fmt.Sprintf("t%d-users", n), fmt.Sprintf("t%d-messages", n)
	if err := dynamostore.CreateTables(ctx, client, users, messages); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	calls := &counting{API: client}
	return fixture{client: client, calls: calls,
		users: &dynamostore.Directory{DB: calls, Table: users}, messages: &dynamostore.Messages{DB: calls, Table: messages}}
}

// TestSchemaIsTheContract pins the tables terraform must create.
func TestSchemaIsTheContract(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if err := dynamostore.CreateTables(ctx, f.client, f.users.Table, f.messages.Table); err != nil {
		t.Fatalf("a second CreateTables must leave existing tables alone: %v", err)
	}
	describe := func(name string) *types.TableDescription {
		out, err := f.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Table
	}
	users := describe(f.users.Table)
	assertKeys(t, "users table", users.KeySchema, "username:HASH")
	assertAttrs(t, "users table", users.AttributeDefinitions, "directory:S", "user_id:S", "username:S")
	assertIndexes(t, "users table", users.GlobalSecondaryIndexes, map[string]string{
		"user_id-index":   "user_id:HASH KEYS_ONLY",
		"directory-index": "directory:HASH username:RANGE",
	})

	messages := describe(f.messages.Table)
	assertKeys(t, "messages table", messages.KeySchema, "message_id:HASH")
	assertAttrs(t, "messages table", messages.AttributeDefinitions,
		"expiry_key:S", "expiry_shard:S", "message_id:S", "pair:S", "pending_key:S", "pending_shard:S", "preview_key:S", "preview_shard:S",
		"read_recipient_id:S", "recipient_id:S", "request_recipient_id:S", "sender_id:S", "sort_key:S", "unread_recipient_id:S")
	assertIndexes(t, "messages table", messages.GlobalSecondaryIndexes, map[string]string{
		"recipient-index":    "recipient_id:HASH sort_key:RANGE",
		"sender-index":       "sender_id:HASH sort_key:RANGE",
		"unread-index":       "unread_recipient_id:HASH sort_key:RANGE",
		"read-index":         "read_recipient_id:HASH sort_key:RANGE",
		"pending-index":      "pending_shard:HASH pending_key:RANGE KEYS_ONLY",
		"conversation-index": "pair:HASH sort_key:RANGE",
		"expiry-index":       "expiry_shard:HASH expiry_key:RANGE KEYS_ONLY",
		"request-index":      "request_recipient_id:HASH sort_key:RANGE",
		"preview-index":      "preview_shard:HASH preview_key:RANGE KEYS_ONLY",
	})
	ttl, err := f.client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(f.messages.Table)})
	if err != nil || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires_at" {
		t.Errorf("messages TTL = %+v, %v; want expires_at", ttl, err)
	}
}

func keyString(ks []types.KeySchemaElement) string {
	var parts []string
	for _, k := range ks {
		parts = append(parts, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
	}
	return strings.Join(parts, " ")
}

func assertKeys(t *testing.T, what string, ks []types.KeySchemaElement, want string) {
	t.Helper()
	if got := keyString(ks); got != want {
		t.Errorf("%s key = %q, want %q", what, got, want)
	}
}

func assertAttrs(t *testing.T, what string, defs []types.AttributeDefinition, want ...string) {
	t.Helper()
	var got []string
	for _, d := range defs {
		got = append(got, aws.ToString(d.AttributeName)+":"+string(d.AttributeType))
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s attribute definitions = %v, want %v", what, got, want)
	}
}

func assertIndexes(t *testing.T, what string, gsis []types.GlobalSecondaryIndexDescription, want map[string]string) {
	t.Helper()
	if len(gsis) != len(want) {
		t.Errorf("%s has %d GSIs, want %d", what, len(gsis), len(want))
	}
	for _, g := range gsis {
		name := aws.ToString(g.IndexName)
		// The sweeps' indexes and user_id-index project keys only (they
		// read only keys); every other index serves whole items.
		got := keyString(g.KeySchema)
		if g.Projection == nil {
			got += " (no projection)"
		} else if g.Projection.ProjectionType != types.ProjectionTypeAll {
			got += " " + string(g.Projection.ProjectionType)
		}
		if got != want[name] {
			t.Errorf("%s GSI %s = %q, want %q", what, name, got, want[name])
		}
	}
}

func TestUsernamesAreUniqueRegardlessOfCase(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	alice := imageapp.User{ID: "id-alice", Username: "Alice", Email: "alice@example.com", KeyID: "k1", Topic: "t1",
		CreatedAt: time.Unix(1700000000, 0).UTC()}
	if err := f.users.PutUser(ctx, alice); err != nil {
		t.Fatal(err)
	}
	err := f.users.PutUser(ctx, imageapp.User{ID: "id-mallory", Username: "ALICE", Email: "m@example.com"})
	if imageapp.ErrorCode(err) != imageapp.ECONFLICT {
		t.Fatalf("taking over %q as another ID = %v; want ECONFLICT", "ALICE", err)
	}
	// The same ID may write again (provisioning is retried), and keeps its creation time.
	alice.KeyID, alice.Topic = "k2", "t2"
	later := alice
	later.CreatedAt = time.Now()
	if err := f.users.PutUser(ctx, later); err != nil {
		t.Fatalf("re-provisioning the same user: %v", err)
	}
	for _, lookup := range []func() (imageapp.User, error){
		func() (imageapp.User, error) { return f.users.UserByUsername(ctx, "aLiCe") },
		func() (imageapp.User, error) { return f.users.UserByID(ctx, "id-alice") },
	} {
		got, err := lookup()
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != "id-alice" || got.Username != "Alice" || got.Email != alice.Email || got.KeyID != "k2" ||
			got.Topic != "t2" || !got.CreatedAt.Equal(alice.CreatedAt) {
			t.Errorf("lookup = %+v; want Alice as stored, keeping the first creation time", got)
		}
	}
	// The raw item follows the schema.
	raw, err := f.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(f.users.Table),
		Key: map[string]types.AttributeValue{"username": &types.AttributeValueMemberS{Value: "alice"}}})
	if err != nil || raw.Item == nil {
		t.Fatalf("the item is not under its lowercased username: %v", err)
	}
	for _, attr := range []string{"user_id", "display_username", "email", "key_id", "topic", "created_at"} {
		if _, ok := raw.Item[attr]; !ok {
			t.Errorf("the users item has no %s", attr)
		}
	}
	if _, err := f.users.UserByID(ctx, "nobody"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("unknown ID = %v; want ENOTFOUND", err)
	}
	if _, err := f.users.UserByUsername(ctx, "nobody"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("unknown username = %v; want ENOTFOUND", err)
	}
}

func TestSessionVersionSurvivesReprovisioning(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	u := imageapp.User{ID: "id-bob", Username: "bob", Email: "bob@example.com"}
	if err := f.users.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.users.BumpSessionVersion(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	u.KeyID, u.Topic = "k", "t"
	if err := f.users.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := f.users.UserByID(ctx, u.ID)
	if err != nil || got.SessionVersion != 2 {
		t.Errorf("session version = %d (%v), want 2: logging out everywhere must stick", got.SessionVersion, err)
	}
}

// TestListUsersIsAPrefixQuery: the directory pages through the
// directory-index in username order across pages, a search is a prefix of
// the username in any case, and each page is a Query of each shard (and the
// legacy partition) that together read no more than the page from each:
// no Scan, nothing filtered away.
func TestListUsersIsAPrefixQuery(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var all []string
	for i := range 23 {
		name := fmt.Sprintf("User%02d", i)
		if i%3 == 0 {
			name = fmt.Sprintf("Cat%02d", i)
		}
		all = append(all, name)
		if err := f.users.PutUser(ctx, imageapp.User{ID: "id-" + name, Username: name, Email: name + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	const partitions = dynamostore.DirectoryShards + 1 // and the legacy one
	collect := func(search string, limit int) []string {
		var names []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 30 {
				t.Fatal("too many pages: the cursor does not advance")
			}
			f.calls.queries.Store(0)
			f.calls.scans.Store(0)
			f.calls.read.Store(0)
			page, err := f.users.ListUsers(ctx, imageapp.UserQuery{Search: search, Cursor: cursor, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if q, s, r := f.calls.queries.Load(), f.calls.scans.Load(), f.calls.read.Load(); q < partitions || s != 0 || int(r) > partitions*(limit+1) {
				t.Errorf("a page of %d took %d Queries and %d Scans reading %d items; want a Query of each of the %d partitions, reading at most %d",
					limit, q, s, r, partitions, partitions*(limit+1))
			}
			if len(page.Users) > limit {
				t.Fatalf("page of %d users, limit %d", len(page.Users), limit)
			}
			for _, u := range page.Users {
				names = append(names, u.Username)
			}
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
		return names
	}
	if got := collect("", 5); strings.Join(got, ",") != strings.Join(sorted(all), ",") {
		t.Errorf("paging through everyone gave %v, want %v in order", got, sorted(all))
	}
	var cats []string
	for _, n := range all {
		if strings.HasPrefix(n, "Cat") {
			cats = append(cats, n)
		}
	}
	if got := collect("cAT", 3); strings.Join(got, ",") != strings.Join(sorted(cats), ",") {
		t.Errorf("search %q gave %v, want %v in order", "cAT", got, sorted(cats))
	}
	if got := collect("at", 3); len(got) != 0 {
		t.Errorf("search %q (inside names, not a prefix) gave %v, want no one", "at", got)
	}
	if _, err := f.users.ListUsers(ctx, imageapp.UserQuery{Cursor: "not-a-cursor!"}); imageapp.ErrorCode(err) != imageapp.EINVALID {
		t.Errorf("a forged cursor = %v; want EINVALID", err)
	}
}

// TestBackfillDirectory: users written before the directory-index existed
// (no directory attribute) appear in it after the one-off backfill, which
// changes nothing the second time and leaves other items alone.
func TestBackfillDirectory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if err := f.users.PutUser(ctx, imageapp.User{ID: "id-new", Username: "newer", Email: "n@example.com"}); err != nil {
		t.Fatal(err)
	}
	for _, it := range []map[string]types.AttributeValue{
		{"username": &types.AttributeValueMemberS{Value: "older"}, "user_id": &types.AttributeValueMemberS{Value: "id-old"},
			"display_username": &types.AttributeValueMemberS{Value: "Older"}, "email": &types.AttributeValueMemberS{Value: "o@example.com"}},
		{"username": &types.AttributeValueMemberS{Value: "#not-a-user"}}, // an item of another kind: never listed
	} {
		if _, err := f.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(f.users.Table), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	names := func() string {
		page, err := f.users.ListUsers(ctx, imageapp.UserQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range page.Users {
			out = append(out, u.Username)
		}
		return strings.Join(out, ",")
	}
	putLegacy(t, f, "Legacy") // listed before the shards: found at once, moved by the backfill
	if got := names(); got != "Legacy,newer" {
		t.Fatalf("before the backfill the directory lists %q; want only the users written with the index", got)
	}
	for i, want := range []int{2, 0} {
		if n, err := f.users.BackfillDirectory(ctx); err != nil || n != want {
			t.Errorf("backfill %d changed %d users (%v); want %d", i+1, n, err, want)
		}
	}
	if got := names(); got != "Legacy,newer,Older" {
		t.Errorf("after the backfill the directory lists %q; want Legacy,newer,Older", got)
	}
}

// TestBackfillPairs: messages written before conversations existed (no
// pair) join their conversation after the one-off backfill, which changes
// nothing the second time and leaves pending markers alone.
func TestBackfillPairs(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	at := time.Unix(1700000000, 0).UTC()
	for i, m := range []*imageapp.Message{message("m1", "alice", "bob", at), message("m2", "bob", "alice", at.Add(time.Second)),
		message("m3", "alice", "bob", at.Add(2*time.Second))} {
		if err := f.messages.CreateMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		if i < 2 { // as an older version wrote them
			_, err := f.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(f.messages.Table),
				Key: map[string]types.AttributeValue{"message_id": &types.AttributeValueMemberS{Value: m.ID}}, UpdateExpression: aws.String("REMOVE pair")})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.messages.PutPending(ctx, "m4", at); err != nil {
		t.Fatal(err)
	}
	conversation := func() string {
		page, err := f.messages.Messages(ctx, imageapp.MessageQuery{UserID: "bob", With: "alice", Box: imageapp.Conversation, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range page.Messages {
			ids = append(ids, m.ID)
		}
		return strings.Join(ids, ",")
	}
	if got := conversation(); got != "m3" {
		t.Fatalf("before the backfill the conversation lists %q; want m3 only", got)
	}
	for i, want := range []int{2, 0} {
		if n, err := f.messages.BackfillPairs(ctx); err != nil || n != want {
			t.Errorf("backfill %d changed %d messages (%v); want %d", i+1, n, err, want)
		}
	}
	if got := conversation(); got != "m3,m2,m1" {
		t.Errorf("after the backfill the conversation lists %q; want m3,m2,m1", got)
	}
	if ok, err := f.messages.MessageExists(ctx, "m4"); ok || err != nil {
		t.Errorf("the pending marker became a message (%v)", err)
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func message(id, from, to string, at time.Time) *imageapp.Message {
	return &imageapp.Message{ID: id, SenderID: from, SenderName: "name-" + from, RecipientID: to, RecipientName: "name-" + to,
		CreatedAt: at, ContentType: "image/png", Size: 42, KeyID: "key-" + to, WrappedKey: []byte("wrapped-" + id),
		SealedMeta: []byte("sealed-" + id)}
}

func TestMessageItemAndReadState(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	at := time.Unix(1700000000, 123456789).UTC()
	m := message("m1", "alice", "bob", at)
	if err := f.messages.CreateMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := f.messages.CreateMessage(ctx, message("m1", "mallory", "bob", at)); imageapp.ErrorCode(err) != imageapp.ECONFLICT {
		t.Fatalf("overwriting a message = %v; want ECONFLICT", err)
	}
	raw := func() map[string]types.AttributeValue {
		out, err := f.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(f.messages.Table),
			Key: map[string]types.AttributeValue{"message_id": &types.AttributeValueMemberS{Value: "m1"}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item
	}
	item := raw()
	if sk := item["sort_key"].(*types.AttributeValueMemberS).Value; sk != "01700000000123456789#m1" {
		t.Errorf("sort_key = %q", sk)
	}
	if !regexp.MustCompile(`^\d{20}#m1$`).MatchString(dynamostore.SortKey(at.UnixNano(), "m1")) {
		t.Error("SortKey is not 20 digits, '#', the ID")
	}
	if v, ok := item["unread_recipient_id"].(*types.AttributeValueMemberS); !ok || v.Value != "bob" {
		t.Errorf("an unread message must carry unread_recipient_id=bob, has %v", item["unread_recipient_id"])
	}
	if _, ok := item["read_at"]; ok {
		t.Error("an unread message has read_at")
	}
	if _, ok := item["wrapped_key"].(*types.AttributeValueMemberB); !ok {
		t.Error("wrapped_key is not binary")
	}
	if n, _ := f.messages.CountUnread(ctx, "bob"); n != 1 {
		t.Errorf("unread count = %d, want 1", n)
	}

	first := at.Add(time.Minute)
	if err := f.messages.MarkRead(ctx, "m1", first); err != nil {
		t.Fatal(err)
	}
	if err := f.messages.MarkRead(ctx, "m1", first.Add(time.Hour)); err != nil {
		t.Fatalf("marking read twice = %v; want nil", err)
	}
	if err := f.messages.MarkRead(ctx, "gone", first); err != nil {
		t.Fatalf("marking a missing message = %v; want nil", err)
	}
	item = raw()
	if _, ok := item["unread_recipient_id"]; ok {
		t.Error("a read message still has unread_recipient_id, so it stays in the unread-index")
	}
	if v, ok := item["read_recipient_id"].(*types.AttributeValueMemberS); !ok || v.Value != "bob" {
		t.Errorf("a read message must carry read_recipient_id=bob for the read-index, has %v", item["read_recipient_id"])
	}
	got, err := f.messages.Message(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.ReadAt.Equal(first) {
		t.Errorf("read at %v, want the first time %v", got.ReadAt, first)
	}
	m.ReadAt = first
	if fmt.Sprint(*got) != fmt.Sprint(*m) {
		t.Errorf("round trip:\n got %+v\nwant %+v", *got, *m)
	}
	if n, _ := f.messages.CountUnread(ctx, "bob"); n != 0 {
		t.Errorf("unread count = %d, want 0", n)
	}

	if ok, _ := f.messages.MessageExists(ctx, "m1"); !ok {
		t.Error("MessageExists(m1) = false")
	}
	if err := f.messages.DeleteMessage(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if err := f.messages.DeleteMessage(ctx, "m1"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("second delete = %v; want ENOTFOUND", err)
	}
	if _, err := f.messages.Message(ctx, "m1"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("get after delete = %v; want ENOTFOUND", err)
	}
	if ok, _ := f.messages.MessageExists(ctx, "m1"); ok {
		t.Error("MessageExists after delete = true")
	}
}

// TestMailboxPagesAreKeysetQueries sends messages with equal and distinct
// times, reads some, and checks every view page by page: newest first, ties
// broken by ID, each page one Query and no per-item reads.
func TestMailboxPagesAreKeysetQueries(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	base := time.Unix(1700000000, 0).UTC()
	var inbox []string
	for i := range 130 {
		at := base.Add(time.Duration(i/2) * time.Second) // pairs share a timestamp
		id := fmt.Sprintf("m%03d", i)
		if err := f.messages.CreateMessage(ctx, message(id, "alice", "bob", at)); err != nil {
			t.Fatal(err)
		}
		inbox = append([]string{id}, inbox...)
	}
	if err := f.messages.CreateMessage(ctx, message("other", "carol", "dave", base)); err != nil {
		t.Fatal(err)
	}
	// Read the oldest three, so the read filter must skip 127 unread messages.
	read := map[string]bool{"m000": true, "m001": true, "m002": true}
	for id := range read {
		if err := f.messages.MarkRead(ctx, id, base.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	filter := func(keep func(string) bool) []string {
		var out []string
		for _, id := range inbox {
			if keep(id) {
				out = append(out, id)
			}
		}
		return out
	}
	for _, tc := range []struct {
		q    imageapp.MessageQuery
		want []string
	}{
		{imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Status: imageapp.AllMessages, Limit: 50}, inbox},
		{imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Status: imageapp.UnreadMessages, Limit: 40}, filter(func(id string) bool { return !read[id] })},
		{imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Status: imageapp.ReadMessages, Limit: 2}, filter(func(id string) bool { return read[id] })},
		{imageapp.MessageQuery{UserID: "alice", Box: imageapp.Sent, Status: imageapp.AllMessages, Limit: 200}, inbox},
		{imageapp.MessageQuery{UserID: "alice", Box: imageapp.Sent, Status: imageapp.ReadMessages, Limit: 10}, filter(func(id string) bool { return read[id] })},
		{imageapp.MessageQuery{UserID: "alice", Box: imageapp.Inbox, Status: imageapp.AllMessages, Limit: 10}, nil},
	} {
		name := fmt.Sprintf("%s/%s/%s/limit%d", tc.q.UserID, tc.q.Box, tc.q.Status, tc.q.Limit)
		t.Run(name, func(t *testing.T) {
			var got []string
			q := tc.q
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatal("the cursor does not advance")
				}
				f.calls.gets.Store(0)
				page, err := f.messages.Messages(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if f.calls.gets.Load() != 0 {
					t.Errorf("a page made %d GetItem calls; the indexes project everything", f.calls.gets.Load())
				}
				if len(page.Messages) > q.Limit {
					t.Fatalf("page of %d, limit %d", len(page.Messages), q.Limit)
				}
				for _, m := range page.Messages {
					got = append(got, m.ID)
				}
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %d messages %v\nwant %d %v", len(got), got, len(tc.want), tc.want)
			}
		})
	}
	// A filtered page reads at most filteredCalls Queries, then ends short
	// (here empty) with a cursor that goes on where it stopped.
	restore := dynamostore.SetFilteredPaging(10, 2)
	var got []string
	q := imageapp.MessageQuery{UserID: "alice", Box: imageapp.Sent, Status: imageapp.ReadMessages, Limit: 5}
	for pages := 0; ; pages++ {
		f.calls.queries.Store(0)
		page, err := f.messages.Messages(ctx, q)
		if err != nil || f.calls.queries.Load() > 2 || pages > 20 {
			t.Fatalf("a filtered page took %d queries (%v), page %d; want at most 2 and an end", f.calls.queries.Load(), err, pages)
		}
		for _, m := range page.Messages {
			got = append(got, m.ID)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	restore()
	if want := filter(func(id string) bool { return read[id] }); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paging a filtered box in short pages: got %v, want %v", got, want)
	}

	f.calls.queries.Store(0)
	page, err := f.messages.Messages(ctx, imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Status: imageapp.AllMessages, Limit: 20})
	if err != nil || len(page.Messages) != 20 || f.calls.queries.Load() != 1 {
		t.Errorf("an unfiltered page of 20 took %d queries (%v); want one", f.calls.queries.Load(), err)
	}
	f.calls.queries.Store(0)
	if _, err := f.messages.Messages(ctx, imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Status: imageapp.ReadMessages, Limit: 20}); err != nil || f.calls.queries.Load() != 1 {
		t.Errorf("a page of read messages under 127 unread took %d queries (%v); want one (the read-index)", f.calls.queries.Load(), err)
	}
	f.calls.queries.Store(0)
	if n, _ := f.messages.CountUnread(ctx, "bob"); n != imageapp.MaxUnreadCount || f.calls.queries.Load() != 1 {
		t.Errorf("unread count of 127 = %d in %d queries, want %d (where counts stop) in one", n, f.calls.queries.Load(), imageapp.MaxUnreadCount)
	}
	for _, bad := range []string{"x", "MDAwMDA", "%%%"} {
		_, err := f.messages.Messages(ctx, imageapp.MessageQuery{UserID: "bob", Box: imageapp.Inbox, Cursor: bad, Limit: 5})
		if imageapp.ErrorCode(err) != imageapp.EINVALID {
			t.Errorf("cursor %q = %v; want EINVALID", bad, err)
		}
	}
}
