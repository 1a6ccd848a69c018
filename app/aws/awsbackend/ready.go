package awsbackend

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"imageapp/app/aws/dynamostore"
	"imageapp/app/imageapp"
)

// ReadyChecks are the checks of readiness in AWS mode: both DynamoDB
// tables, the app's KMS key (DescribeKey: it exists and is enabled) and the
// bucket (HeadBucket, which needs s3:ListBucket).
func ReadyChecks(c Clients, n Names) []imageapp.Check {
	return []imageapp.Check{
		{Name: "dynamodb", Run: func(ctx context.Context) error {
			return dynamostore.Ready(ctx, c.DynamoDB, n.UsersTable, n.MessagesTable)
		}},
		{Name: "kms", Run: func(ctx context.Context) error {
			out, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(n.AppKeyID)})
			if err == nil && out.KeyMetadata != nil && !out.KeyMetadata.Enabled {
				return errKeyDisabled
			}
			return err
		}},
		{Name: "s3", Run: func(ctx context.Context) error {
			_, err := c.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(n.Bucket)})
			return err
		}},
	}
}

// errKeyDisabled is the app key answering DescribeKey while it cannot be used.
var errKeyDisabled = errors.New("awsbackend: the app key is disabled")
