package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
)

const awsUsage = `usage: imageapp aws create-tables [-wait 60s]

  create-tables   create the users and messages tables (IMAGEAPP_USERS_TABLE,
                  IMAGEAPP_MESSAGES_TABLE) with the app's own schema
                  (app/aws/dynamostore/schema.go) and wait until they are
                  active; tables that exist are left alone. For emulators and
                  dev stacks (docker compose --profile dev-aws): in AWS,
                  Terraform creates the tables (terraform/dynamodb.tf).
                  -wait D keeps trying for D while DynamoDB does not answer
                  yet (a container that starts beside it).

Region, credentials and endpoint come from the SDK's chain (AWS_REGION,
AWS_ENDPOINT_URL_DYNAMODB, ...).
`

// awsMain runs the aws subcommand and returns the exit code.
func awsMain(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runAWS(ctx, args, os.Stdout, os.Getenv, func(ctx context.Context) (dynamostore.SchemaAPI, error) {
		cfg, err := awsbackend.LoadConfig(ctx)
		if err != nil {
			return nil, err
		}
		return awsbackend.NewClients(cfg).DynamoDB, nil
	})
	var usage usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, err)
		fmt.Fprint(os.Stderr, awsUsage)
		return 2
	case err != nil:
		fmt.Fprintln(os.Stderr, "aws:", err)
		return 1
	}
	return 0
}

// runAWS parses args and runs the subcommand over the client open gives.
func runAWS(ctx context.Context, args []string, out io.Writer, getenv func(string) string, open func(context.Context) (dynamostore.SchemaAPI, error)) error {
	if len(args) == 0 || args[0] != "create-tables" {
		if len(args) == 0 {
			return usageError{"aws: say create-tables"}
		}
		return usageError{fmt.Sprintf("aws: unknown command %q", args[0])}
	}
	fs := flag.NewFlagSet("aws create-tables", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	wait := fs.Duration("wait", 0, "keep trying this long while DynamoDB does not answer")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{fmt.Sprintf("aws create-tables: %v", err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("aws create-tables: unexpected %q", fs.Arg(0))}
	}
	users, messages := getenv("IMAGEAPP_USERS_TABLE"), getenv("IMAGEAPP_MESSAGES_TABLE")
	if users == "" || messages == "" {
		return usageError{"aws create-tables: set IMAGEAPP_USERS_TABLE and IMAGEAPP_MESSAGES_TABLE"}
	}
	db, err := open(ctx)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(*wait)
	for {
		err = dynamostore.CreateTables(ctx, db, users, messages)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		fmt.Fprintf(out, "DynamoDB is not ready (%v); trying again\n", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "tables %s and %s are active, with the schema of app/aws/dynamostore\n", users, messages)
	return nil
}

var _ dynamostore.SchemaAPI = (*dynamodb.Client)(nil)
