package awstest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/awstest"
)

// TestStackAnswersEverySDKClient starts every emulator except Lambda (the
// end-to-end test in package main runs that one) and makes one real SDK call
// to each, through the standard AWS_ENDPOINT_URL_<SERVICE> variables.
func TestStackAnswersEverySDKClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	stack, err := awstest.Start(ctx, awstest.Options{
		Services: []awstest.Service{awstest.KMS, awstest.S3, awstest.DynamoDB, awstest.SNS, awstest.Cognito},
		Log:      testWriter{t},
	})
	if err != nil {
		t.Fatalf("start emulators: %v", err)
	}
	t.Cleanup(stack.Close)
	for k, v := range stack.EnvVars() {
		t.Setenv(k, v)
	}
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := awsbackend.NewClients(cfg)
	res, err := awstest.CreateResources(ctx, c, stack, "harness")
	if err != nil {
		t.Fatalf("create resources: %v\n%s", err, stack.Logs())
	}
	if res.UserPoolID == "" || res.ClientID == "" || res.ClientSecret == "" {
		t.Errorf("cognito-local gave pool %q, client %q, secret set %v", res.UserPoolID, res.ClientID, res.ClientSecret != "")
	}
	if _, err := c.KMS.ListKeys(ctx, &kms.ListKeysInput{}); err != nil {
		t.Errorf("KMS: %v", err)
	}
	tables, err := c.DynamoDB.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 2 {
		t.Errorf("DynamoDB tables = %v, %v; want the two created", tables, err)
	}
	if _, err := c.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &res.Bucket}); err != nil {
		t.Errorf("S3: %v", err)
	}
	if _, err := c.SNS.ListTopics(ctx, &sns.ListTopicsInput{}); err != nil {
		t.Errorf("SNS: %v", err)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
