package main

import (
	"context"
	"errors"
	"log/slog"
)

// openAWS is replaced by backend_aws.go when the AWS adapters land.
func openAWS(ctx context.Context, cfg Config, log *slog.Logger) (*backend, error) {
	return nil, errors.New("the aws backend is not built yet")
}
