package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
)

// openAWS builds the AWS backend: Cognito, DynamoDB, KMS, S3 and SNS, with
// region, credentials and endpoints from the SDK's default chain. The data
// dir only keeps the cookie keys (cookie-keys.json).
func openAWS(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", cfg.DataDir, err)
	}
	keys, err := cookiekeys.LoadFile(filepath.Join(cfg.DataDir, "cookie-keys.json"))
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
	return &backend{
		Ports: imageapp.Ports{
			Identity: a.Identity,
			Users:    a.Users,
			Sessions: a.Users,
			Messages: a.Messages,
			Keys:     a.Keys,
			Blobs:    a.Blobs,
			Notifier: a.Notifier,
		},
		cookieKeys: keys,
	}, nil
}
