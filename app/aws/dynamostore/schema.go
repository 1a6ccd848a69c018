// Package dynamostore keeps the user directory and message metadata in DynamoDB.
// The table layout is a contract: terraform/ creates the same tables, and
// CreateTables (for tests and the dev stack) is its executable description.
//
// Users table, hash key username (the lowercased username):
//
//	username S | user_id S | display_username S | email S | key_id S | topic S | created_at N | session_version N
//	thumb_key B (the thumbnail key wrapped under key_id; absent until the first thumbnail)
//	directory S = "all#<n>" (DirectoryShard: n = FNV-1a of username mod DirectoryShards) on every
//	listed user ("all", LegacyDirectoryPartition, on one listed before the shards, until the backfill),
//	"hidden" (HiddenPartition) on one who asked not to be listed; PutUser never changes it once set
//	no_read_receipts BOOL (true when the user turned read receipts off; absent otherwise)
//	no_mail BOOL (true when the user turned email notifications off; absent otherwise)
//	message_requests BOOL (true when the user accepts images only from people they know; absent otherwise)
//	GSI user_id-index: hash user_id, projection KEYS_ONLY: UserByID reads only
//	the username there (the table key), then the item with a consistent read
//	GSI directory-index: hash directory, range username, projection ALL: each
//	shard in username order, searched by prefix with begins_with; a page merges the shards
//
// Messages table, hash key message_id:
//
//	message_id S | sender_id S | sender_name S | recipient_id S | recipient_name S
//	created_at N (unix nanos) | read_at N (absent while unread) | content_type S | size N
//	key_id S | wrapped_key B | sealed_meta B | view_once BOOL (absent = false)
//	quote_id S (the message a reply quotes; absent = none)
//	expires_at N (unix seconds, the table's TTL: DynamoDB drops the row, and the
//	wrapped key with it, within days of expiry should the app's sweep not have)
//	expiry_shard S = "e<0..PendingShards-1>" | expiry_key S = fmt.Sprintf("%020d#%s", expires_at, message_id):
//	present only on expiring messages; GSI expiry-index (expiry_shard, expiry_key),
//	projection KEYS_ONLY: sparse, the expiry sweep queries each shard for keys before now
//	preview B | sender_preview B (sealed thumbnail and caption start, absent on older messages)
//	sort_key S = fmt.Sprintf("%020d#%s", created_at, message_id)
//	pair S = imageapp.PairKey(sender_id, recipient_id): the conversation
//	unread_recipient_id S = recipient_id, present only while unread
//	read_recipient_id S = recipient_id, present only once read
//	GSIs (projection ALL): recipient-index (recipient_id, sort_key),
//	sender-index (sender_id, sort_key), unread-index (unread_recipient_id, sort_key),
//	read-index (read_recipient_id, sort_key), conversation-index (pair, sort_key)
//	request_recipient_id S = recipient_id on a message request (then
//	recipient_id is absent, see requests.go); GSI request-index
//	(request_recipient_id, sort_key), projection ALL: sparse
//	preview_shard S = "v<0..PendingShards-1>" | preview_key S = fmt.Sprintf("%020d#%s", created_at, message_id):
//	present only while the message's previews are still to be made (PreviewDue);
//	GSI preview-index (preview_shard, preview_key), projection KEYS_ONLY: sparse,
//	the preview sweep queries each shard for keys before a cutoff
//
// A pending marker (MessageStore.PutPending) is an item of the messages table
// under the message's ID that is not a message yet: no sort_key, only
//
//	message_id S | pending_shard S = "p<0..PendingShards-1>" | pending_key S = fmt.Sprintf("%020d#%s", started, message_id)
//	GSI pending-index (pending_shard, pending_key), projection KEYS_ONLY: sparse,
//	only markers are in it; the sweeper queries each shard for keys before a cutoff
//
// A recipient's storage counter is an item of the messages table too, in
// no index (no sort_key, no recipient_id):
//
//	message_id S = "usage#<recipient's user_id>" | stored_bytes N: the sizes of
//	their stored messages, ADDed right after each message's PutItem and
//	subtracted right after its delete
//
// A recipient's notification mail state is an item of the messages table
// too, "maildigest#<user_id>", in the pending-index under the shards
// "d<0..PendingShards-1>" while a digest waits (maildigests.go).
//
// The message's PutItem replaces its marker, so the row landing and the
// marker going are one write. An item is a message if and only if it has a
// sort_key.
package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute and index names of the two tables.
const (
	attrUsername        = "username"
	attrUserID          = "user_id"
	attrDisplayUsername = "display_username"
	attrEmail           = "email"
	attrKeyID           = "key_id"
	attrTopic           = "topic"
	attrCreatedAt       = "created_at"
	attrSessionVersion  = "session_version"

	attrMessageID         = "message_id"
	attrSenderID          = "sender_id"
	attrSenderName        = "sender_name"
	attrRecipientID       = "recipient_id"
	attrRecipientName     = "recipient_name"
	attrReadAt            = "read_at"
	attrContentType       = "content_type"
	attrSize              = "size"
	attrWrappedKey        = "wrapped_key"
	attrSealedMeta        = "sealed_meta"
	attrSortKey           = "sort_key"
	attrUnreadRecipientID = "unread_recipient_id"
	attrReadRecipientID   = "read_recipient_id"
	attrExpiresAt         = "expires_at"
	attrDirectory         = "directory"
	attrPendingShard      = "pending_shard"
	attrPendingKey        = "pending_key"
	attrStoredBytes       = "stored_bytes"
	attrThumbKey          = "thumb_key"
	attrPreview           = "preview"
	attrSenderPreview     = "sender_preview"
	attrPair              = "pair"
	attrViewOnce          = "view_once"
	attrQuoteID           = "quote_id" // the message a reply quotes (absent = none)
	// album_id is shared by the images of one send (messaging.SendAlbum);
	// absent on an image sent alone.
	attrAlbumID = "album_id"
	// withheld_recipient_id stands for recipient_id on a withheld message
	// (sent to someone who blocks its sender), keeping it out of the
	// recipient's indexes: only the sender's and the pair's list it.
	attrWithheldRecipientID = "withheld_recipient_id"
	attrExpiryShard         = "expiry_shard"
	attrExpiryKey           = "expiry_key"
	attrPreviewShard        = "preview_shard"
	attrPreviewKey          = "preview_key"

	UserIDIndex    = "user_id-index"
	DirectoryIndex = "directory-index"
	PendingIndex   = "pending-index"
	RecipientIndex = "recipient-index"
	SenderIndex    = "sender-index"
	UnreadIndex    = "unread-index"
	ReadIndex      = "read-index"
	PairIndex      = "conversation-index"
	ExpiryIndex    = "expiry-index"
	PreviewIndex   = "preview-index"
)

// keysOnly makes ix project only the keys: the sweeps read only the
// index's range key (shardKeysBefore), then each item they act on, and
// UserByID only the username (the table key), then the item.
func keysOnly(ix types.GlobalSecondaryIndex) types.GlobalSecondaryIndex {
	ix.Projection = &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}
	return ix
}

// SchemaAPI is the part of the DynamoDB client CreateTables uses.
type SchemaAPI interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// UsersTableInput is the CreateTable request of the users table.
func UsersTableInput(name string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrUsername), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrUserID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrDirectory), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(attrUsername), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{keysOnly(types.GlobalSecondaryIndex{
			IndexName: aws.String(UserIDIndex),
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(attrUserID), KeyType: types.KeyTypeHash}},
		}), {
			IndexName: aws.String(DirectoryIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(attrDirectory), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(attrUsername), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	}
}

// MessagesTableInput is the CreateTable request of the messages table.
func MessagesTableInput(name string) *dynamodb.CreateTableInput {
	index := func(name, hash string, rng ...string) types.GlobalSecondaryIndex {
		sortKey := attrSortKey
		if len(rng) > 0 {
			sortKey = rng[0]
		}
		return types.GlobalSecondaryIndex{
			IndexName: aws.String(name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(sortKey), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}
	}
	return &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrMessageID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrRecipientID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrSenderID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrUnreadRecipientID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrReadRecipientID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrSortKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrPendingShard), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrPendingKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrPair), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrExpiryShard), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrExpiryKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrRequestRecipientID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrPreviewShard), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrPreviewKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(attrMessageID), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			index(RecipientIndex, attrRecipientID),
			index(SenderIndex, attrSenderID),
			index(UnreadIndex, attrUnreadRecipientID),
			index(ReadIndex, attrReadRecipientID),
			keysOnly(index(PendingIndex, attrPendingShard, attrPendingKey)),
			index(PairIndex, attrPair),
			keysOnly(index(ExpiryIndex, attrExpiryShard, attrExpiryKey)),
			index(RequestIndex, attrRequestRecipientID),
			keysOnly(index(PreviewIndex, attrPreviewShard, attrPreviewKey)),
		},
	}
}

// CreateTables creates both tables with the schema above and waits until
// they are active. Tables that exist already are left alone, so it can run
// on every start of a dev stack. The messages table gets TTL on expires_at.
func CreateTables(ctx context.Context, db SchemaAPI, usersTable, messagesTable string) error {
	for _, in := range []*dynamodb.CreateTableInput{UsersTableInput(usersTable), MessagesTableInput(messagesTable)} {
		_, err := db.CreateTable(ctx, in)
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return fmt.Errorf("dynamo: create table %s: %w", *in.TableName, err)
		}
		waiter := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
			o.MinDelay, o.MaxDelay = 200*time.Millisecond, 2*time.Second
		})
		if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, 2*time.Minute); err != nil {
			return fmt.Errorf("dynamo: wait for table %s: %w", *in.TableName, err)
		}
	}
	_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(messagesTable),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(attrExpiresAt), Enabled: aws.Bool(true),
		},
	})
	if err != nil && !isTTLAlreadyOn(err) {
		return fmt.Errorf("dynamo: enable TTL on %s: %w", messagesTable, err)
	}
	return nil
}

// isTTLAlreadyOn recognises the ValidationException DynamoDB returns when
// TTL is enabled already (a second CreateTables on the same tables).
func isTTLAlreadyOn(err error) bool {
	var apiErr interface{ ErrorMessage() string }
	return errors.As(err, &apiErr) && containsFold(apiErr.ErrorMessage(), "already enabled")
}
