package dynamostore

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// readyKey is a partition key no item has: no username or message ID
// starts with '#' (the cookie-key ring's item is "#cookie-keys").
const readyKey = "#readyz"

// Ready reports whether DynamoDB answers for both tables, with a GetItem of
// a key no item has on each: cheap (half a read unit), and within the
// permissions the app holds already.
func Ready(ctx context.Context, db *dynamodb.Client, usersTable, messagesTable string) error {
	var errs []error
	for table, key := range map[string]string{usersTable: attrUsername, messagesTable: attrMessageID} {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(table),
			Key:       map[string]types.AttributeValue{key: &types.AttributeValueMemberS{Value: readyKey}},
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
