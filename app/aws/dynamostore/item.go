package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// API is the part of the DynamoDB client the adapters use; *dynamodb.Client
// implements it, and tests can wrap it to inject faults.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

type item = map[string]types.AttributeValue

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
func bin(v []byte) types.AttributeValue { return &types.AttributeValueMemberB{Value: v} }

// decoder reads attributes of one item and remembers the first malformed one.
type decoder struct {
	it  item
	err error
}

func (d *decoder) str(name string) string {
	switch v := d.it[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case nil:
		return ""
	}
	d.fail(name)
	return ""
}

func (d *decoder) num(name string) int64 {
	switch v := d.it[name].(type) {
	case *types.AttributeValueMemberN:
		n, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			d.fail(name)
		}
		return n
	case nil:
		return 0
	}
	d.fail(name)
	return 0
}

func (d *decoder) bin(name string) []byte {
	switch v := d.it[name].(type) {
	case *types.AttributeValueMemberB:
		return v.Value
	case nil:
		return nil
	}
	d.fail(name)
	return nil
}

func (d *decoder) boolean(name string) bool {
	switch v := d.it[name].(type) {
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case nil:
		return false
	}
	d.fail(name)
	return false
}

// time reads unix nanoseconds; an absent attribute is the zero time.
func (d *decoder) time(name string) time.Time {
	if _, ok := d.it[name]; !ok {
		return time.Time{}
	}
	return time.Unix(0, d.num(name)).UTC()
}

func (d *decoder) fail(name string) {
	if d.err == nil {
		d.err = fmt.Errorf("dynamo: attribute %s has an unexpected type", name)
	}
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// storeError wraps err with the operation; throttling that outlasted the
// SDK's retries becomes EUNAVAILABLE, which a person can act on (try again).
func storeError(op string, err error) error {
	var (
		throughput *types.ProvisionedThroughputExceededException
		limit      *types.RequestLimitExceeded
		throttled  *types.ThrottlingException
	)
	if errors.As(err, &throughput) || errors.As(err, &limit) || errors.As(err, &throttled) {
		return fmt.Errorf("%w: dynamo: %s: %v", imageapp.ErrBusy(), op, err)
	}
	return fmt.Errorf("dynamo: %s: %w", op, err)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
