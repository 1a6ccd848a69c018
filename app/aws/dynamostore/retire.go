package dynamostore

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// A deleted account's item becomes, in one conditional write, a
// tombstone: its username and retired_until, nothing else. Without user_id
// and directory it is in neither index; PutUser refuses the name to anyone
// until retired_until has passed.

// A retired_until on an item that still has a user_id is a deletion in
// progress (RetireUsername): the name is refused to claims and new
// accounts from then on. login_gone records that its login is deleted.
//
// A sign-up claims its name first (ClaimUsername): claimed_until on an item
// without a user_id holds the name for the life of the confirmation code;
// provisioning (PutUser) takes the claimed name over.

const (
	attrRetiredUntil = "retired_until"
	attrLoginGone    = "login_gone"
	attrClaimedUntil = "claimed_until"
)

// RetireUsername sets retired_until on u's item, which keeps its user_id:
// one conditional write, so a claim (which wants no user_id and no
// retirement) can never pass between it and the login's deletion.
func (d *Directory) RetireUsername(ctx context.Context, u imageapp.User, until time.Time) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(strings.ToLower(u.Username))},
		UpdateExpression:          aws.String("SET #retired = :until"),
		ConditionExpression:       aws.String("#uid = :id"),
		ExpressionAttributeNames:  map[string]string{"#retired": attrRetiredUntil, "#uid": attrUserID},
		ExpressionAttributeValues: item{":id": str(u.ID), ":until": num(until.UnixNano())},
	})
	if isConditionFailed(err) {
		return nil // a tombstone already, or the name is another user's: nothing of u's holds it
	}
	if err != nil {
		return storeError("retire username", err)
	}
	return d.retireSkeleton(ctx, u.Username, until)
}

// BeginLoginDeletion sets login_gone on u's item while it is u's and retiring.
func (d *Directory) BeginLoginDeletion(ctx context.Context, u imageapp.User) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(strings.ToLower(u.Username))},
		UpdateExpression:          aws.String("SET #gone = :true"),
		ConditionExpression:       aws.String("#uid = :id AND attribute_exists(#retired)"),
		ExpressionAttributeNames:  map[string]string{"#gone": attrLoginGone, "#uid": attrUserID, "#retired": attrRetiredUntil},
		ExpressionAttributeValues: item{":id": str(u.ID), ":true": &types.AttributeValueMemberBOOL{Value: true}},
	})
	if isConditionFailed(err) {
		return nil
	}
	if err != nil {
		return storeError("mark the login gone", err)
	}
	return nil
}

// LoginDeletionBegun reads u's item: u's, retiring, with login_gone.
func (d *Directory) LoginDeletionBegun(ctx context.Context, u imageapp.User) (bool, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.Table),
		Key:            item{attrUsername: str(strings.ToLower(u.Username))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, storeError("read the deletion", err)
	}
	gone, _ := out.Item[attrLoginGone].(*types.AttributeValueMemberBOOL)
	dec := decoder{it: out.Item}
	return dec.str(attrUserID) == u.ID && gone != nil && gone.Value, nil
}

// ClaimUsername holds username for a sign-up until until: first its
// skeleton (refused while another name that looks like it holds it:
// ECONFLICT), then the name itself, in one conditional write that refuses
// a name that is a user's, retired (also while its account is being
// deleted), or claimed by another sign-up whose code is still good
// (ECONFLICT). A claim whose time is over is taken over.
func (d *Directory) ClaimUsername(ctx context.Context, username string, until time.Time) error {
	if reservedKey(username) {
		return imageapp.ErrUsernameTaken(username)
	}
	now := d.now()
	if err := d.claimSkeleton(ctx, username, until, now); err != nil {
		return err
	}
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(d.Table),
		Key:              item{attrUsername: str(strings.ToLower(username))},
		UpdateExpression: aws.String("SET #claim = :until"),
		ConditionExpression: aws.String("attribute_not_exists(#uid) AND (attribute_not_exists(#retired) OR #retired < :now) " +
			"AND (attribute_not_exists(#claim) OR #claim < :now)"),
		ExpressionAttributeNames:  map[string]string{"#claim": attrClaimedUntil, "#uid": attrUserID, "#retired": attrRetiredUntil},
		ExpressionAttributeValues: item{":until": num(until.UnixNano()), ":now": num(now.UnixNano())},
	})
	if isConditionFailed(err) {
		// The skeleton was free, the name is not: a user from before
		// skeletons existed holds the name (their skeleton is theirs from
		// now), or the skeleton goes back, so that no look-alike waits for
		// a claim nobody made.
		return d.claimRefused(ctx, username, now, until)
	}
	if err != nil {
		return storeError("claim username", err)
	}
	return nil
}

// claimRefused settles the skeleton claimed until until for a name whose
// own claim was refused, and words the refusal: retired, or taken.
func (d *Directory) claimRefused(ctx context.Context, username string, now, until time.Time) error {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.Table),
		Key:            item{attrUsername: str(strings.ToLower(username))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return storeError("claim username", err)
	}
	dec := decoder{it: out.Item}
	settle := d.releaseSkeleton
	if dec.str(attrUserID) != "" {
		settle = func(ctx context.Context, username string, _ time.Time) error { return d.holdSkeleton(ctx, username) }
	}
	if err := settle(ctx, username, until); err != nil {
		return err
	}
	if until := dec.num(attrRetiredUntil); until > now.UnixNano() {
		return imageapp.ErrUsernameRetired(username, int(math.Ceil(time.Duration(until-now.UnixNano()).Hours()/24)))
	}
	return imageapp.ErrUsernameTaken(username)
}

// ExtendClaim moves the claim on username, while no user holds it, to
// until (a new code was mailed).
func (d *Directory) ExtendClaim(ctx context.Context, username string, until time.Time) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(strings.ToLower(username))},
		UpdateExpression:          aws.String("SET #claim = :until"),
		ConditionExpression:       aws.String("attribute_not_exists(#uid) AND attribute_exists(#claim)"),
		ExpressionAttributeNames:  map[string]string{"#claim": attrClaimedUntil, "#uid": attrUserID},
		ExpressionAttributeValues: item{":until": num(until.UnixNano())},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("extend username claim", err)
	}
	if err != nil {
		return nil // a user's name now, or not claimed at all
	}
	return d.updateSkeletonIf(ctx, username, "SET #claimed_until = :until", item{":until": num(until.UnixNano())},
		"#holder = :name AND attribute_exists(#claimed_until)")
}

// ReleaseClaim drops the claim until made, when a sign-up failed after
// claiming: the name is free again at once.
func (d *Directory) ReleaseClaim(ctx context.Context, username string, until time.Time) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(strings.ToLower(username))},
		UpdateExpression:          aws.String("REMOVE #claim"),
		ConditionExpression:       aws.String("attribute_not_exists(#uid) AND #claim = :until"),
		ExpressionAttributeNames:  map[string]string{"#claim": attrClaimedUntil, "#uid": attrUserID},
		ExpressionAttributeValues: item{":until": num(until.UnixNano())},
	})
	if err != nil && !isConditionFailed(err) {
		return storeError("release username", err)
	}
	if err != nil {
		return nil // not this claim any more
	}
	return d.releaseSkeleton(ctx, username, until)
}

// DeleteUser turns u's item into the username's tombstone, in one
// conditional UpdateItem (the app's role may PutItem only the cookie key
// ring, never a user's row): every attribute of the user goes.
func (d *Directory) DeleteUser(ctx context.Context, u imageapp.User, until time.Time) error {
	names := map[string]string{"#retired": attrRetiredUntil, "#uid": attrUserID}
	var removes []string
	for i, attr := range []string{attrUserID, attrDisplayUsername, attrEmail, attrKeyID, attrTopic, attrCreatedAt,
		attrSessionVersion, attrDirectory, attrThumbKey, attrNoReadReceipts, attrNoMail, attrMessageRequests,
		attrLoginGone, attrClaimedUntil} {
		name := fmt.Sprintf("#a%d", i)
		names[name] = attr
		removes = append(removes, name)
	}
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       item{attrUsername: str(strings.ToLower(u.Username))},
		UpdateExpression:          aws.String("SET #retired = :until REMOVE " + strings.Join(removes, ", ")),
		ConditionExpression:       aws.String("#uid = :id"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: item{":id": str(u.ID), ":until": num(until.UnixNano())},
	})
	if isConditionFailed(err) {
		return nil // gone already, or the name is another user's: nothing of u's to delete
	}
	if err != nil {
		return storeError("delete user", err)
	}
	if err := d.retireSkeleton(ctx, u.Username, until); err != nil {
		return err
	}
	// Their blocks item goes empty (an UpdateItem: the app may not DeleteItem users).
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      blocksKey(u.ID),
		UpdateExpression:         aws.String("REMOVE #blocked"),
		ExpressionAttributeNames: map[string]string{"#blocked": attrBlocked},
	})
	if err != nil {
		return storeError("delete the user's blocks", err)
	}
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      contactsKey(u.ID),
		UpdateExpression:         aws.String("REMOVE #c"),
		ExpressionAttributeNames: map[string]string{"#c": attrContacts},
	})
	if err != nil {
		return storeError("delete the user's contacts", err)
	}
	return nil
}

// UsernameRetired reads the skeleton's item, retired by any look-alike,
// then the name's: a tombstone still in its time, or a user's item whose
// deletion has begun.
func (d *Directory) UsernameRetired(ctx context.Context, username string) (bool, error) {
	if retired, err := d.skeletonRetired(ctx, username); err != nil || retired {
		return retired, err
	}
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.Table),
		Key:            item{attrUsername: str(strings.ToLower(username))},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, storeError("retired username", err)
	}
	dec := decoder{it: out.Item}
	until := dec.num(attrRetiredUntil)
	return until > d.now().UnixNano(), dec.err
}
