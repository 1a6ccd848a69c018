package dynamostore

import (
	"context"
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
// session version, the first creation time and the privacy settings (a
// hidden user's directory attribute stays HiddenPartition, and one listed
// before the shards stays in LegacyDirectoryPartition until the backfill).
func (d *Directory) PutUser(ctx context.Context, u imageapp.User) error {
	if u.ID == "" || u.Username == "" || reservedKey(u.Username) {
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
			"#created = if_not_exists(#created, :created), #dir = if_not_exists(#dir, :dir) REMOVE #retired, #claim"),
		// A deleted account's tombstone keeps its name until retired_until,
		// and an account being deleted is not provisioned again; a sign-up's
		// claim (no user_id) is taken over by the account confirmed under it.
		ConditionExpression: aws.String("attribute_not_exists(#username) OR (#uid = :id AND attribute_not_exists(#retired)) OR " +
			"(attribute_not_exists(#uid) AND (attribute_not_exists(#retired) OR #retired < :now))"),
		ExpressionAttributeNames: map[string]string{
			"#username": attrUsername, "#uid": attrUserID, "#name": attrDisplayUsername, "#email": attrEmail,
			"#key": attrKeyID, "#topic": attrTopic, "#created": attrCreatedAt, "#dir": attrDirectory,
			"#retired": attrRetiredUntil, "#claim": attrClaimedUntil,
		},
		ExpressionAttributeValues: item{
			":id": str(u.ID), ":name": str(u.Username), ":email": str(u.Email), ":key": str(u.KeyID),
			":topic": str(u.Topic), ":created": num(created.UnixNano()), ":dir": str(DirectoryShard(u.Username)),
			":now": num(d.now().UnixNano()),
		},
	})
	if isConditionFailed(err) {
		return imageapp.ErrUsernameTaken(u.Username)
	}
	if err != nil {
		return storeError("put user", err)
	}
	return d.holdSkeleton(ctx, u.Username)
}

// SetThumbKey sets thumb_key if the user has none, in one conditional
// update, and returns the stored one.
func (d *Directory) SetThumbKey(ctx context.Context, userID string, wrapped []byte) ([]byte, error) {
	u, err := d.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	out, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(strings.ToLower(u.Username))},
		UpdateExpression:          aws.String("SET #thumb = if_not_exists(#thumb, :thumb)"),
		ConditionExpression:       aws.String("#uid = :id"),
		ExpressionAttributeNames:  map[string]string{"#thumb": attrThumbKey, "#uid": attrUserID},
		ExpressionAttributeValues: item{":thumb": bin(wrapped), ":id": str(userID)},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return nil, imageapp.ErrNoSuchUser()
	}
	if err != nil {
		return nil, storeError("set thumbnail key", err)
	}
	stored, err := decodeUser(out.Attributes)
	return stored.ThumbKey, err
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
	if username == "" || reservedKey(username) { // the app's own items (CookieKeysKey) are no user
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
	if _, ok := out.Item[attrUserID]; !ok { // no item, or a deleted account's tombstone
		return imageapp.User{}, imageapp.ErrNoSuchUser()
	}
	return decodeUser(out.Item)
}

const (
	defaultUserPage = 50
	maxUserPage     = 200
)

// ListUsers merges the shards of the directory-index (directoryshards.go):
// the users whose lowercased username begins_with the search, in username
// order, limit+1 of them (the extra one tells whether a next page exists).
// The cursor is the last username key, the start key of every shard's next
// Query, so it does not depend on the shards. A page is a Query per shard
// (and the legacy partition), in parallel, each reading about twice its
// share of the page; a shard holding the page back gets another. The index
// is eventually consistent: a user who signed up a moment ago may be
// missing for a moment.
func (d *Directory) ListUsers(ctx context.Context, q imageapp.UserQuery) (imageapp.UserPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > maxUserPage {
		limit = defaultUserPage
	}
	prefix, ok := imageapp.UsernamePrefix(q.Search)
	after, err := imageapp.ParseUserCursor(q.Cursor, prefix)
	if err != nil || !ok {
		return imageapp.UserPage{}, err
	}
	items, err := d.mergeShards(ctx, prefix, after, limit+1)
	if err != nil {
		return imageapp.UserPage{}, err
	}
	var page imageapp.UserPage
	for i, it := range items {
		if i == limit {
			page.Next = imageapp.UserCursor(strings.ToLower(page.Users[limit-1].Username))
			break
		}
		u, err := decodeUser(it)
		if err != nil {
			return imageapp.UserPage{}, err
		}
		page.Users = append(page.Users, u)
	}
	return page, nil
}

// BackfillDirectory puts users written before the directory-index existed
// (no directory attribute), or before it was sharded (the legacy "all"),
// into their shard, and returns how many it changed. Hidden users keep
// their key. It is a one-off for an upgrade, not for a request's path: it
// Scans the whole table. Running it again changes nothing.
func (d *Directory) BackfillDirectory(ctx context.Context) (int, error) {
	unsharded := "attribute_exists(#uid) AND (attribute_not_exists(#dir) OR #dir = :legacy)"
	in := &dynamodb.ScanInput{
		TableName:                 aws.String(d.Table),
		FilterExpression:          aws.String(unsharded),
		ProjectionExpression:      aws.String("#username"),
		ExpressionAttributeNames:  map[string]string{"#dir": attrDirectory, "#uid": attrUserID, "#username": attrUsername},
		ExpressionAttributeValues: item{":legacy": str(LegacyDirectoryPartition)},
	}
	n := 0
	for {
		out, err := d.DB.Scan(ctx, in)
		if err != nil {
			return n, storeError("backfill directory", err)
		}
		for _, it := range out.Items {
			changed, err := d.moveToShard(ctx, it, unsharded)
			if err != nil {
				return n, err
			}
			if changed {
				n++
			}
		}
		if out.LastEvaluatedKey == nil {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// moveToShard sets the directory attribute of the user item the Scan found
// to their shard, if it is still unsharded (the condition: a hide or a
// deletion since the Scan is left alone).
func (d *Directory) moveToShard(ctx context.Context, it item, unsharded string) (bool, error) {
	dec := decoder{it: it}
	key := dec.str(attrUsername)
	if dec.err != nil {
		return false, dec.err
	}
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(key)},
		UpdateExpression:          aws.String("SET #dir = :dir"),
		ConditionExpression:       aws.String(unsharded),
		ExpressionAttributeNames:  map[string]string{"#dir": attrDirectory, "#uid": attrUserID},
		ExpressionAttributeValues: item{":dir": str(DirectoryShard(key)), ":legacy": str(LegacyDirectoryPartition)},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, storeError("backfill directory", err)
	}
	return true, nil
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
		ThumbKey:       d.bin(attrThumbKey),
	}
	if u.Username == "" {
		u.Username = d.str(attrUsername)
	}
	decodePrivacy(it, &u)
	return u, d.err
}

func (d *Directory) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}
