package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/imageapp"
	"imageapp/app/local"
)

// openAWS builds the AWS backend: Cognito, DynamoDB, KMS, S3 and SNS, with
// region, credentials and endpoints from the SDK's default chain. The data
// dir only keeps the session cookie keys (secrets.json).
func openAWS(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", cfg.DataDir, err)
	}
	secrets, err := local.LoadSecrets(cfg.DataDir, "")
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		return nil, err
	}
	awsCfg.APIOptions = append(awsCfg.APIOptions, cfg.AWSAPIOptions...)
	a, err := awsbackend.New(awsbackend.NewClients(awsCfg), awsbackend.Names{
		AppName:       cfg.AppName,
		UserPoolID:    cfg.AWS.UserPoolID,
		ClientID:      cfg.AWS.ClientID,
		ClientSecret:  cfg.AWS.ClientSecret,
		UsersTable:    cfg.AWS.UsersTable,
		MessagesTable: cfg.AWS.MessagesTable,
		Bucket:        cfg.AWS.Bucket,
		BaseURL:       cfg.PublicURL(),
	}, log)
	if err != nil {
		return nil, err
	}
	live := &local.Notifier{} // no outbox: SNS mails the user
	return &backend{
		Ports: imageapp.Ports{
			Identity: a.Identity,
			Users:    a.Users,
			Sessions: a.Users,
			Messages: a.Messages,
			Keys:     a.Keys,
			Blobs:    a.Blobs,
			Notifier: bothNotifiers{sns: a.Notifier, live: live},
		},
		Live:            live,
		SessionHashKey:  secrets.SessionHashKey,
		SessionBlockKey: secrets.SessionBlockKey,
	}, nil
}

// bothNotifiers publishes to the recipient's SNS topic and wakes their open
// pages through the in-process hub. The hub fires first and always: a live
// inbox must not wait on, or miss a message because of, SNS.
type bothNotifiers struct {
	sns  imageapp.Notifier
	live *local.Notifier
}

func (n bothNotifiers) CreateUserTopic(ctx context.Context, u imageapp.User) (string, error) {
	return n.sns.CreateUserTopic(ctx, u)
}

func (n bothNotifiers) Notify(ctx context.Context, recipient imageapp.User, note imageapp.Notification) error {
	_ = n.live.Notify(ctx, recipient, note) // in-process, no outbox: cannot fail
	return n.sns.Notify(ctx, recipient, note)
}
