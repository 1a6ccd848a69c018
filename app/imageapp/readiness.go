package imageapp

import "context"

// A Check asks one dependency the app cannot serve without (a database, a
// key service, a store) whether it answers now. Run returns nil when it
// does; its error is for the log, never for the caller of /readyz. Name is
// how readiness reports it: "sqlite", "dynamodb", "kms", "s3", "valkey".
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}
