package dynamostore

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// A user's authenticator-app enrolment is one item of the users table under a
// reserved key, like their sessions (imageapp.TwoFactorStore):
//
//	username S = "#twofactor#<user_id>" | sealed_secret B | wrapped_key B
//	confirmed BOOL | last_step N | recovery SS (hashes of the unused recovery codes)
//
// It has no user_id or directory attribute, so neither index holds it. Each
// change is one conditional UpdateItem, so two instances never accept the
// same code or recovery code twice. Only GetItem and UpdateItem: the app's
// role may not put or delete items of the users table but the cookie key
// ring's (terraform/iam.tf), so turning it off leaves the key alone.

const (
	attrSealedSecret = "sealed_secret"
	attrConfirmed    = "confirmed"
	attrLastStep     = "last_step"
	attrRecovery     = "recovery"
)

func twoFactorKey(userID string) item { return item{attrUsername: str("#twofactor#" + userID)} }

var _ imageapp.TwoFactorStore = (*Directory)(nil)

func notSetUp() error {
	return imageapp.Errorf(imageapp.ENOTFOUND, "Two-factor sign-in is not set up.")
}

// TwoFactor reads the enrolment item.
func (d *Directory) TwoFactor(ctx context.Context, userID string) (imageapp.TwoFactor, error) {
	out, err := d.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.Table), Key: twoFactorKey(userID), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return imageapp.TwoFactor{}, storeError("two-factor", err)
	}
	if _, ok := out.Item[attrSealedSecret]; !ok {
		return imageapp.TwoFactor{}, notSetUp() // none, or one deleted (its key is all that is left)
	}
	dec := decoder{it: out.Item}
	tf := imageapp.TwoFactor{
		SealedSecret: dec.bin(attrSealedSecret),
		WrappedKey:   dec.bin(attrWrappedKey),
		Confirmed:    dec.boolean(attrConfirmed),
		LastStep:     dec.num(attrLastStep),
	}
	switch v := out.Item[attrRecovery].(type) {
	case *types.AttributeValueMemberSS:
		tf.RecoveryHashes = slices.Sorted(slices.Values(v.Value))
	case nil:
	default:
		dec.fail(attrRecovery)
	}
	if dec.err != nil {
		return imageapp.TwoFactor{}, dec.err
	}
	return tf, nil
}

// PutTwoFactor writes the item unless a confirmed one is there.
func (d *Directory) PutTwoFactor(ctx context.Context, userID string, tf imageapp.TwoFactor) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(d.Table),
		Key:                 twoFactorKey(userID),
		UpdateExpression:    aws.String("SET #sec = :sec, #wk = :wk, #c = :no, #s = :zero REMOVE #r"),
		ConditionExpression: aws.String("attribute_not_exists(#c) OR #c = :no"),
		ExpressionAttributeNames: map[string]string{
			"#sec": attrSealedSecret, "#wk": attrWrappedKey, "#c": attrConfirmed, "#s": attrLastStep, "#r": attrRecovery,
		},
		ExpressionAttributeValues: item{
			":sec": bin(tf.SealedSecret), ":wk": bin(tf.WrappedKey), ":no": &types.AttributeValueMemberBOOL{Value: false}, ":zero": num(0),
		},
	})
	if isConditionFailed(err) {
		return imageapp.Errorf(imageapp.ECONFLICT, "Two-factor sign-in is on already.")
	}
	if err != nil {
		return storeError("put two-factor", err)
	}
	return nil
}

// ConfirmTwoFactor sets confirmed, the step and the recovery codes at once.
func (d *Directory) ConfirmTwoFactor(ctx context.Context, userID string, hashes []string, step int64) error {
	in := &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      twoFactorKey(userID),
		UpdateExpression:         aws.String("SET #c = :yes, #s = :step, #r = :codes"),
		ConditionExpression:      aws.String("attribute_exists(#c) AND #c = :no AND #s < :step"),
		ExpressionAttributeNames: map[string]string{"#c": attrConfirmed, "#s": attrLastStep, "#r": attrRecovery},
		ExpressionAttributeValues: item{
			":yes": &types.AttributeValueMemberBOOL{Value: true}, ":no": &types.AttributeValueMemberBOOL{Value: false},
			":step": num(step), ":codes": &types.AttributeValueMemberSS{Value: hashes},
		},
	}
	if len(hashes) == 0 { // a string set is never empty
		in.UpdateExpression = aws.String("SET #c = :yes, #s = :step REMOVE #r")
		delete(in.ExpressionAttributeValues, ":codes")
	}
	_, err := d.DB.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		if _, err := d.TwoFactor(ctx, userID); err != nil {
			return err
		}
		return imageapp.Errorf(imageapp.ECONFLICT, "Two-factor sign-in is on already.")
	}
	if err != nil {
		return storeError("confirm two-factor", err)
	}
	return nil
}

// UseTwoFactorStep moves last_step forward, only forward.
func (d *Directory) UseTwoFactorStep(ctx context.Context, userID string, step int64) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       twoFactorKey(userID),
		UpdateExpression:          aws.String("SET #s = :step"),
		ConditionExpression:       aws.String("#c = :yes AND #s < :step"),
		ExpressionAttributeNames:  map[string]string{"#c": attrConfirmed, "#s": attrLastStep},
		ExpressionAttributeValues: item{":yes": &types.AttributeValueMemberBOOL{Value: true}, ":step": num(step)},
	})
	if isConditionFailed(err) {
		tf, err := d.TwoFactor(ctx, userID)
		if err != nil || !tf.Confirmed {
			return imageapp.Errorf(imageapp.ENOTFOUND, "Two-factor sign-in is not on.")
		}
		return imageapp.Errorf(imageapp.ECONFLICT, "That code was used already.")
	}
	if err != nil {
		return storeError("use two-factor code", err)
	}
	return nil
}

// UseRecoveryCode deletes hash from the set if it is in it.
func (d *Directory) UseRecoveryCode(ctx context.Context, userID, hash string) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       twoFactorKey(userID),
		UpdateExpression:          aws.String("DELETE #r :set"),
		ConditionExpression:       aws.String("contains(#r, :h)"),
		ExpressionAttributeNames:  map[string]string{"#r": attrRecovery},
		ExpressionAttributeValues: item{":h": str(hash), ":set": &types.AttributeValueMemberSS{Value: []string{hash}}},
	})
	if isConditionFailed(err) {
		return imageapp.Errorf(imageapp.ENOTFOUND, "That recovery code is not one of yours, or was used already.")
	}
	if err != nil {
		return storeError("use recovery code", err)
	}
	return nil
}

// DeleteTwoFactor removes every attribute but the key: the app may not
// delete items of the users table (terraform/iam.tf), and a key alone
// reads as no enrolment.
func (d *Directory) DeleteTwoFactor(ctx context.Context, userID string) error {
	_, err := d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(d.Table),
		Key:              twoFactorKey(userID),
		UpdateExpression: aws.String("REMOVE #sec, #wk, #c, #s, #r"),
		ExpressionAttributeNames: map[string]string{
			"#sec": attrSealedSecret, "#wk": attrWrappedKey, "#c": attrConfirmed, "#s": attrLastStep, "#r": attrRecovery,
		},
	})
	if err != nil {
		return storeError("delete two-factor", err)
	}
	return nil
}
