package dynamostore

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"imageapp/app/imageapp"
)

// Look-alike usernames (imageapp.UsernameSkeleton) are kept apart by one
// item of the users table per skeleton, which no username can name (its
// key starts with '#', see reservedKey) and no index holds:
//
//	username S = "#skeleton#<skeleton>" | holder S (the lowercased name that holds it)
//	claimed_until N (a sign-up's claim; absent once the holder is a user) | retired_until N
//
// The holder keeps it while it is a user (no claimed_until, no
// retired_until), while its sign-up's claim runs, or while its retirement
// runs; after that any name with the skeleton may take it over.

const attrHolder = "holder"

func skeletonKey(username string) item {
	return item{attrUsername: str("#skeleton#" + imageapp.UsernameSkeleton(username))}
}

// claimSkeleton takes the skeleton of username for a sign-up until until.
// Its own name passes only when its own earlier claim is over: while the
// name is a user's, retired, or claimed by another sign-up of the same
// name, it is refused here.
func (d *Directory) claimSkeleton(ctx context.Context, username string, until, now time.Time) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(d.Table),
		Key:              skeletonKey(username),
		UpdateExpression: aws.String("SET #holder = :name, #claim = :until REMOVE #retired"),
		ConditionExpression: aws.String("attribute_not_exists(#holder)" +
			" OR (#holder = :name AND #claim < :now AND (attribute_not_exists(#retired) OR #retired < :now))" +
			" OR (#holder <> :name AND attribute_exists(#claim) AND #claim < :now AND (attribute_not_exists(#retired) OR #retired < :now))" +
			" OR (#holder <> :name AND #retired < :now)"),
		ExpressionAttributeNames: map[string]string{"#holder": attrHolder, "#claim": attrClaimedUntil, "#retired": attrRetiredUntil},
		ExpressionAttributeValues: item{":name": str(strings.ToLower(username)), ":until": num(until.UnixNano()),
			":now": num(now.UnixNano())},
	})
	if isConditionFailed(err) {
		return d.skeletonRefused(ctx, username, now)
	}
	if err != nil {
		return storeError("claim username", err)
	}
	return nil
}

// skeletonRefused words a refused skeleton: the name itself retired or
// taken, or too like another's.
func (d *Directory) skeletonRefused(ctx context.Context, username string, now time.Time) error {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.Table), Key: skeletonKey(username), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return storeError("claim username", err)
	}
	dec := decoder{it: out.Item}
	if dec.str(attrHolder) != strings.ToLower(username) {
		return imageapp.ErrUsernameTooSimilar(username)
	}
	if until := dec.num(attrRetiredUntil); until > now.UnixNano() {
		return imageapp.ErrUsernameRetired(username, int(math.Ceil(time.Duration(until-now.UnixNano()).Hours()/24)))
	}
	return imageapp.ErrUsernameTaken(username)
}

// updateSkeleton runs update on username's skeleton item while username
// holds it or nobody does. An item held by another name is left: two
// look-alike users from before skeletons existed, of which the first
// keeps it.
func (d *Directory) updateSkeleton(ctx context.Context, username, update string, values item) error {
	return d.updateSkeletonIf(ctx, username, update, values, "attribute_not_exists(#holder) OR #holder = :name")
}

// updateSkeletonIf runs update on username's skeleton item when cond holds
// (:name is the lowercased username, #holder the holder).
func (d *Directory) updateSkeletonIf(ctx context.Context, username, update string, values item, cond string) error {
	if values == nil {
		values = item{}
	}
	values[":name"] = str(strings.ToLower(username))
	names := map[string]string{"#holder": attrHolder}
	for _, a := range []string{attrClaimedUntil, attrRetiredUntil} {
		if strings.Contains(update, "#"+a) {
			names["#"+a] = a
		}
	}
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       skeletonKey(username),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("username skeleton", err)
	}
	return nil
}

// releaseSkeleton gives back the skeleton username claimed until until.
func (d *Directory) releaseSkeleton(ctx context.Context, username string, until time.Time) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       skeletonKey(username),
		UpdateExpression:          aws.String("REMOVE #holder, #claim"),
		ConditionExpression:       aws.String("#holder = :name AND #claim = :until"),
		ExpressionAttributeNames:  map[string]string{"#holder": attrHolder, "#claim": attrClaimedUntil},
		ExpressionAttributeValues: item{":name": str(strings.ToLower(username)), ":until": num(until.UnixNano())},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("release username skeleton", err)
	}
	return nil
}

// holdSkeleton makes username's user the holder of its skeleton for good.
func (d *Directory) holdSkeleton(ctx context.Context, username string) error {
	return d.updateSkeleton(ctx, username, "SET #holder = :name REMOVE #claimed_until, #retired_until", nil)
}

// retireSkeleton keeps username's skeleton from every name until until.
func (d *Directory) retireSkeleton(ctx context.Context, username string, until time.Time) error {
	return d.updateSkeleton(ctx, username, "SET #holder = :name, #retired_until = :until REMOVE #claimed_until",
		item{":until": num(until.UnixNano())})
}

// skeletonRetired reports whether username's skeleton is retired now.
func (d *Directory) skeletonRetired(ctx context.Context, username string) (bool, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.Table), Key: skeletonKey(username), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, storeError("retired username", err)
	}
	dec := decoder{it: out.Item}
	until := dec.num(attrRetiredUntil)
	return until > d.now().UnixNano(), dec.err
}

// BackfillSkeletons gives every user written before skeletons existed the
// item of their skeleton, and returns how many it wrote. Like
// BackfillDirectory it is a one-off for an upgrade: it Scans the whole
// table. Of two look-alike users the first written keeps the skeleton.
func (d *Directory) BackfillSkeletons(ctx context.Context) (int, error) {
	in := &dynamodb.ScanInput{
		TableName:                aws.String(d.Table),
		FilterExpression:         aws.String("attribute_exists(#uid)"),
		ProjectionExpression:     aws.String("#username"),
		ExpressionAttributeNames: map[string]string{"#uid": attrUserID, "#username": attrUsername},
	}
	n := 0
	for {
		out, err := d.DB.Scan(ctx, in)
		if err != nil {
			return n, storeError("backfill skeletons", err)
		}
		for _, it := range out.Items {
			dec := decoder{it: it}
			name := dec.str(attrUsername)
			if dec.err != nil {
				return n, dec.err
			}
			if err := d.holdSkeleton(ctx, name); err != nil {
				return n, err
			}
			n++
		}
		if out.LastEvaluatedKey == nil {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
