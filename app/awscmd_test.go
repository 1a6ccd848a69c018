package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
)

func TestAWSCommandArguments(t *testing.T) {
	env := map[string]string{"IMAGEAPP_USERS_TABLE": "u", "IMAGEAPP_MESSAGES_TABLE": "m"}
	for _, args := range [][]string{nil, {"drop-tables"}, {"create-tables", "extra"}, {"create-tables", "-wait", "soon"},
		{"backfill", "-wait", "1s"}, {"backfill", "now"}} {
		opened := false
		err := runAWS(context.Background(), args, &bytes.Buffer{}, func(k string) string { return env[k] },
			func(context.Context) (awsDB, error) {
				opened = true
				return nil, errors.New("unreachable")
			})
		var usage usageError
		if !errors.As(err, &usage) || opened {
			t.Errorf("aws %q: %v (opened %v); want a usage error before any AWS call", args, err, opened)
		}
	}
	err := runAWS(context.Background(), []string{"create-tables"}, &bytes.Buffer{}, func(string) string { return "" },
		func(context.Context) (awsDB, error) { return nil, errors.New("unreachable") })
	if err == nil || !strings.Contains(err.Error(), "IMAGEAPP_USERS_TABLE") {
		t.Errorf("without table names: %v", err)
	}
}

// TestAWSCreateTables runs the command against DynamoDB Local (what the
// compose dev-aws profile does) and reads back that the tables have exactly
// the schema of dynamostore's CreateTable requests; a second run is a no-op.
func TestAWSCreateTables(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	stack, err := awstest.Start(ctx, awstest.Options{Services: []awstest.Service{awstest.DynamoDB}})
	if err != nil {
		t.Fatalf("DynamoDB Local did not start: %v", err)
	}
	defer stack.Close()
	for k, v := range stack.EnvVars() {
		t.Setenv(k, v)
	}
	env := map[string]string{"IMAGEAPP_USERS_TABLE": "dev-users", "IMAGEAPP_MESSAGES_TABLE": "dev-messages"}
	var db *dynamodb.Client
	open := func(ctx context.Context) (awsDB, error) {
		cfg, err := awsbackend.LoadConfig(ctx)
		db = awsbackend.NewClients(cfg).DynamoDB
		return db, err
	}
	for range 2 {
		var out bytes.Buffer
		if err := runAWS(ctx, []string{"create-tables", "-wait", "30s"}, &out, func(k string) string { return env[k] }, open); err != nil {
			t.Fatalf("create-tables: %v\n%s", err, out.String())
		}
	}
	// backfill: an older version's message (no pair) joins its conversation; a second run changes nothing.
	msgs := &dynamostore.Messages{DB: db, Table: "dev-messages"}
	m := &imageapp.Message{ID: "m1", SenderID: "a", SenderName: "a", RecipientID: "b", RecipientName: "b",
		CreatedAt: time.Unix(1700000000, 0), ContentType: "image/png", KeyID: "k", WrappedKey: []byte("w"), SealedMeta: []byte("s")}
	if err := msgs.CreateMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("dev-messages"),
		Key: map[string]ddbtypes.AttributeValue{"message_id": &ddbtypes.AttributeValueMemberS{Value: "m1"}}, UpdateExpression: aws.String("REMOVE pair")})
	if err != nil {
		t.Fatal(err)
	}
	// and a user listed before the directory's shards moves to their shard.
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("dev-users"), Item: map[string]ddbtypes.AttributeValue{
		"username": &ddbtypes.AttributeValueMemberS{Value: "olduser"}, "user_id": &ddbtypes.AttributeValueMemberS{Value: "id-old"},
		"directory": &ddbtypes.AttributeValueMemberS{Value: dynamostore.LegacyDirectoryPartition}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, wants := range [][]string{
		{"dev-users: 1 users put into their directory shard", "dev-messages: 1 messages put into their conversation"},
		{"dev-users: 0 users put into their directory shard", "dev-messages: 0 messages put into their conversation"},
	} {
		var out bytes.Buffer
		err := runAWS(ctx, []string{"backfill"}, &out, func(k string) string { return env[k] }, open)
		for _, want := range wants {
			if err != nil || !strings.Contains(out.String(), want) {
				t.Errorf("backfill: %v, said %q; want %q", err, out.String(), want)
			}
		}
	}
	page, err := msgs.Messages(ctx, imageapp.MessageQuery{UserID: "b", With: "a", Box: imageapp.Conversation, Limit: 5})
	if err != nil || len(page.Messages) != 1 {
		t.Errorf("the conversation after the backfill: %d messages, %v; want the old one", len(page.Messages), err)
	}

	for name, want := range map[string]*dynamodb.CreateTableInput{
		"dev-users": dynamostore.UsersTableInput("dev-users"), "dev-messages": dynamostore.MessagesTableInput("dev-messages"),
	} {
		got, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := schemaOf(got.Table.KeySchema, got.Table.AttributeDefinitions, got.Table.GlobalSecondaryIndexes), schemaOfInput(want); g != w {
			t.Errorf("%s:\n got %s\nwant %s", name, g, w)
		}
	}
}

// schemaOf renders keys, attribute types and indexes in a stable order.
func schemaOf(keys []ddbtypes.KeySchemaElement, attrs []ddbtypes.AttributeDefinition, gsis []ddbtypes.GlobalSecondaryIndexDescription) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, "key "+aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	for _, a := range attrs {
		parts = append(parts, "attr "+aws.ToString(a.AttributeName)+" "+string(a.AttributeType))
	}
	for _, g := range gsis {
		idx := "index " + aws.ToString(g.IndexName) + " " + string(g.Projection.ProjectionType)
		for _, k := range g.KeySchema {
			idx += " " + aws.ToString(k.AttributeName) + ":" + string(k.KeyType)
		}
		parts = append(parts, idx)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

func schemaOfInput(in *dynamodb.CreateTableInput) string {
	var gsis []ddbtypes.GlobalSecondaryIndexDescription
	for _, g := range in.GlobalSecondaryIndexes {
		gsis = append(gsis, ddbtypes.GlobalSecondaryIndexDescription{IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection})
	}
	return schemaOf(in.KeySchema, in.AttributeDefinitions, gsis)
}
