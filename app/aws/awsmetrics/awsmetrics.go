// Package awsmetrics times every call of the app's AWS SDK clients and
// counts the failed ones, per service ("DynamoDBLatency",
// "DynamoDBErrors"), into the app's metrics. A call is timed with its
// retries: what the app waited for, not one HTTP attempt.
package awsmetrics

import (
	"context"
	"errors"
	"strings"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Recorder is where the numbers go (*metrics.Registry).
type Recorder interface {
	Count(name string, n int64)
	Observe(name string, d time.Duration)
}

// expected are answers the app asks for, not failures of the store: a
// condition that did not hold, a key or topic that is not there.
var expected = map[string]bool{
	"ConditionalCheckFailedException": true,
	"NoSuchKey":                       true,
	"NotFound":                        true,
	"NotFoundException":               true,
}

// Middleware is an SDK API option (aws.Config.APIOptions) that records
// every call of a client into r.
func Middleware(r Recorder) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ImageAppMetrics",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				start := time.Now()
				out, md, err := next.HandleInitialize(ctx, in)
				service := strings.ReplaceAll(awsmiddleware.GetServiceID(ctx), " ", "")
				r.Observe(service+"Latency", time.Since(start))
				if Failed(err) {
					r.Count(service+"Errors", 1)
				}
				return out, md, err
			}), middleware.Before)
	}
}

// Failed reports whether err is a failure of the service, rather than no
// error, an expected answer, or the caller giving up.
func Failed(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ae smithy.APIError
	return !errors.As(err, &ae) || !expected[ae.ErrorCode()]
}
