// Package ratelimit keeps per-key token buckets for abuse limits: one bucket
// per client IP, username or device and action. Memory keeps them in this
// process (one instance); package valkey keeps them where every instance of
// a cluster takes from the same bucket.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Store takes tokens from buckets.
type Store interface {
	// Take takes one token from key's bucket under rule. With none left it
	// reports false and how long until the next one. An error means the
	// store could not decide; callers refuse rather than allow.
	Take(ctx context.Context, rule Rule, key string) (ok bool, wait time.Duration, err error)

	// TakeN takes n tokens at once (a weighted event: bytes, say), all or
	// none; n is at least 1 and is clamped to the rule's burst, so one
	// event never asks more than a full bucket holds.
	TakeN(ctx context.Context, rule Rule, key string, n int) (ok bool, wait time.Duration, err error)
}

// Cost clamps n to what one take may cost under rule: at least 1, at most
// the burst.
func Cost(rule Rule, n int) int {
	return max(1, min(n, rule.Burst))
}

// Memory is a Store in this process's memory.
type Memory struct {
	now func() time.Time

	mu    sync.Mutex
	rules map[Rule]*Limiter
}

// NewMemory returns an empty Memory; now may be nil (time.Now).
func NewMemory(now func() time.Time) *Memory {
	return &Memory{now: now, rules: map[Rule]*Limiter{}}
}

// Take implements Store; it never fails.
func (m *Memory) Take(ctx context.Context, rule Rule, key string) (bool, time.Duration, error) {
	return m.TakeN(ctx, rule, key, 1)
}

// TakeN implements Store; it never fails.
func (m *Memory) TakeN(_ context.Context, rule Rule, key string, n int) (bool, time.Duration, error) {
	m.mu.Lock()
	l, ok := m.rules[rule]
	if !ok {
		l = New(rule, m.now)
		m.rules[rule] = l
	}
	m.mu.Unlock()
	ok, wait := l.AllowN(key, n)
	return ok, wait, nil
}

// Rule allows Burst events at once, refilled at one per Every.
type Rule struct {
	Burst int
	Every time.Duration
}

// Limiter limits events per key under one rule.
type Limiter struct {
	rule Rule
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

// New returns a Limiter; now may be nil (time.Now).
func New(rule Rule, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{rule: rule, now: now, buckets: map[string]*rate.Limiter{}}
}

// Allow takes one token for key. When none is left it returns false and how
// long until the next one, for a Retry-After header.
func (l *Limiter) Allow(key string) (bool, time.Duration) { return l.AllowN(key, 1) }

// AllowN takes n tokens for key, all or none (n is clamped by Cost).
func (l *Limiter) AllowN(key string, n int) (bool, time.Duration) {
	n = Cost(l.rule, n)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Every(l.rule.Every), l.rule.Burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, n)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops buckets that have refilled completely: they hold no state a
// fresh bucket would not, and keeping them lets memory grow with every IP.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.rule.Burst) {
			delete(l.buckets, k)
		}
	}
}
