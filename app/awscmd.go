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
       imageapp aws backfill

  create-tables   create the users and messages tables (IMAGEAPP_USERS_TABLE,
                  IMAGEAPP_MESSAGES_TABLE) with the app's own schema
                  (app/aws/dynamostore/schema.go) and wait until they are
                  active; tables that exist are left alone. For emulators and
                  dev stacks (docker compose --profile dev-aws): in AWS,
                  Terraform creates the tables (terraform/dynamodb.tf).
                  -wait D keeps trying for D while DynamoDB does not answer
                  yet (a container that starts beside it).
  backfill        once, after upgrading tables written by an older version:
                  puts users into their shard of the directory-index (those
                  with none, and those in its one partition from before the
                  shards) and messages into their
                  conversation (the attributes those indexes need), and gives
                  each user the item of their username's skeleton (look-alike
                  names). It scans
                  both tables, so run it with an operator's credentials (the
                  app's role may not Scan), while the app runs or not; a
                  second run changes nothing.

Region, credentials and endpoint come from the SDK's chain (AWS_REGION,
AWS_ENDPOINT_URL_DYNAMODB, ...).
`

// awsMain runs the aws subcommand and returns the exit code.
func awsMain(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runAWS(ctx, args, os.Stdout, os.Getenv, func(ctx context.Context) (awsDB, error) {
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

// awsDB is what the aws subcommands need of the DynamoDB client.
type awsDB interface {
	dynamostore.SchemaAPI
	dynamostore.API
}

// runAWS parses args and runs the subcommand over the client open gives.
func runAWS(ctx context.Context, args []string, out io.Writer, getenv func(string) string, open func(context.Context) (awsDB, error)) error {
	if len(args) == 0 {
		return usageError{"aws: say create-tables or backfill"}
	}
	if args[0] != "create-tables" && args[0] != "backfill" {
		return usageError{fmt.Sprintf("aws: unknown command %q", args[0])}
	}
	fs := flag.NewFlagSet("aws "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	wait := new(time.Duration)
	if args[0] == "create-tables" {
		wait = fs.Duration("wait", 0, "keep trying this long while DynamoDB does not answer")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{fmt.Sprintf("aws %s: %v", args[0], err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("aws %s: unexpected %q", args[0], fs.Arg(0))}
	}
	names := awsbackend.NamesFromEnv(getenv)
	users, messages := names.UsersTable, names.MessagesTable
	if users == "" || messages == "" {
		return usageError{fmt.Sprintf("aws %s: set IMAGEAPP_USERS_TABLE and IMAGEAPP_MESSAGES_TABLE", args[0])}
	}
	if args[0] == "backfill" {
		db, err := open(ctx)
		if err != nil {
			return err
		}
		return backfill(ctx, out, db, users, messages)
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

// backfill gives items written by older versions what today's indexes need.
func backfill(ctx context.Context, out io.Writer, db awsDB, users, messages string) error {
	n, err := (&dynamostore.Directory{DB: db, Table: users}).BackfillDirectory(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d users put into their directory shard\n", users, n)
	n, err = (&dynamostore.Directory{DB: db, Table: users}).BackfillSkeletons(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d users hold their username's skeleton\n", users, n)
	n, err = (&dynamostore.Messages{DB: db, Table: messages}).BackfillPairs(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d messages put into their conversation\n", messages, n)
	return nil
}

var _ awsDB = (*dynamodb.Client)(nil)
