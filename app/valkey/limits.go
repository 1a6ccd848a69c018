package valkey

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"imageapp/app/ratelimit"
)

// take is GCRA (the generic cell rate algorithm), one atomic script per
// check: a bucket is one key holding its "theoretical arrival time" in
// microseconds of the server's clock, so instances never disagree on time.
// KEYS[1] bucket; ARGV[1] interval between tokens (µs); ARGV[2] burst;
// ARGV[3] tokens to take (the cost, at most the burst): all or none.
// Returns {1, 0} when they were taken, else {0, µs to wait}.
var take = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3] or 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local after = tat + cost * interval
local allowed_at = after - burst * interval
if now < allowed_at then
  return {0, allowed_at - now}
end
redis.call('SET', KEYS[1], after, 'PX', math.ceil((after - now) / 1000))
return {1, 0}
`)

// Limits is a ratelimit.Store shared by every instance.
type Limits struct{ c *Client }

var _ ratelimit.Store = Limits{}

// Limits returns the shared limit store.
func (c *Client) Limits() Limits { return Limits{c} }

// Take implements ratelimit.Store.
func (l Limits) Take(ctx context.Context, rule ratelimit.Rule, key string) (bool, time.Duration, error) {
	return l.TakeN(ctx, rule, key, 1)
}

// TakeN implements ratelimit.Store.
func (l Limits) TakeN(ctx context.Context, rule ratelimit.Rule, key string, n int) (bool, time.Duration, error) {
	bucket := l.c.key("limit", fmt.Sprintf("%d/%d", rule.Burst, rule.Every.Microseconds()), key)
	res, err := take.Run(ctx, l.c.rdb, []string{bucket}, rule.Every.Microseconds(), rule.Burst,
		ratelimit.Cost(rule, n)).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("valkey: take a token: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("valkey: take a token: unexpected answer %v", res)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Microsecond, nil
}
