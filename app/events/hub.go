// Package events is the in-process hub of live events: a user's open pages
// subscribe, the messaging service publishes, and nothing a subscriber does
// can hold up a publisher. One instance uses it as imageapp.Events on its own;
// a cluster's instances use it to fan out what the shared store delivers
// (package valkey).
package events

import (
	"context"
	"errors"
	"sync"
	"time"

	"imageapp/app/imageapp"
)

// DefaultBuffer is how many events a subscription holds for a slow reader.
// Each event makes a page reload a list, so a few are plenty: past that the
// oldest goes and the reader is told it missed some (Event.Gap).
const DefaultBuffer = 8

// ErrClosed is what Subscribe returns once the hub is closed.
var ErrClosed = errors.New("events: the hub is closed")

// Hub fans events out to the subscriptions of each user. The zero value is
// not usable; build it with NewHub.
type Hub struct {
	buffer int
	now    func() time.Time
	start  int64 // Unix ms when the hub started: what happened before is not known here

	mu     sync.Mutex
	subs   map[string]map[*sub]struct{}
	last   map[string]int64 // each user's newest Seq
	closed bool
}

type sub struct {
	ch   chan imageapp.Event
	gap  bool // dropped an event the reader has not been told about
	done bool
}

var _ imageapp.Events = (*Hub)(nil)

// NewHub returns a hub whose subscriptions hold buffer events (DefaultBuffer
// when buffer < 1). now may be nil (time.Now).
func NewHub(buffer int, now func() time.Time) *Hub {
	if buffer < 1 {
		buffer = DefaultBuffer
	}
	if now == nil {
		now = time.Now
	}
	return &Hub{buffer: buffer, now: now, start: now().UnixMilli(),
		subs: map[string]map[*sub]struct{}{}, last: map[string]int64{}}
}

// Publish implements imageapp.Events: e gets the next Seq of the user (the
// time in Unix ms, or one past the user's last when that is later) and goes
// to every subscription of the user without waiting.
func (h *Hub) Publish(_ context.Context, userID string, e imageapp.Event) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e.Seq = max(h.now().UnixMilli(), h.last[userID]+1)
	h.last[userID] = e.Seq
	h.deliverLocked(userID, e)
	return e.Seq, nil
}

// Deliver hands an event that already has its Seq (from the shared store) to
// the user's subscriptions here.
func (h *Hub) Deliver(userID string, e imageapp.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deliverLocked(userID, e)
}

func (h *Hub) deliverLocked(userID string, e imageapp.Event) {
	for s := range h.subs[userID] {
		ev := e
		ev.Gap = s.gap
		select {
		case s.ch <- ev:
			s.gap = false
			continue
		default:
		}
		// Full: the reader is slow. Drop its oldest event, not this one, so
		// the newest count is what it sees last, and tell it it missed some.
		select {
		case <-s.ch:
		default:
		}
		ev.Gap = true
		select {
		case s.ch <- ev:
			s.gap = false
		default: // only the hub sends, under h.mu: there is room now
			s.gap = true
		}
	}
}

// Subscribe implements imageapp.Events.
func (h *Hub) Subscribe(_ context.Context, userID string) (<-chan imageapp.Event, func(), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, ErrClosed
	}
	s := &sub{ch: make(chan imageapp.Event, h.buffer)}
	if h.subs[userID] == nil {
		h.subs[userID] = map[*sub]struct{}{}
	}
	h.subs[userID][s] = struct{}{}
	return s.ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.endLocked(userID, s)
	}, nil
}

// endLocked removes a subscription and closes its channel, once.
func (h *Hub) endLocked(userID string, s *sub) {
	if s.done {
		return
	}
	s.done = true
	close(s.ch)
	delete(h.subs[userID], s)
	if len(h.subs[userID]) == 0 {
		delete(h.subs, userID)
	}
}

// Last implements imageapp.Events: the user's newest Seq, or when the hub
// started if that is later (what came before is unknown here).
func (h *Hub) Last(_ context.Context, userID string) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return max(h.last[userID], h.start), nil
}

// EndAll ends every subscription (their channels close), and the hub takes
// new ones again: the shared store's connection broke, so what they would
// have got is lost, and their readers must reconnect and catch up.
func (h *Hub) EndAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.endAllLocked()
}

func (h *Hub) endAllLocked() {
	for userID, subs := range h.subs {
		for s := range subs {
			h.endLocked(userID, s)
		}
	}
}

// Close ends every subscription and refuses new ones (shutdown).
func (h *Hub) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	h.endAllLocked()
	return nil
}

// Subscribers counts the open subscriptions (for tests and metrics).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, subs := range h.subs {
		n += len(subs)
	}
	return n
}
