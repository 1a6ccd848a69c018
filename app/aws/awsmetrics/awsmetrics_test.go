package awsmetrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/awsmetrics"
	"imageapp/app/awstest"
	"imageapp/app/metrics"
)

var stack *awstest.Stack

func TestMain(m *testing.M) {
	os.Exit(awstest.RunMain(m, awstest.Options{Services: []awstest.Service{awstest.DynamoDB}}, &stack))
}

// TestStoreCallsAreTimedAndFailuresCounted: every DynamoDB call is timed;
// a call the store fails counts as an error, a condition that did not hold
// does not (the app asked).
func TestStoreCallsAreTimedAndFailuresCounted(t *testing.T) {
	ctx := context.Background()
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reg := metrics.New("ImageApp", map[string]string{"Service": "imageapp"})
	cfg.APIOptions = append(cfg.APIOptions, awsmetrics.Middleware(reg))
	db := dynamodb.NewFromConfig(cfg)
	table := "awsmetrics-test"
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	put := func() error {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(table), Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}},
			ConditionExpression: aws.String("attribute_not_exists(id)"),
		})
		return err
	}
	if err := put(); err != nil {
		t.Fatal(err)
	}
	if err := put(); err == nil {
		t.Fatal("the second conditional put succeeded")
	}
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("no-such-table"),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}}); err == nil {
		t.Fatal("a read of a missing table succeeded")
	}

	var out bytes.Buffer
	if err := reg.Write(&out, time.Now()); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if line["DynamoDBLatencyCount"] != float64(4) { // CreateTable, two puts, the get
		t.Errorf("DynamoDBLatencyCount = %v; want 4 calls timed", line["DynamoDBLatencyCount"])
	}
	if line["DynamoDBErrors"] != float64(1) {
		t.Errorf("DynamoDBErrors = %v; want 1 (the missing table, not the condition)", line["DynamoDBErrors"])
	}
}
