package awsbackend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"

	"imageapp/app/imageapp"
)

// Bounds on every DynamoDB call. DynamoDB answers in milliseconds; when it
// does not (a brownout), a request must not hang for as long as it lasts:
// each call, retries included, ends after StoreCallDeadline, and the person
// gets a 503 with Retry-After (imageapp.ErrStoreSlow) instead of a spinner
// or a proxy's 504.
const (
	StoreCallDeadline = 3 * time.Second
	storeAttempts     = 3                      // the SDK's default, stated: a retry or two for a blip
	storeMaxBackoff   = 500 * time.Millisecond // full jitter up to this, so the retries fit in the deadline
)

// storeRetryer is the SDK's standard retryer (exponential backoff with
// full jitter, a client-side retry budget) with its attempts and backoff
// bounded to fit StoreCallDeadline.
func storeRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = storeAttempts
		o.MaxBackoff = storeMaxBackoff
	})
}

// dataCalls are the DynamoDB operations that requests make, which
// callDeadline bounds; table administration (creating a table waits for
// it) keeps the caller's own time.
var dataCalls = map[string]bool{
	"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true, "Query": true, "Scan": true,
	"BatchGetItem": true, "BatchWriteItem": true, "TransactGetItems": true, "TransactWriteItems": true,
}

// callDeadline ends each data operation d after it starts, retries
// included, and names a call that ran out of time imageapp.ErrStoreSlow.
// Only for operations whose answers are read before they return (not S3's
// streamed bodies, which outlive the call).
func callDeadline(d time.Duration) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("ImageappCallDeadline",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if !dataCalls[awsmiddleware.GetOperationName(ctx)] {
					return next.HandleInitialize(ctx, in)
				}
				bounded, cancel := context.WithTimeout(ctx, d)
				defer cancel()
				out, md, err := next.HandleInitialize(bounded, in)
				if err != nil && ctx.Err() == nil && errors.Is(bounded.Err(), context.DeadlineExceeded) {
					err = fmt.Errorf("%w (no answer within %v): %w", imageapp.ErrStoreSlow(), d, err)
				}
				return out, md, err
			}), middleware.After) // after the operation's own, which name it
	}
}
