package dynamostore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// Directory is the users table. The hash key is the lowercased username, so
// a username is unique regardless of case by construction; lookups by ID go
// through the user_id-index GSI.
type Directory struct {
	DB    API
	Table string
	Now   func() time.Time
}

var (
	_ imageapp.Directory       = (*Directory)(nil)
	_ imageapp.SessionVersions = (*Directory)(nil)
)

// PutUser stores u under its lowercased username. The condition makes the
// username's first owner keep it: another ID gets ECONFLICT. It is an
// UpdateItem rather than a PutItem so that re-provisioning keeps the
// session version and the first creation time.
func (d *Directory) PutUser(ctx context.Context, u imageapp.User) error {
	if u.ID == "" || u.Username == "" {
		return imageapp.Errorf(imageapp.EINVALID, "A user needs an ID and a username.")
	}
	created := u.CreatedAt
	if created.IsZero() {
		created = d.now()
	}
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table),
		Key:       item{attrUsername: str(strings.ToLower(u.Username))},
		UpdateExpression: aws.String("SET #uid = :id, #name = :name, #email = :email, #key = :key, #topic = :topic, " +
			"#created = if_not_exists(#created, :created)"),
		ConditionExpression: aws.String("attribute_not_exists(#username) OR #uid = :id"),
		ExpressionAttributeNames: map[string]string{
			"#username": attrUsername, "#uid": attrUserID, "#name": attrDisplayUsername, "#email": attrEmail,
			"#key": attrKeyID, "#topic": attrTopic, "#created": attrCreatedAt,
		},
		ExpressionAttributeValues: item{
			":id": str(u.ID), ":name": str(u.Username), ":email": str(u.Email), ":key": str(u.KeyID),
			":topic": str(u.Topic), ":created": num(created.UnixNano()),
		},
	})
	if isConditionFailed(err) {
		return imageapp.ErrUsernameTaken(u.Username)
	}
	if err != nil {
		return storeError("put user", err)
	}
	return nil
}

// BumpSessionVersion ends every session of the user.
func (d *Directory) BumpSessionVersion(ctx context.Context, userID string) error {
	u, err := d.UserByID(ctx, userID)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return nil // no directory entry, so no session could carry a version
	} else if err != nil {
		return err
	}
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(strings.ToLower(u.Username))},
		UpdateExpression:          aws.String("ADD #ver :one"),
		ConditionExpression:       aws.String("#uid = :id"),
		ExpressionAttributeNames:  map[string]string{"#ver": attrSessionVersion, "#uid": attrUserID},
		ExpressionAttributeValues: item{":one": num(1), ":id": str(userID)},
	})
	if err != nil {
		return storeError("bump session version", err)
	}
	return nil
}

// UserByID finds the username in the user_id-index, then reads the item
// itself with a strongly consistent read: the index is eventually consistent,
// and the session version it would return could lag a logout. Right after
// PutUser the index may not have the user yet (ENOTFOUND), which
// provisioning, being idempotent, tolerates.
func (d *Directory) UserByID(ctx context.Context, id string) (imageapp.User, error) {
	if id == "" {
		return imageapp.User{}, imageapp.ErrNoSuchUser()
	}
	out, err := d.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(d.Table),
		IndexName:                 aws.String(UserIDIndex),
		KeyConditionExpression:    aws.String("#uid = :id"),
		ProjectionExpression:      aws.String("#username"),
		ExpressionAttributeNames:  map[string]string{"#uid": attrUserID, "#username": attrUsername},
		ExpressionAttributeValues: item{":id": str(id)},
		Limit:                     aws.Int32(1),
	})
	if err != nil {
		return imageapp.User{}, storeError("get user by id", err)
	}
	if len(out.Items) == 0 {
		return imageapp.User{}, imageapp.ErrNoSuchUser()
	}
	d2 := decoder{it: out.Items[0]}
	key := d2.str(attrUsername)
	if d2.err != nil {
		return imageapp.User{}, d2.err
	}
	u, err := d.UserByUsername(ctx, key)
	if err == nil && u.ID != id {
		return imageapp.User{}, imageapp.ErrNoSuchUser() // the index lagged a change of owner, which PutUser forbids anyway
	}
	return u, err
}

// UserByUsername is a strongly consistent GetItem on the lowercased name.
func (d *Directory) UserByUsername(ctx context.Context, username string) (imageapp.User, error) {
	if username == "" {
		return imageapp.User{}, imageapp.ErrNoSuchUser()
	}
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.Table),
		Key:            item{attrUsername: str(strings.ToLower(username))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return imageapp.User{}, storeError("get user", err)
	}
	if out.Item == nil {
		return imageapp.User{}, imageapp.ErrNoSuchUser()
	}
	return decodeUser(out.Item)
}

const (
	defaultUserPage = 50
	maxUserPage     = 200
	// scanBatch is how many items one Scan call evaluates before the filter;
	// scanCalls bounds the calls behind one page, so a rare search term
	// returns a short page with a cursor instead of reading the whole table.
	scanBatch = 200
	scanCalls = 10
)

// ListUsers is the one Scan of the app: the directory has no natural
// partition to query. The filter is a substring of the lowercased username.
// DynamoDB scans in hash order, not alphabetically, so users are sorted by
// username within each page only; pages follow the table's own order. The
// cursor is the key to resume after (base64 of its JSON). A page may hold
// fewer than Limit users and still have a Next, and the last page may be empty.
func (d *Directory) ListUsers(ctx context.Context, q imageapp.UserQuery) (imageapp.UserPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > maxUserPage {
		limit = defaultUserPage
	}
	start, err := decodeScanCursor(q.Cursor)
	if err != nil {
		return imageapp.UserPage{}, err
	}
	in := &dynamodb.ScanInput{
		TableName:         aws.String(d.Table),
		Limit:             aws.Int32(int32(limit)),
		ExclusiveStartKey: start,
	}
	if search := strings.ToLower(strings.TrimSpace(q.Search)); search != "" {
		in.Limit = aws.Int32(int32(max(limit, scanBatch)))
		in.FilterExpression = aws.String("contains(#username, :q)")
		in.ExpressionAttributeNames = map[string]string{"#username": attrUsername}
		in.ExpressionAttributeValues = item{":q": str(search)}
	}
	var page imageapp.UserPage
	var next map[string]types.AttributeValue
	for call := 0; call < scanCalls; call++ {
		out, err := d.DB.Scan(ctx, in)
		if err != nil {
			return imageapp.UserPage{}, storeError("list users", err)
		}
		next = out.LastEvaluatedKey
		for i, it := range out.Items {
			u, err := decodeUser(it)
			if err != nil {
				return imageapp.UserPage{}, err
			}
			page.Users = append(page.Users, u)
			if len(page.Users) == limit && (i < len(out.Items)-1 || next != nil) {
				// Resume right after this item: a Scan's start key is the
				// table key of the last item seen.
				next = item{attrUsername: it[attrUsername]}
				break
			}
		}
		if len(page.Users) == limit || next == nil {
			break
		}
		in.ExclusiveStartKey = next
	}
	if next != nil {
		page.Next = encodeScanCursor(next)
	}
	sort.Slice(page.Users, func(i, j int) bool {
		return strings.ToLower(page.Users[i].Username) < strings.ToLower(page.Users[j].Username)
	})
	return page, nil
}

func encodeScanCursor(key map[string]types.AttributeValue) string {
	plain := map[string]string{}
	for k, v := range key {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			plain[k] = s.Value
		}
	}
	raw, _ := json.Marshal(plain)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeScanCursor(c string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	bad := imageapp.ErrBadPageLink()
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var plain map[string]string
	if err := json.Unmarshal(raw, &plain); err != nil || len(plain) != 1 || plain[attrUsername] == "" {
		return nil, bad
	}
	return item{attrUsername: str(plain[attrUsername])}, nil
}

func decodeUser(it item) (imageapp.User, error) {
	d := decoder{it: it}
	u := imageapp.User{
		ID:             d.str(attrUserID),
		Username:       d.str(attrDisplayUsername),
		Email:          d.str(attrEmail),
		KeyID:          d.str(attrKeyID),
		Topic:          d.str(attrTopic),
		CreatedAt:      d.time(attrCreatedAt),
		SessionVersion: d.num(attrSessionVersion),
	}
	if u.Username == "" {
		u.Username = d.str(attrUsername)
	}
	return u, d.err
}

func (d *Directory) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}
