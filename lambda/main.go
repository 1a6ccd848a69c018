// Command lambda is the Cognito post-confirmation trigger: when someone
// confirms their sign-up it provisions them (KMS key, SNS topic, directory
// row) with the same provision.User the app runs in local mode and lazily.
//
// Build it for the provided.al2023 runtime with ./build.sh (dist/bootstrap.zip).
// It reads IMAGEAPP_USERS_TABLE and IMAGEAPP_APP_NAME (default imageapp),
// IMAGEAPP_APP_ROLE_ARN and IMAGEAPP_TRIGGER_ROLE_ARN (the roles the key
// policy of each new user key names, see app/aws/kmskeys; optional), and
// AWS settings from the standard chain.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/provision"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	t, err := newTrigger(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		os.Exit(1)
	}
	lambda.Start(t.handle)
}

func newTrigger(ctx context.Context, getenv func(string) string, log *slog.Logger) (*trigger, error) {
	table := getenv("IMAGEAPP_USERS_TABLE")
	if table == "" {
		return nil, fmt.Errorf("IMAGEAPP_USERS_TABLE is required")
	}
	app := getenv("IMAGEAPP_APP_NAME")
	if app == "" {
		app = "imageapp"
	}
	roles := awsbackend.KeyPolicyRoles{App: getenv("IMAGEAPP_APP_ROLE_ARN"), Creator: getenv("IMAGEAPP_TRIGGER_ROLE_ARN")}
	for name, arn := range map[string]string{"IMAGEAPP_APP_ROLE_ARN": roles.App, "IMAGEAPP_TRIGGER_ROLE_ARN": roles.Creator} {
		if arn != "" && !kmskeys.ValidRoleARN(arn) {
			return nil, fmt.Errorf("%s must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), not %q", name, arn)
		}
	}
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		return nil, err
	}
	deps := awsbackend.ProvisionDeps(awsbackend.NewClients(cfg), app, table, roles)
	return &trigger{
		provision: provision.For(deps),
		log:       log,
	}, nil
}
