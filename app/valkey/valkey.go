// Package valkey is what the app's instances share through Valkey (or any
// Redis-protocol server, such as ElastiCache for Valkey): abuse limits, live
// events and leases. Local mode needs none of it; it keeps these in process.
package valkey

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Client is a connection pool to the shared store.
type Client struct {
	rdb    *redis.Client
	prefix string // namespaces every key, so apps can share a server
}

// Open connects to url (redis://host:port/db, or rediss:// for TLS, as
// ElastiCache for Valkey serves with in-transit encryption) and checks that
// the server answers. app prefixes every key.
func Open(ctx context.Context, url, app string) (*Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("valkey: IMAGEAPP_VALKEY_URL: %w", err)
	}
	// Every call is on a request's path: fail fast when the store is away,
	// so a login is refused with a clear answer instead of hanging.
	opts.DialTimeout = 2 * time.Second
	opts.ReadTimeout = 2 * time.Second
	opts.WriteTimeout = 2 * time.Second
	opts.MaxRetries = 1
	c := &Client{rdb: redis.NewClient(opts), prefix: app + ":"}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.rdb.Ping(pingCtx).Err(); err != nil {
		c.rdb.Close()
		return nil, fmt.Errorf("valkey: %s does not answer: %w", opts.Addr, err)
	}
	return c, nil
}

// LogTo sends go-redis's own messages (a pool that cannot dial, a dropped
// connection) to log as warnings, instead of to stderr in a format of its
// own. go-redis has one logger for the whole process.
func LogTo(log *slog.Logger) { redis.SetLogger(redisLog{log}) }

type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "valkey client", "detail", fmt.Sprintf(format, v...))
}

// Close closes the pool.
func (c *Client) Close() error { return c.rdb.Close() }

// key namespaces a key under the app.
func (c *Client) key(parts ...string) string {
	k := c.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// Ping reports whether the server answers.
func (c *Client) Ping(ctx context.Context) error { return c.rdb.Ping(ctx).Err() }
