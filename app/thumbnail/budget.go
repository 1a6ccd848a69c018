package thumbnail

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// ErrTooCostly reports that decoding an image would need more memory than
// the whole budget: the image gets a caption-only preview instead.
var ErrTooCostly = errors.New("thumbnail: the image's decode costs more than the budget")

// Budget bounds the bytes that preview decodes hold at once, across
// goroutines. One Budget is shared by all the decodes of a process.
type Budget struct {
	sem  *semaphore.Weighted
	max  int64
	last atomic.Int64 // the last amount acquired, for the tests
}

// NewBudget returns a budget of maxBytes.
func NewBudget(maxBytes int64) *Budget {
	return &Budget{sem: semaphore.NewWeighted(maxBytes), max: maxBytes}
}

// Max is the budget's size: the most one decode may cost.
func (b *Budget) Max() int64 { return b.max }

// acquire waits for n bytes of the budget, or for ctx to end. A decode
// larger than the whole budget fails at once rather than waiting for ever.
func (b *Budget) acquire(ctx context.Context, n int64) (release func(), err error) {
	if n > b.max || n < 0 {
		return nil, fmt.Errorf("%w (%d bytes of %d)", ErrTooCostly, n, b.max)
	}
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, fmt.Errorf("waiting for memory: %w", err)
	}
	b.last.Store(n)
	return func() { b.sem.Release(n) }, nil
}

// area is w×h, capped far above any budget, so that a cost built from the
// area of a hostile header (PNG allows 2³¹-1 a side) cannot overflow.
func area(w, h int) int64 { return min(int64(w)*int64(h), 1<<48) }
