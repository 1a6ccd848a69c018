package valkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"imageapp/app/events"
	"imageapp/app/imageapp"
)

// Live events across a cluster: a user's events are published on the user's
// channel (<app>:events:<user ID>), and every instance that serves an open
// page of that user is subscribed to it. Each instance keeps ONE pub/sub
// connection, subscribed to the channels of the users it has streams for,
// and fans what arrives out through an in-process hub, so a thousand open
// pages cost one connection, not a thousand.
//
// Pub/sub is fire-and-forget: a message published while the connection is
// down is lost. So the instance does not quietly resubscribe: when the
// connection breaks, every stream it holds ends, and each page reconnects
// and catches up by comparing its last event with Last (a per-user sequence
// key, written by the same script that publishes).

const (
	seqTTL         = 30 * 24 * time.Hour // a user's sequence key outlives their last event this long
	subscribeWait  = 5 * time.Second     // for the server to confirm a SUBSCRIBE
	receiveTimeout = 15 * time.Second    // silence after which the connection is pinged
	downFor        = 5 * time.Second     // after a broken connection, refuse at once before dialing again
)

// publish sets the user's sequence to the server's time in ms, or one past
// the last one when that is later, and publishes the event with it, in one
// step. KEYS[1] the sequence key, KEYS[2] the channel; ARGV[1] the event as
// JSON without its seq ("{...}"), ARGV[2] the key's TTL in ms.
var publish = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[1]) or 0)
local seq = now
if last >= seq then seq = last + 1 end
redis.call('SET', KEYS[1], seq, 'PX', ARGV[2])
redis.call('PUBLISH', KEYS[2], '{"seq":' .. string.format('%d', seq) .. ',' .. string.sub(ARGV[1], 2))
return seq
`)

// wireEvent is an event as it travels between instances; the script adds seq.
type wireEvent struct {
	Seq       int64              `json:"seq,omitempty"`
	Kind      imageapp.EventKind `json:"kind"`
	Box       imageapp.Box       `json:"box"`
	MessageID string             `json:"id,omitempty"`
	From      string             `json:"from,omitempty"`
	Unread    int                `json:"unread"`
	Album     string             `json:"album,omitempty"`
	Images    int                `json:"images,omitempty"`
}

// Events is imageapp.Events shared by every instance through the store.
type Events struct {
	c   *Client
	hub *events.Hub
	log *slog.Logger

	mu        sync.Mutex
	ps        *redis.PubSub            // nil until a subscription needs it, and after it broke
	gen       int                      // which ps the counts below belong to
	counts    map[string]int           // local subscriptions per channel
	pending   map[string]chan struct{} // channels whose SUBSCRIBE the server has not confirmed yet
	closed    bool
	downUntil time.Time // see pause
}

var _ imageapp.Events = (*Events)(nil)

// Events returns the cluster's live events. log may be nil. Close it before
// the client.
func (c *Client) Events(log *slog.Logger) *Events {
	if log == nil {
		log = slog.Default()
	}
	return &Events{c: c, hub: events.NewHub(0, nil), log: log,
		counts: map[string]int{}, pending: map[string]chan struct{}{}}
}

func (e *Events) channel(userID string) string { return e.c.key("events", userID) }
func (e *Events) seqKey(userID string) string  { return e.c.key("events", userID, "seq") }

// Publish implements imageapp.Events.
func (e *Events) Publish(ctx context.Context, userID string, ev imageapp.Event) (int64, error) {
	raw, err := json.Marshal(wireEvent{Kind: ev.Kind, Box: ev.Box, MessageID: ev.MessageID, From: ev.From, Unread: ev.Unread, Album: ev.Album, Images: ev.Images})
	if err != nil {
		return 0, fmt.Errorf("valkey: encode event: %w", err)
	}
	seq, err := publish.Run(ctx, e.c.rdb, []string{e.seqKey(userID), e.channel(userID)},
		string(raw), seqTTL.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("valkey: publish an event: %w", err)
	}
	return seq, nil
}

// Last implements imageapp.Events. Without a sequence key the user has had
// no event for seqTTL, so every event lies before now - seqTTL.
func (e *Events) Last(ctx context.Context, userID string) (int64, error) {
	seq, err := e.c.rdb.Get(ctx, e.seqKey(userID)).Int64()
	if errors.Is(err, redis.Nil) {
		t, err := e.c.rdb.Time(ctx).Result()
		if err != nil {
			return 0, fmt.Errorf("valkey: read the time: %w", err)
		}
		return t.Add(-seqTTL).UnixMilli(), nil
	}
	if err != nil {
		return 0, fmt.Errorf("valkey: read the event sequence: %w", err)
	}
	return seq, nil
}

// Subscribe implements imageapp.Events. It returns once the server has
// confirmed the channel's subscription, so an event published after it
// returns is delivered.
func (e *Events) Subscribe(ctx context.Context, userID string) (<-chan imageapp.Event, func(), error) {
	ch, stop, err := e.hub.Subscribe(ctx, userID) // first, so nothing that arrives is missed
	if err != nil {
		return nil, nil, err
	}
	name := e.channel(userID)
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		stop()
		return nil, nil, events.ErrClosed
	}
	if time.Now().Before(e.downUntil) {
		e.mu.Unlock()
		stop()
		return nil, nil, errors.New("valkey: the shared store failed moments ago; live events are paused")
	}
	if e.ps == nil {
		e.ps = e.c.rdb.Subscribe(context.Background())
		e.gen++
		go e.receive(e.ps, e.gen)
	}
	ps, gen := e.ps, e.gen
	e.counts[name]++
	confirmed, waiting := e.pending[name]
	if e.counts[name] == 1 {
		confirmed, waiting = make(chan struct{}), true
		e.pending[name] = confirmed
		err = ps.Subscribe(ctx, name)
	}
	e.mu.Unlock()

	end := sync.OnceFunc(func() {
		stop()
		e.release(gen, name)
	})
	if err != nil {
		end()
		e.broken(ps, gen, err)
		e.pause()
		return nil, nil, fmt.Errorf("valkey: subscribe to events: %w", err)
	}
	if waiting {
		timer := time.NewTimer(subscribeWait)
		defer timer.Stop()
		select {
		case <-confirmed:
			// Closed by broken too: a connection that failed, or a
			// SUBSCRIBE the server refused (an ACL without the command
			// or the channel), is no subscription.
			e.mu.Lock()
			lost := gen != e.gen
			e.mu.Unlock()
			if lost {
				end()
				return nil, nil, errors.New("valkey: subscribe to events: the connection broke before the server confirmed it")
			}
		case <-timer.C:
			end()
			err := fmt.Errorf("valkey: the server did not confirm the subscription in %v", subscribeWait)
			e.broken(ps, gen, err)
			e.pause()
			return nil, nil, err
		case <-ctx.Done():
			end()
			return nil, nil, ctx.Err()
		}
	}
	return ch, end, nil
}

// pause refuses subscriptions for downFor after one could not be made (a
// store that is down, or does not answer): every page reconnecting through
// this instance would otherwise dial it in turn, each waiting for the
// timeout. A connection that merely broke (a failover) pauses nothing.
func (e *Events) pause() {
	e.mu.Lock()
	e.downUntil = time.Now().Add(downFor)
	e.mu.Unlock()
}

// release drops one local subscription of the channel, and the server-side
// subscription with the last one.
func (e *Events) release(gen int, name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if gen != e.gen || e.ps == nil {
		return // that connection is gone, and its subscriptions with it
	}
	e.counts[name]--
	if e.counts[name] > 0 {
		return
	}
	delete(e.counts, name)
	if c, ok := e.pending[name]; ok {
		close(c)
		delete(e.pending, name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := e.ps.Unsubscribe(ctx, name); err != nil {
		e.log.Warn("live events: unsubscribe failed", "err", err) // the receive loop sees the broken connection
	}
}

// receive reads the pub/sub connection until it breaks or is closed.
func (e *Events) receive(ps *redis.PubSub, gen int) {
	ctx := context.Background()
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, receiveTimeout)
		if err != nil {
			var nerr net.Error
			if errors.As(err, &nerr) && nerr.Timeout() && !pinged {
				// Quiet: ask for a PONG; a second silence means it is gone.
				pinged = true
				if err := ps.Ping(ctx); err == nil {
					continue
				}
			}
			e.broken(ps, gen, err)
			return
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				e.mu.Lock()
				if c, ok := e.pending[m.Channel]; ok && gen == e.gen {
					close(c)
					delete(e.pending, m.Channel)
				}
				e.mu.Unlock()
			}
		case *redis.Message:
			userID, ok := strings.CutPrefix(m.Channel, e.c.key("events")+":")
			if !ok {
				continue
			}
			var w wireEvent
			if err := json.Unmarshal([]byte(m.Payload), &w); err != nil {
				e.log.Warn("live events: a malformed event", "err", err)
				continue
			}
			e.hub.Deliver(userID, imageapp.Event{Seq: w.Seq, Kind: w.Kind, Box: w.Box, MessageID: w.MessageID, From: w.From, Unread: w.Unread, Album: w.Album, Images: w.Images})
		}
	}
}

// broken retires a pub/sub connection that failed: its streams end, so
// their pages reconnect (through a new connection, or to another instance)
// and catch up.
func (e *Events) broken(ps *redis.PubSub, gen int, cause error) {
	e.mu.Lock()
	if gen != e.gen || e.ps != ps {
		e.mu.Unlock()
		return
	}
	closed := e.closed
	e.ps = nil
	e.gen++
	clear(e.counts)
	for name, c := range e.pending {
		close(c)
		delete(e.pending, name)
	}
	e.mu.Unlock()
	ps.Close()
	e.hub.EndAll()
	if !closed {
		e.log.Warn("live events: the shared store's connection broke; open streams end and reconnect", "err", cause)
	}
}

// Close ends every stream and the pub/sub connection.
func (e *Events) Close() error {
	e.mu.Lock()
	e.closed = true
	ps, gen := e.ps, e.gen
	e.mu.Unlock()
	e.hub.Close()
	if ps != nil {
		e.broken(ps, gen, errors.New("closed"))
	}
	return nil
}
