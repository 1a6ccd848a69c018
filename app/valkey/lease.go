package valkey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"imageapp/app/lease"
)

// releaseLease deletes a lease only if it still holds the caller's token:
// a holder whose lease lapsed, and was taken by another, must not end the
// other's. GET and DEL in one script, so nothing runs in between.
// KEYS[1] lease; ARGV[1] token. Returns 1 if it was deleted, else 0.
var releaseLease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Leases is a lease.Locker shared by every instance: a lease is one key,
// set with NX (only if no one holds it) and PX (it lapses on the server's
// clock), holding the holder's random token.
type Leases struct{ c *Client }

var _ lease.Locker = Leases{}

// Leases returns the shared leases.
func (c *Client) Leases() Leases { return Leases{c} }

// Acquire implements lease.Locker with SET key token NX PX ttl.
func (l Leases) Acquire(ctx context.Context, name string, ttl time.Duration) (func(context.Context) error, bool, error) {
	key, token := l.c.key("lease", name), lease.Token()
	err := l.c.rdb.SetArgs(ctx, key, token, redis.SetArgs{Mode: "NX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil // held by another
	}
	if err != nil {
		return nil, false, fmt.Errorf("valkey: acquire lease %s: %w", name, err)
	}
	release := func(ctx context.Context) error {
		if err := releaseLease.Run(ctx, l.c.rdb, []string{key}, token).Err(); err != nil {
			return fmt.Errorf("valkey: release lease %s: %w", name, err)
		}
		return nil
	}
	return release, true, nil
}
