package messaging

import (
	"testing"
	"time"
)

// TestPreviewWorkersLeaveSendsACore: by default the preview workers never
// take every core, so a burst of previews cannot stall the sends.
func TestPreviewWorkersLeaveSendsACore(t *testing.T) {
	for cores, want := range map[int]int{1: 1, 2: 1, 3: 2, 8: 2, 64: 2} {
		if got := previewWorkers(cores); got != want {
			t.Errorf("previewWorkers(%d) = %d; want %d", cores, got, want)
		}
	}
}

// TestPreviewWorkerRestsWhileSendsKeepComing: after a preview made while
// sends were under way, the worker lets them go first for twice that
// preview's time (bounded), even for a job whose own yield has long ended
// in a full queue; with no send under way it never rests.
func TestPreviewWorkerRestsWhileSendsKeepComing(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	longQueued := now.Add(-time.Minute) // its yield ended while it waited
	for _, c := range []struct {
		name string
		took time.Duration
		busy bool
		want time.Time
	}{
		{"sends under way", 40 * time.Millisecond, true, now.Add(80 * time.Millisecond)},
		{"a costly preview", 5 * time.Second, true, now.Add(maxPreviewRest)},
		{"no send under way", 40 * time.Millisecond, false, now},
	} {
		rest := restAfter(c.took, c.busy)
		if got := turn(longQueued, previewYield, rest, now); !got.Equal(c.want) {
			t.Errorf("%s: the next job waits until %v; want %v", c.name, got.Sub(now), c.want.Sub(now))
		}
	}
	if got, want := turn(now, previewYield, 10*time.Millisecond, now), now.Add(previewYield); !got.Equal(want) {
		t.Errorf("a fresh job keeps its own yield when it ends later than the rest: %v; want %v", got.Sub(now), want.Sub(now))
	}
}
