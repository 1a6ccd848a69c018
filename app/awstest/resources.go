package awstest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/dynamostore"
	"imageapp/app/aws/kmskeys"
	"imageapp/app/imageapp"
)

// Resources are what terraform creates in AWS: a user pool and its app
// client, the two tables, the bucket, the app's key and the root key of
// user keys. They are the app's own names (Env gives its variables).
type Resources = awsbackend.Names

// kmsAccount is local-kms's account (its KMS_ACCOUNT_ID default).
const kmsAccount = "111122223333"

// RootKeyAlias is the alias CreateResources gives the root key of prefix.
func RootKeyAlias(prefix string) string { return "alias/" + prefix + "/root" }

// CreateResources creates a fresh set named after prefix (lowercase letters,
// digits and '-'), in the default key mode (the hierarchy; set KeyMode to
// kmskeys.ModePerUserKMS for the other, whose keys the app makes itself).
// The app client has a secret, so SECRET_HASH is exercised. Services absent
// from the stack are skipped.
func CreateResources(ctx context.Context, c awsbackend.Clients, s *Stack, prefix string) (Resources, error) {
	r := Resources{AppName: imageapp.DefaultAppName, KeyMode: kmskeys.ModeHierarchy,
		UsersTable: prefix + "-users", MessagesTable: prefix + "-messages", Bucket: prefix + "-blobs"}
	if _, ok := s.URLs[Cognito]; ok {
		pool, err := c.Cognito.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName:               aws.String(prefix),
			AutoVerifiedAttributes: []ciptypes.VerifiedAttributeType{ciptypes.VerifiedAttributeTypeEmail},
			// As terraform sets it: a changed email waits for its code.
			UserAttributeUpdateSettings: &ciptypes.UserAttributeUpdateSettingsType{
				AttributesRequireVerificationBeforeUpdate: []ciptypes.VerifiedAttributeType{ciptypes.VerifiedAttributeTypeEmail},
			},
			UsernameConfiguration: &ciptypes.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
			Policies: &ciptypes.UserPoolPolicyType{PasswordPolicy: &ciptypes.PasswordPolicyType{
				MinimumLength: aws.Int32(10),
			}},
		})
		if err != nil {
			return r, fmt.Errorf("awstest: create user pool: %w", err)
		}
		r.UserPoolID = aws.ToString(pool.UserPool.Id)
		client, err := c.Cognito.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId:     aws.String(r.UserPoolID),
			ClientName:     aws.String(prefix + "-web"),
			GenerateSecret: true,
			ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{
				ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
			},
		})
		if err != nil {
			return r, fmt.Errorf("awstest: create user pool client: %w", err)
		}
		r.ClientID = aws.ToString(client.UserPoolClient.ClientId)
		r.ClientSecret = aws.ToString(client.UserPoolClient.ClientSecret)
	}
	if _, ok := s.URLs[DynamoDB]; ok {
		if err := dynamostore.CreateTables(ctx, c.DynamoDB, r.UsersTable, r.MessagesTable); err != nil {
			return r, err
		}
	}
	if _, ok := s.URLs[KMS]; ok {
		key, err := c.KMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(prefix + ": the app key (cookie keys)")})
		if err != nil {
			return r, fmt.Errorf("awstest: create the app key: %w", err)
		}
		r.AppKeyID = aws.ToString(key.KeyMetadata.KeyId)
		root, err := c.KMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(prefix + ": the root key (wraps user keys)")})
		if err != nil {
			return r, fmt.Errorf("awstest: create the root key: %w", err)
		}
		// By alias, as the Lambda's environment names it before the key exists.
		r.RootKeyID = RootKeyAlias(prefix)
		if _, err := c.KMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(r.RootKeyID), TargetKeyId: root.KeyMetadata.KeyId}); err != nil {
			return r, fmt.Errorf("awstest: alias the root key: %w", err)
		}
		r.AppRoleARN = "arn:aws:iam::" + kmsAccount + ":role/" + prefix + "-app"
	}
	if _, ok := s.URLs[S3]; ok {
		if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(r.Bucket)}); err != nil {
			return r, fmt.Errorf("awstest: create bucket: %w", err)
		}
	}
	return r, nil
}

// BuildLambda builds the real lambda/ command for this machine (the
// deployed one is linux/arm64; rie runs whatever the host runs) into dir
// and returns the path of the bootstrap binary.
func BuildLambda(ctx context.Context, dir string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	goBin, err := goTool()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, goBin, "build", "-tags", "lambda.norpc", "-o", out, "./lambda")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("awstest: build lambda/: %w\n%s", err, strings.TrimSpace(string(b)))
	}
	return out, nil
}
