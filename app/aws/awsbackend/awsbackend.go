// Package awsbackend builds the AWS adapters of every port from one
// aws.Config. Region and credentials come from the SDK's default chain, and
// endpoints only from its standard settings (AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_<SERVICE>, or endpoint_url in a profile); the names of
// the pool, tables and bucket are the app's own configuration.
package awsbackend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"imageapp/app/aws/cognitoidentity"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/aws/s3blobs"
	"imageapp/app/aws/sesnotifier"
	"imageapp/app/aws/snsnotifier"
	"imageapp/app/imageapp"
	"imageapp/app/provision"
)

// LoadConfig loads region, credentials and endpoints the standard way.
func LoadConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return cfg, fmt.Errorf("awsbackend: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		return cfg, errors.New("awsbackend: no AWS region: set AWS_REGION (or a region in your AWS profile)")
	}
	return cfg, nil
}

// Clients are the SDK clients the adapters use, one per service.
type Clients struct {
	Cognito  *cip.Client
	DynamoDB *dynamodb.Client
	KMS      *kms.Client
	S3       *s3.Client
	SNS      *sns.Client
	SES      *sesv2.Client // notification mail in ses mode (Names.MailMode)
}

// NewClients makes the clients from cfg. Every DynamoDB call has a
// deadline and bounded retries (deadline.go). When an endpoint override points
// S3 somewhere else (an emulator, MinIO), the client uses path-style
// addressing, as such servers expect; against AWS the SDK's defaults stand.
// Request checksums keep the SDK's setting (AWS_REQUEST_CHECKSUM_CALCULATION):
// uploads hand the SDK one seekable part buffer at a time, which it can
// checksum over plain HTTP too.
func NewClients(cfg aws.Config) Clients {
	return Clients{
		Cognito: cip.NewFromConfig(cfg),
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			o.Retryer = storeRetryer()
			o.APIOptions = append(slices.Clip(o.APIOptions), callDeadline(StoreCallDeadline)) // cfg's slice stays the others'

		}),
		KMS: kms.NewFromConfig(cfg),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			if o.BaseEndpoint != nil {
				o.UsePathStyle = true
			}
		}),
		SNS: sns.NewFromConfig(cfg),
		SES: sesv2.NewFromConfig(cfg),
	}
}

// Adapters implement the ports on AWS.
type Adapters struct {
	Identity *cognitoidentity.Identity
	Users    *dynamostore.Directory
	Messages *dynamostore.Messages
	Keys     imageapp.Keys // *kmskeys.Hierarchy or *kmskeys.Keys, by Names.KeyMode
	Blobs    *s3blobs.Blobs
	Notifier imageapp.Notifier // *snsnotifier.Notifier or *sesnotifier.Notifier, by Names.MailMode
}

// New builds the adapters over c.
func New(c Clients, n Names, log *slog.Logger) (*Adapters, error) {
	n = n.withDefaults()
	for name, v := range map[string]string{
		"app name": n.AppName, "user pool ID": n.UserPoolID, "client ID": n.ClientID,
		"users table": n.UsersTable, "messages table": n.MessagesTable, "bucket": n.Bucket,
	} {
		if v == "" {
			return nil, fmt.Errorf("awsbackend: the %s is missing", name)
		}
	}
	keys, err := userKeys(c, n, KeyPolicyRoles{App: n.AppRoleARN})
	if err != nil {
		return nil, err
	}
	if n.MailMode == MailSES && n.SESFrom == "" {
		return nil, errors.New("awsbackend: the SES From address is missing (IMAGEAPP_SES_FROM)")
	}
	notifier, err := mailNotifier(c, n)
	if err != nil {
		return nil, err
	}
	opts := c.Cognito.Options()
	users := &dynamostore.Directory{DB: c.DynamoDB, Table: n.UsersTable}
	return &Adapters{
		Identity: &cognitoidentity.Identity{
			Cognito: c.Cognito, ClientID: n.ClientID, ClientSecret: n.ClientSecret, Log: log,
			Names: users, UserPoolID: n.UserPoolID,
			Tokens: &cognitoidentity.Verifier{
				Issuer:   Issuer(opts.BaseEndpoint, opts.Region, n.UserPoolID),
				ClientID: n.ClientID,
				HTTP:     opts.HTTPClient, // the SDK's client: same proxy and TLS settings
			},
		},
		Users:    users,
		Messages: &dynamostore.Messages{DB: c.DynamoDB, Table: n.MessagesTable},
		Keys:     keys,
		Blobs:    s3blobs.New(c.S3, n.Bucket, c.S3.Options().RequestChecksumCalculation),
		Notifier: notifier,
	}, nil
}

// Issuer is the pool's token issuer: Cognito's URL in AWS, or the endpoint
// override followed by the pool ID (what Cognito emulators issue).
func Issuer(endpoint *string, region, poolID string) string {
	if endpoint != nil && *endpoint != "" {
		return strings.TrimRight(*endpoint, "/") + "/" + poolID
	}
	return cognitoidentity.AWSIssuer(region, poolID)
}

// CookieKeys is the cluster's cookie key ring (cookiekeys.Store): one item
// of the users table, each pair wrapped by the app's KMS key under the
// encryption context {app, purpose: cookie-keys}.
func CookieKeys(c Clients, appName, usersTable, appKeyID string) (*dynamostore.CookieKeys, error) {
	if usersTable == "" {
		return nil, errors.New("awsbackend: the users table is missing")
	}
	wrap, err := kmskeys.NewAppKey(c.KMS, appKeyID, appName, kmskeys.PurposeCookieKeys)
	if err != nil {
		return nil, err
	}
	return &dynamostore.CookieKeys{DB: c.DynamoDB, Table: usersTable, Wrap: wrap}, nil
}

// KeyPolicyRoles are the roles new user keys' policies name
// (kmskeys.KeyPolicy): the app's, and the creator's when that is another
// role (the Lambda trigger's). An empty App keeps KMS's default policy.
type KeyPolicyRoles struct{ App, Creator string }

// ProvisionDeps are the adapters post-confirmation provisioning writes to
// (the Lambda trigger needs only these three): n's users table, and the
// user keys of n's key mode.
func ProvisionDeps(c Clients, n Names, roles KeyPolicyRoles) (provision.Deps, error) {
	n = n.withDefaults()
	if n.UsersTable == "" {
		return provision.Deps{}, errors.New("awsbackend: the users table is missing")
	}
	keys, err := userKeys(c, n, roles)
	if err != nil {
		return provision.Deps{}, err
	}
	notifier, err := mailNotifier(c, n)
	if err != nil {
		return provision.Deps{}, err
	}
	return provision.Deps{
		Keys:     keys,
		Notifier: notifier,
		Users:    &dynamostore.Directory{DB: c.DynamoDB, Table: n.UsersTable},
	}, nil
}

// mailNotifier is the notifier of n's mail mode: a topic per user (SNS),
// or SES, which provisions nothing (in the trigger, ses mode makes no
// topic and calls no SES: it only sends, from the app).
func mailNotifier(c Clients, n Names) (imageapp.Notifier, error) {
	if err := n.checkMailMode(); err != nil {
		return nil, fmt.Errorf("awsbackend: %w", err)
	}
	if n.MailMode == MailSES {
		return &sesnotifier.Notifier{SES: c.SES, From: n.SESFrom, ConfigurationSet: n.SESConfigurationSet, BaseURL: n.BaseURL}, nil
	}
	return &snsnotifier.Notifier{SNS: c.SNS, AppName: n.AppName, BaseURL: n.BaseURL}, nil
}

// userKeys is the keys adapter of n's key mode: the hierarchy under the
// root key, its user keys in the users table; or a KMS key per user, whose
// policies name roles.
func userKeys(c Clients, n Names, roles KeyPolicyRoles) (imageapp.Keys, error) {
	if err := n.checkKeyMode(); err != nil {
		return nil, fmt.Errorf("awsbackend: %w", err)
	}
	if n.KeyMode == kmskeys.ModePerUserKMS {
		return &kmskeys.Keys{KMS: c.KMS, AppName: n.AppName, AppRoleARN: roles.App, CreatorRoleARN: roles.Creator}, nil
	}
	return &kmskeys.Hierarchy{KMS: c.KMS, RootKeyID: n.RootKeyID, AppName: n.AppName,
		Store: &dynamostore.UserKeys{DB: c.DynamoDB, Table: n.UsersTable}}, nil
}
