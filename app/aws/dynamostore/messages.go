package dynamostore

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// Messages is the messages table. Every mailbox view is one Query of a GSI
// in sort_key order (creation time, then ID), newest first; a page never
// looks items up one by one, since the indexes project every attribute.
type Messages struct {
	DB    API
	Table string
}

var _ imageapp.MessageStore = (*Messages)(nil)

// SortKey orders messages by creation time, then ID: zero-padded so that
// string order is time order.
func SortKey(createdUnixNano int64, id string) string {
	return fmt.Sprintf("%020d#%s", createdUnixNano, id)
}

// CreateMessage stores m; an existing message is a conflict, never an
// overwrite. The item replaces m's pending marker, if any: the message
// lands and the marker leaves the pending-index in one write.
func (s *Messages) CreateMessage(ctx context.Context, m *imageapp.Message) error {
	created := m.CreatedAt.UnixNano()
	it := item{
		attrMessageID:     str(m.ID),
		attrSenderID:      str(m.SenderID),
		attrSenderName:    str(m.SenderName),
		attrRecipientID:   str(m.RecipientID),
		attrRecipientName: str(m.RecipientName),
		attrCreatedAt:     num(created),
		attrContentType:   str(m.ContentType),
		attrSize:          num(m.Size),
		attrKeyID:         str(m.KeyID),
		attrWrappedKey:    bin(m.WrappedKey),
		attrSealedMeta:    bin(m.SealedMeta),
		attrSortKey:       str(SortKey(created, m.ID)),
		attrPair:          str(imageapp.PairKey(m.SenderID, m.RecipientID)),
	}
	if len(m.Preview) > 0 {
		it[attrPreview] = bin(m.Preview)
	}
	if m.ViewOnce {
		it[attrViewOnce] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if m.AlbumID != "" {
		it[attrAlbumID] = str(m.AlbumID)
	}
	if m.QuoteID != "" {
		it[attrQuoteID] = str(m.QuoteID)
	}
	if !m.ExpiresAt.IsZero() {
		it[attrExpiresAt] = num(m.ExpiresAt.Unix())
		it[attrExpiryShard] = str(shardOf("e", m.ID))
		it[attrExpiryKey] = str(expiryKey(m.ExpiresAt, m.ID))
	}
	if len(m.SenderPreview) > 0 {
		it[attrSenderPreview] = bin(m.SenderPreview)
	}
	if m.PreviewDue {
		it[attrPreviewShard] = str(shardOf("v", m.ID))
		it[attrPreviewKey] = str(SortKey(created, m.ID))
	}
	switch {
	case m.Withheld:
		// Only its sender's: out of every recipient index (recipient,
		// unread, read) and the recipient's stored bytes.
		delete(it, attrRecipientID)
		it[attrWithheldRecipientID] = str(m.RecipientID)
	case m.Request:
		// Out of the recipient's inbox indexes, in the request-index.
		delete(it, attrRecipientID)
		it[attrRequestRecipientID] = str(m.RecipientID)
	case m.Unread():
		it[attrUnreadRecipientID] = str(m.RecipientID)
	default:
		it[attrReadAt] = num(m.ReadAt.UnixNano())
		it[attrReadRecipientID] = str(m.RecipientID)
	}
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		Item:                     it,
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": attrSortKey},
	})
	if isConditionFailed(err) {
		return imageapp.ErrMessageExists()
	}
	if err != nil {
		return storeError("create message", err)
	}
	if m.Withheld {
		return nil
	}
	// The message stands; should the count fail, the caller finds it stored
	// (MessageExists) and the count is short by this message.
	return s.addStored(ctx, m.RecipientID, m.Size)
}

// usageKey is the message_id of the item counting a recipient's stored
// bytes: no message ID (hex) has a '#', and the item has no sort_key, so it
// is in no index and is no message.
func usageKey(recipientID string) string { return "usage#" + recipientID }

// addStored adds n (negative on delete) to the recipient's stored bytes.
func (s *Messages) addStored(ctx context.Context, recipientID string, n int64) error {
	if recipientID == "" || n == 0 {
		return nil
	}
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       item{attrMessageID: str(usageKey(recipientID))},
		UpdateExpression:          aws.String("ADD #bytes :n"),
		ExpressionAttributeNames:  map[string]string{"#bytes": attrStoredBytes},
		ExpressionAttributeValues: item{":n": num(n)},
	})
	if err != nil {
		return storeError("count stored bytes", err)
	}
	return nil
}

// StoredBytes reads the recipient's counter (strongly consistent): one
// GetItem however full the inbox.
func (s *Messages) StoredBytes(ctx context.Context, recipientID string) (int64, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            item{attrMessageID: str(usageKey(recipientID))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, storeError("stored bytes", err)
	}
	d := decoder{it: out.Item}
	n := d.num(attrStoredBytes)
	return max(0, n), d.err
}

// RequestBytes queries the recipient's requests index for the sizes only,
// page by page, until the sum reaches upTo or the requests end. The index
// is eventually consistent: a request sent a moment ago may not count yet.
func (s *Messages) RequestBytes(ctx context.Context, recipientID string, upTo int64) (int64, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String(RequestIndex),
		KeyConditionExpression:    aws.String("#hash = :user"),
		ProjectionExpression:      aws.String("#size"),
		ExpressionAttributeNames:  map[string]string{"#hash": attrRequestRecipientID, "#size": attrSize},
		ExpressionAttributeValues: item{":user": str(recipientID)},
	}
	var sum int64
	for {
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return 0, storeError("request bytes", err)
		}
		for _, it := range out.Items {
			d := decoder{it: it}
			n := d.num(attrSize)
			if d.err != nil {
				return 0, d.err
			}
			sum += n
		}
		if sum >= upTo || out.LastEvaluatedKey == nil {
			return sum, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// Message is a strongly consistent GetItem; a pending marker is no message.
func (s *Messages) Message(ctx context.Context, id string) (*imageapp.Message, error) {
	if id == "" {
		return nil, imageapp.ErrNoSuchMessage()
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            item{attrMessageID: str(id)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, storeError("get message", err)
	}
	if !isMessage(out.Item) {
		return nil, imageapp.ErrNoSuchMessage()
	}
	return decodeMessage(out.Item)
}

// filteredBatch is how many items one Query call reads when a filter may drop
// some; the keyset cursor makes reading past the page harmless. filteredCalls
// bounds the calls behind one filtered page: past it the page ends short (even
// empty) with a cursor, rather than read a whole mailbox in one request.
var (
	filteredBatch = 100
	filteredCalls = 5
)

// Messages returns one page newest first. The cursor is the last sort_key
// of the previous page, used as a key condition (sort_key < cursor), so a
// page costs one range read however deep it is, whichever index serves it:
//
//	inbox, all     recipient-index
//	inbox, unread  unread-index (sparse: only unread messages are in it)
//	inbox, read    read-index (sparse: only read messages are in it)
//	sent           sender-index, filtered on read_at for unread/read (the
//	               one case where a page takes more than one Query: at most
//	               filteredCalls, then it ends short with a cursor)
func (s *Messages) Messages(ctx context.Context, q imageapp.MessageQuery) (imageapp.MessagePage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	index, hash, user := RecipientIndex, attrRecipientID, q.UserID
	var filter string
	switch {
	case q.Box == imageapp.Sent || q.Box == imageapp.Conversation:
		index, hash = SenderIndex, attrSenderID
		if q.Box == imageapp.Conversation {
			index, hash, user = PairIndex, attrPair, imageapp.PairKey(q.UserID, q.With)
		}
		switch q.Status {
		case imageapp.UnreadMessages:
			filter = "attribute_not_exists(#read)"
		case imageapp.ReadMessages:
			filter = "attribute_exists(#read)"
		}
	case q.Box == imageapp.Requests:
		index, hash = RequestIndex, attrRequestRecipientID
	case q.Status == imageapp.UnreadMessages:
		index, hash = UnreadIndex, attrUnreadRecipientID
	case q.Status == imageapp.ReadMessages:
		index, hash = ReadIndex, attrReadRecipientID
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String("#hash = :user"),
		ExpressionAttributeNames:  map[string]string{"#hash": hash},
		ExpressionAttributeValues: item{":user": str(user)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit + 1)), // one more tells whether a next page exists
	}
	if filter != "" {
		in.FilterExpression = aws.String(filter)
		in.ExpressionAttributeNames["#read"] = attrReadAt
		in.Limit = aws.Int32(int32(max(limit+1, filteredBatch)))
	}
	if q.Cursor != "" {
		after, err := decodeMessageCursor(q.Cursor)
		if err != nil {
			return imageapp.MessagePage{}, err
		}
		*in.KeyConditionExpression += " AND #sk < :after"
		in.ExpressionAttributeNames["#sk"] = attrSortKey
		in.ExpressionAttributeValues[":after"] = str(after)
	}
	var items []item
	var resume string // where a page cut short by filteredCalls goes on
	for calls := 1; ; calls++ {
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return imageapp.MessagePage{}, storeError("list messages", err)
		}
		items = append(items, out.Items...)
		if len(items) > limit || out.LastEvaluatedKey == nil {
			break
		}
		if calls == filteredCalls {
			d := decoder{it: out.LastEvaluatedKey}
			if resume = d.str(attrSortKey); d.err != nil {
				return imageapp.MessagePage{}, d.err
			}
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	var page imageapp.MessagePage
	if resume != "" {
		page.Next = encodeMessageCursor(resume)
	}
	for i, it := range items {
		if i == limit {
			last := page.Messages[limit-1]
			page.Next = encodeMessageCursor(SortKey(last.CreatedAt.UnixNano(), last.ID))
			break
		}
		m, err := decodeMessage(it)
		if err != nil {
			return imageapp.MessagePage{}, err
		}
		page.Messages = append(page.Messages, m)
	}
	return page, nil
}

var sortKeyPattern = regexp.MustCompile(`^[0-9]{20}#[A-Za-z0-9_-]{1,64}$`)

func encodeMessageCursor(sortKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(sortKey))
}

func decodeMessageCursor(c string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !sortKeyPattern.Match(raw) {
		return "", imageapp.ErrBadPageLink()
	}
	return string(raw), nil
}

// ConsumeViewOnce is MarkRead's conditional update on a view-once message;
// a failed condition is a view that came second (or no such message).
func (s *Messages) ConsumeViewOnce(ctx context.Context, id string, at time.Time) (bool, error) {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.Table),
		Key:                 item{attrMessageID: str(id)},
		UpdateExpression:    aws.String("SET #read = :at, #readrid = #rid REMOVE #unread"),
		ConditionExpression: aws.String("attribute_exists(#sk) AND attribute_not_exists(#read) AND #once = :true"),
		ExpressionAttributeNames: map[string]string{"#read": attrReadAt, "#unread": attrUnreadRecipientID, "#sk": attrSortKey,
			"#readrid": attrReadRecipientID, "#rid": attrRecipientID, "#once": attrViewOnce},
		ExpressionAttributeValues: item{":at": num(at.UnixNano()), ":true": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if isConditionFailed(err) {
		exists, err := s.MessageExists(ctx, id)
		if err == nil && !exists {
			err = imageapp.ErrNoSuchMessage()
		}
		return false, err
	}
	if err != nil {
		return false, storeError("consume view-once", err)
	}
	return true, nil
}

// expiryKey orders expiring messages by expiry second, then ID.
func expiryKey(at time.Time, id string) string { return fmt.Sprintf("%020d#%s", at.Unix(), id) }

// ExpiredBefore queries each shard of the sparse expiry-index for keys
// before the cutoff and merges them, soonest first: ExpiryShards Queries
// that read only what they return. The index lags a deletion, so callers
// settle each ID with a consistent read (DeleteMessage's condition).
func (s *Messages) ExpiredBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	keys, err := s.shardKeysBefore(ctx, sparseIndex{ExpiryIndex, attrExpiryShard, attrExpiryKey, "e"},
		fmt.Sprintf("%020d", cutoff.Unix()), limit)
	if err != nil {
		return nil, storeError("expired messages", err)
	}
	ids := make([]string, 0, min(len(keys), limit))
	for _, k := range keys[:min(len(keys), limit)] {
		_, id, ok := strings.Cut(k, "#")
		if !ok || id == "" {
			return nil, fmt.Errorf("dynamo: expiry key %q is malformed", k)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// MarkRead sets read_at and drops the message from the unread-index in one
// conditional update. A failed condition means it is read already (or
// gone), which is what the caller wanted: the first read time is kept.
func (s *Messages) MarkRead(ctx context.Context, id string, at time.Time) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.Table),
		Key:                 item{attrMessageID: str(id)},
		UpdateExpression:    aws.String("SET #read = :at, #readrid = #rid REMOVE #unread"),
		ConditionExpression: aws.String("attribute_exists(#sk) AND attribute_not_exists(#read)"),
		ExpressionAttributeNames: map[string]string{"#read": attrReadAt, "#unread": attrUnreadRecipientID, "#sk": attrSortKey,
			"#readrid": attrReadRecipientID, "#rid": attrRecipientID},
		ExpressionAttributeValues: item{":at": num(at.UnixNano())},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("mark read", err)
	}
	return nil
}

// DeleteMessage replaces the message's item with a pending marker for its
// blob: one conditional PutItem, so the metadata goes and the marker comes
// in the same write. Returns ENOTFOUND if the message is gone already (or
// the ID is only a marker, which stays as it is).
func (s *Messages) DeleteMessage(ctx context.Context, id string) error {
	out, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		Item:                     pendingItem(id, time.Now()),
		ConditionExpression:      aws.String("attribute_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": attrSortKey},
		ReturnValues:             types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		return imageapp.ErrNoSuchMessage()
	}
	if err != nil {
		return storeError("delete message", err)
	}
	// The message is gone; the old item says whose bytes it freed.
	d := decoder{it: out.Attributes}
	recipient, size := d.str(attrRecipientID), d.num(attrSize)
	if recipient == "" {
		recipient = d.str(attrRequestRecipientID) // a request counts too; a withheld message does not
	}
	if d.err != nil {
		return d.err
	}
	return s.addStored(ctx, recipient, -size)
}

// CountUnread counts the recipient's part of the sparse unread-index up to
// imageapp.MaxUnreadCount: one Query however many are unread (100 items stay
// far below the 1 MB a Query reads at most; the loop is for that limit only).
func (s *Messages) CountUnread(ctx context.Context, recipientID string) (int, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String(UnreadIndex),
		KeyConditionExpression:    aws.String("#hash = :user"),
		ExpressionAttributeNames:  map[string]string{"#hash": attrUnreadRecipientID},
		ExpressionAttributeValues: item{":user": str(recipientID)},
		Select:                    types.SelectCount,
		Limit:                     aws.Int32(imageapp.MaxUnreadCount),
	}
	n := 0
	for {
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return 0, storeError("count unread", err)
		}
		n += int(out.Count)
		if out.LastEvaluatedKey == nil || n >= imageapp.MaxUnreadCount {
			return min(n, imageapp.MaxUnreadCount), nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
		in.Limit = aws.Int32(int32(imageapp.MaxUnreadCount - n))
	}
}

// MessageExists reads only the sort_key, strongly consistent: a pending
// marker under the ID has none, and is no message.
func (s *Messages) MessageExists(ctx context.Context, id string) (bool, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.Table),
		Key:                      item{attrMessageID: str(id)},
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#sk"),
		ExpressionAttributeNames: map[string]string{"#sk": attrSortKey},
	})
	if err != nil {
		return false, storeError("message exists", err)
	}
	return isMessage(out.Item), nil
}

// isMessage tells a message's item from a pending marker (or nothing).
func isMessage(it item) bool {
	_, ok := it[attrSortKey]
	return ok
}

func decodeMessage(it item) (*imageapp.Message, error) {
	d := decoder{it: it}
	m := &imageapp.Message{
		ID:            d.str(attrMessageID),
		SenderID:      d.str(attrSenderID),
		SenderName:    d.str(attrSenderName),
		RecipientID:   d.str(attrRecipientID),
		RecipientName: d.str(attrRecipientName),
		CreatedAt:     d.time(attrCreatedAt),
		ReadAt:        d.time(attrReadAt),
		ContentType:   d.str(attrContentType),
		Size:          d.num(attrSize),
		KeyID:         d.str(attrKeyID),
		WrappedKey:    d.bin(attrWrappedKey),
		SealedMeta:    d.bin(attrSealedMeta),
		Preview:       d.bin(attrPreview),
		SenderPreview: d.bin(attrSenderPreview),
		ViewOnce:      d.boolean(attrViewOnce),
		QuoteID:       d.str(attrQuoteID),
		PreviewDue:    d.str(attrPreviewKey) != "",
		AlbumID:       d.str(attrAlbumID),
	}
	if m.RecipientID == "" {
		if id := d.str(attrRequestRecipientID); id != "" {
			m.RecipientID, m.Request = id, true
		} else {
			m.RecipientID, m.Withheld = d.str(attrWithheldRecipientID), true
		}
	}
	if secs := d.num(attrExpiresAt); secs > 0 {
		m.ExpiresAt = time.Unix(secs, 0).UTC()
	}
	return m, d.err
}
