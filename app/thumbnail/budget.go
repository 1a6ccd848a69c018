package thumbnail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"

	"golang.org/x/sync/semaphore"
)

// Budget bounds the bytes that preview decodes hold at once.
type Budget struct {
	sem *semaphore.Weighted
	max int64
}

// NewBudget returns a budget of maxBytes.
func NewBudget(maxBytes int64) *Budget {
	return &Budget{sem: semaphore.NewWeighted(maxBytes), max: maxBytes}
}

// Max is the most bytes the budget lends.
func (b *Budget) Max() int64 { return b.max }

// ErrTooCostly is for an image whose decode would need more than the budget.
var ErrTooCostly = errors.New("thumbnail: the image needs more memory to decode than the preview budget")

// Make reads an image as it is stored and returns its preview as a JPEG,
// holding no more than it acquired from budget.
func Make(ctx context.Context, r io.Reader, budget *Budget) ([]byte, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: read: %w", err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("thumbnail: decode: %w", err)
	}
	cost := int64(cfg.Width) * int64(cfg.Height) * 8
	if cost > budget.Max() {
		return nil, ErrTooCostly
	}
	if err := budget.sem.Acquire(ctx, cost); err != nil {
		return nil, err
	}
	defer budget.sem.Release(cost)
	return makeFull(bytes.NewReader(raw))
}
