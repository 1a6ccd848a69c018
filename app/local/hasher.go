package local

import (
	"bufio"
	"context"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"imageapp/app/imageapp"
)

// A Hasher runs argon2id hashes, at most a fixed number at once. Each one
// holds argonMemory (19 MiB) for its whole run, and every login runs one
// (also for unknown usernames, against the dummy hash), so without a bound
// 100 concurrent logins hold 1.9 GiB. Past the bound a hash waits for a slot
// at most a short while; then the request is refused with 503 and a
// Retry-After, which costs the client a retry instead of the server its memory.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration

	running atomic.Int64
	peak    atomic.Int64
	hashes  atomic.Int64
	refused atomic.Int64
}

// hashBytes is what one hash holds while it runs.
const hashBytes = argonMemory << 10

// DefaultHashWait is how long a hash may wait for a slot.
const DefaultHashWait = 2 * time.Second

// hashRetryAfter is what a refused client is told to wait.
const hashRetryAfter = 2 * time.Second

// NewHasher returns a Hasher running at most slots hashes at once (0 means
// HashSlots()), each waiting at most wait (0 means DefaultHashWait) for a slot.
func NewHasher(slots int, wait time.Duration) *Hasher {
	if slots <= 0 {
		slots = HashSlots()
	}
	if wait <= 0 {
		wait = DefaultHashWait
	}
	return &Hasher{slots: make(chan struct{}, slots), wait: wait}
}

// HashSlots is how many hashes may run at once by default: as many as fit in
// a quarter of the memory this process may use, and no more than it has
// CPUs, since each keeps one busy and more at once only finish later.
func HashSlots() int {
	n := int(memoryLimit() / 4 / hashBytes)
	return max(1, min(n, runtime.GOMAXPROCS(0)))
}

// memoryLimit is the memory this process may use: GOMEMLIMIT, else the
// cgroup's limit, else the machine's memory, else 1 GiB.
func memoryLimit() int64 {
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 {
		return l
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 {
			return n
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64); err == nil && kb > 0 {
					return kb << 10
				}
			}
		}
	}
	return 1 << 30
}

// HasherStats are a Hasher's counts since it was made.
type HasherStats struct {
	Slots   int   // hashes allowed at once
	Hashes  int64 // hashes run
	Refused int64 // hashes refused after waiting
	Peak    int64 // the most that ran at once
}

// Stats reports the counts.
func (h *Hasher) Stats() HasherStats {
	return HasherStats{Slots: cap(h.slots), Hashes: h.hashes.Load(), Refused: h.refused.Load(), Peak: h.peak.Load()}
}

// run runs fn (one hash) in a slot. With none free within the wait it
// returns an EUNAVAILABLE error carrying a Retry-After.
func (h *Hasher) run(ctx context.Context, fn func()) error {
	select {
	case h.slots <- struct{}{}:
	default:
		t := time.NewTimer(h.wait)
		defer t.Stop()
		select {
		case h.slots <- struct{}{}:
		case <-t.C:
			h.refused.Add(1)
			return &imageapp.RetryLater{Err: imageapp.ErrHashBusy(), After: hashRetryAfter}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer func() { <-h.slots }()
	n := h.running.Add(1)
	defer h.running.Add(-1)
	for p := h.peak.Load(); n > p && !h.peak.CompareAndSwap(p, n); p = h.peak.Load() {
	}
	fn()
	h.hashes.Add(1)
	return nil
}
