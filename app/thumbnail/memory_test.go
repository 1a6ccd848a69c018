//go:build !race

// The memory measurements: the race detector's instrumentation allocates for
// itself, so they are built without it; CI runs them in a pass of their own.

package thumbnail

import (
	"bytes"
	"context"
	"image/color"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// heapWatch samples the heap while f runs and returns how far HeapInuse
// rose above where it was before.
func heapWatch(f func()) (peak uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var top atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > top.Load() {
				top.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-stopped
	if t := top.Load(); t > base {
		return t - base
	}
	return 0
}

// TestBombsUnderBudget: four previews of a 4000×4000 16-bit PNG (128 MB
// each, decoded whole) at once, under a 64 MiB budget, all succeed while
// the heap grows by a small part of that.
func TestBombsUnderBudget(t *testing.T) {
	data := bomb()
	t.Logf("the bomb is %d bytes", len(data))
	budget := NewBudget(64 << 20)
	errs := make([]error, 4)
	thumbs := make([][]byte, 4)
	peak := heapWatch(func() {
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Go(func() {
				thumbs[i], errs[i] = Make(context.Background(), bytes.NewReader(data), budget)
			})
		}
		wg.Wait()
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("decode %d: %v", i, err)
		}
		if c := decodeJPEG(t, thumbs[i]).RGBAAt(80, 80); !near(c, color.RGBA{255, 0, 0, 255}, 8) {
			t.Errorf("decode %d: the preview is %v; want red", i, c)
		}
	}
	t.Logf("peak heap growth: %.1f MiB", float64(peak)/(1<<20))
	if peak > 16<<20 {
		t.Errorf("the heap grew by %.1f MiB; want well under the 64 MiB budget", float64(peak)/(1<<20))
	}
}
