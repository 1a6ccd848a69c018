package main

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"
)

// sample is one timed run: wall time, and the CPU time (user + system) the
// whole process spent meanwhile — client, server and runtime. CPU time does
// not grow when other work on the machine delays us, so it is the steadier
// of the two on a shared machine.
type sample struct{ wall, cpu time.Duration }

type timedFn func() (sample, error)

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timeIt times fn; untimed work (cleanup) belongs after it returns.
func timeIt(fn func() error) (sample, error) {
	c0, t0 := processCPU(), time.Now()
	err := fn()
	return sample{wall: time.Since(t0), cpu: processCPU() - c0}, err
}

// interleave runs warm untimed rounds, then n timed rounds of every fn,
// rotating which goes first each round so drift and the garbage of one run
// fall on all alike. A GC between runs keeps one run's garbage off the next.
func interleave(n, warm int, fns ...timedFn) ([][]sample, error) {
	return rotate(n, warm, true, fns)
}

// interleaveNoGC is interleave for short requests: no GC between runs.
func interleaveNoGC(n, warm int, fns ...timedFn) ([][]sample, error) {
	return rotate(n, warm, false, fns)
}

func rotate(n, warm int, gc bool, fns []timedFn) ([][]sample, error) {
	out := make([][]sample, len(fns))
	for round := 0; round < warm+n; round++ {
		for j := range fns {
			k := (round + j) % len(fns)
			if gc {
				runtime.GC()
			}
			d, err := fns[k]()
			if err != nil {
				return nil, err
			}
			if round >= warm {
				out[k] = append(out[k], d)
			}
		}
	}
	return out, nil
}

func walls(ss []sample) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = s.wall
	}
	return out
}

// cpuPerOp is the mean CPU time per run (CPU accounting is precise but one
// run's share of background work is not, so the mean, not the median).
func cpuPerOp(ss []sample) time.Duration {
	var sum time.Duration
	for _, s := range ss {
		sum += s.cpu
	}
	return sum / time.Duration(max(len(ss), 1))
}

// rounds is N for the largest images and 2N for the others, which are cheap
// and whose medians need more runs on a noisy machine.
func (e *benchEnv) rounds(sc sizeCase) int {
	if len(sc.png) > 4<<20 {
		return e.o.N
	}
	return 2 * e.o.N
}

func (e *benchEnv) warm() int { return pick(e.o.Short, 1, 2) }

func median(ds []time.Duration) time.Duration { return percentile(ds, 50) }

// percentile is the nearest-rank percentile.
func percentile[T cmp.Ordered](ds []T, p float64) T {
	if len(ds) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

// roundSpread is the middle half of the per-round ratios of a to b: each
// round times both back to back, so this shows how much the machine moved
// the ratio during the run, which one median of each hides.
func roundSpread(a, b []sample) string {
	rs := make([]float64, min(len(a), len(b)))
	for i := range rs {
		rs[i] = ratio(a[i].wall, b[i].wall)
	}
	return fmt.Sprintf("rounds %.2f–%.2f×", percentile(rs, 25), percentile(rs, 75))
}

func durs(ds ...time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d)
	}
	return out
}

// concurrently runs fn(i) for i < n at once and returns the first error.
func concurrently(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	startGate := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			errs[i] = fn(i)
		}()
	}
	close(startGate)
	wg.Wait()
	return errors.Join(errs...)
}
