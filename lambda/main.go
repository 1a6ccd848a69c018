// Command lambda is the Cognito post-confirmation trigger: when someone
// confirms their sign-up it provisions them (user key, SNS topic in sns mail
// mode, directory row) with the same provision.User the app runs in local mode and lazily.
//
// Build it for the provided.al2023 runtime with ./build.sh (dist/bootstrap.zip).
// It reads the app's names (awsbackend.NamesFromEnv): IMAGEAPP_USERS_TABLE,
// IMAGEAPP_APP_NAME (default imageapp), IMAGEAPP_KEY_MODE (hierarchy, the
// default, with IMAGEAPP_ROOT_KEY_ID; or per-user-kms), and in per-user-kms
// mode IMAGEAPP_APP_ROLE_ARN and IMAGEAPP_TRIGGER_ROLE_ARN (the roles the key
// policy of each new user key names, see app/aws/kmskeys; optional), and
// IMAGEAPP_MAIL (sns, the default, makes the user's topic; ses makes none and
// needs no From address here); AWS settings come from the standard chain.
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
	names := awsbackend.NamesFromEnv(getenv)
	if names.UsersTable == "" {
		return nil, fmt.Errorf("IMAGEAPP_USERS_TABLE is required")
	}
	roles := awsbackend.KeyPolicyRoles{App: names.AppRoleARN, Creator: getenv("IMAGEAPP_TRIGGER_ROLE_ARN")}
	for name, arn := range map[string]string{"IMAGEAPP_APP_ROLE_ARN": roles.App, "IMAGEAPP_TRIGGER_ROLE_ARN": roles.Creator} {
		if arn != "" && !kmskeys.ValidRoleARN(arn) {
			return nil, fmt.Errorf("%s must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), not %q", name, arn)
		}
	}
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		return nil, err
	}
	deps, err := awsbackend.ProvisionDeps(awsbackend.NewClients(cfg), names, roles)
	if err != nil {
		return nil, err
	}
	return &trigger{
		provision: provision.For(deps),
		log:       log,
	}, nil
}
