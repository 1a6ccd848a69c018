package dynamostore

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"imageapp/app/imageapp"
)

// BackfillPairs gives messages written before conversations existed their
// pair, so the conversation-index lists them, and returns how many it
// changed. Like BackfillDirectory it is a one-off for an upgrade (`imageapp
// aws backfill`): it Scans the whole table. Running it again changes nothing.
func (s *Messages) BackfillPairs(ctx context.Context) (int, error) {
	in := &dynamodb.ScanInput{
		TableName:            aws.String(s.Table),
		FilterExpression:     aws.String("attribute_exists(#sk) AND attribute_not_exists(#pair)"),
		ProjectionExpression: aws.String("#id, #from, #to, #withheld, #request"),
		ExpressionAttributeNames: map[string]string{"#sk": attrSortKey, "#pair": attrPair, "#id": attrMessageID,
			"#from": attrSenderID, "#to": attrRecipientID, "#withheld": attrWithheldRecipientID, "#request": attrRequestRecipientID},
	}
	n := 0
	for {
		out, err := s.DB.Scan(ctx, in)
		if err != nil {
			return n, storeError("backfill pairs", err)
		}
		for _, it := range out.Items {
			d := decoder{it: it}
			id, from, to := d.str(attrMessageID), d.str(attrSenderID), d.str(attrRecipientID)
			for _, other := range []string{attrWithheldRecipientID, attrRequestRecipientID} {
				if to == "" {
					to = d.str(other)
				}
			}
			if d.err != nil {
				return n, d.err
			}
			_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:                 aws.String(s.Table),
				Key:                       item{attrMessageID: str(id)},
				UpdateExpression:          aws.String("SET #pair = :pair"),
				ConditionExpression:       aws.String("attribute_exists(#sk) AND attribute_not_exists(#pair)"),
				ExpressionAttributeNames:  map[string]string{"#pair": attrPair, "#sk": attrSortKey},
				ExpressionAttributeValues: item{":pair": str(imageapp.PairKey(from, to))},
			})
			if err != nil && !isConditionFailed(err) { // deleted, or given its pair, meanwhile
				return n, storeError("backfill pairs", err)
			}
			if err == nil {
				n++
			}
		}
		if out.LastEvaluatedKey == nil {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
