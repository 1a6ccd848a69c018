package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/cookiekeys"
	"imageapp/app/imageapp"
)

// openAWS builds the AWS backend: Cognito, DynamoDB, KMS, S3, and SNS or SES
// for mail (IMAGEAPP_MAIL), with region, credentials and endpoints from the
// SDK's default chain. Nothing lives on the instance's disk: the cookie
// keys are one ring for the whole cluster, an item of the users table
// wrapped by the app's KMS key, which
// every instance re-reads every cookiekeys.RefreshEvery (see
// app/cookiekeys/ring.go for why a rotation is then safe).
func openAWS(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	clients, err := awsClients(ctx, cfg)
	if err != nil {
		return nil, err
	}
	names := cfg.AWS
	names.AppName, names.BaseURL = cfg.AppName, cfg.PublicURL()
	a, err := awsbackend.New(clients, names, log)
	if err != nil {
		return nil, err
	}
	// The names' claims expire by the app's clock, as on the embedded
	// backend (tests move it to expire an unconfirmed sign-up's claim).
	a.Identity.Now, a.Users.Now = cfg.Now, cfg.Now
	store, err := awsbackend.CookieKeys(clients, cfg.AppName, cfg.AWS.UsersTable, cfg.AWS.AppKeyID)
	if err != nil {
		return nil, err
	}
	ring, err := store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("cookie keys (IMAGEAPP_APP_KEY_ID, IMAGEAPP_USERS_TABLE): %w", err)
	}
	records, recordKey, err := awsbackend.DecryptRecords(ctx, clients, cfg.AppName, cfg.AWS.MessagesTable, cfg.AWS.AppKeyID)
	if err != nil {
		return nil, fmt.Errorf("decrypt records (IMAGEAPP_APP_KEY_ID, IMAGEAPP_MESSAGES_TABLE): %w", err)
	}
	live := cookiekeys.NewLive(ring)
	refreshing, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		live.Refresh(refreshing, store, cmp.Or(cfg.CookieKeysEvery, cookiekeys.RefreshEvery), log)
	}()
	return &backend{
		Ports: imageapp.Ports{
			Identity:   a.Identity,
			Users:      a.Users,
			Sessions:   a.Users,
			Messages:   a.Messages,
			Keys:       a.Keys,
			Blobs:      a.Blobs,
			Notifier:   a.Notifier,
			SendKeys:   a.Messages,
			Tombstones: &dynamostore.Tombstones{DB: clients.DynamoDB, Table: cfg.AWS.MessagesTable},
			Passkeys:   a.Users,
			Ceremonies: a.Messages,
			TwoFactor:  a.Users,
			Push:       a.Users,
		},
		cookieKeys:  live,
		records:     records,
		recordKey:   recordKey,
		ready:       awsbackend.ReadyChecks(clients, names),
		closers:     []func() error{func() error { stop(); <-done; return nil }},
		mailDigests: &dynamostore.MailDigests{DB: clients.DynamoDB, Table: cfg.AWS.MessagesTable},
	}, nil
}

func awsClients(ctx context.Context, cfg Config) (awsbackend.Clients, error) {
	awsCfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		return awsbackend.Clients{}, err
	}
	awsCfg.APIOptions = append(awsCfg.APIOptions, cfg.AWSAPIOptions...)
	return awsbackend.NewClients(awsCfg), nil
}

// CookieKeyStore is the cluster's cookie key ring in AWS mode, for the
// `cookie-keys` command. The local backend has one pair in its secrets
// file and nothing to rotate across instances.
func CookieKeyStore(ctx context.Context, cfg Config) (cookiekeys.Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Backend != "aws" {
		return nil, errors.New("cookie keys rotate across instances in AWS mode only (IMAGEAPP_BACKEND=aws); " +
			"the local backend keeps one pair in secrets.json")
	}
	clients, err := awsClients(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return awsbackend.CookieKeys(clients, cfg.AppName, cfg.AWS.UsersTable, cfg.AWS.AppKeyID)
}
