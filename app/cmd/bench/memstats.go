package main

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// memSample is what the memory phase reads: bytes of heap in use, of live
// heap (as of the last GC), of RSS, and allocated so far.
type memSample struct {
	heap, live, rss, allocs float64
}

var memMetrics = []string{
	"/memory/classes/heap/objects:bytes", // + unused = MemStats.HeapInuse
	"/memory/classes/heap/unused:bytes",
	"/gc/heap/live:bytes", // live heap as of the last GC
	"/gc/heap/allocs:bytes",
}

// memReader reads memSamples without allocating per read.
type memReader struct {
	samples []metrics.Sample
	status  *os.File
	buf     []byte
}

func newMemReader() *memReader {
	m := &memReader{buf: make([]byte, 4096)}
	for _, n := range memMetrics {
		m.samples = append(m.samples, metrics.Sample{Name: n})
	}
	m.status, _ = os.Open("/proc/self/status")
	return m
}

func (m *memReader) read() memSample {
	metrics.Read(m.samples)
	v := func(i int) float64 {
		if m.samples[i].Value.Kind() == metrics.KindUint64 {
			return float64(m.samples[i].Value.Uint64())
		}
		return 0
	}
	s := memSample{heap: v(0) + v(1), live: v(2), allocs: v(3)}
	if m.status != nil {
		if n, _ := m.status.ReadAt(m.buf, 0); n > 0 {
			if i := bytes.Index(m.buf[:n], []byte("VmRSS:")); i >= 0 {
				f := strings.Fields(string(m.buf[i+6 : i+6+bytes.IndexByte(m.buf[i+6:n], '\n')]))
				if len(f) > 0 {
					kb, _ := strconv.ParseFloat(f[0], 64)
					s.rss = kb * 1024
				}
			}
		}
	}
	return s
}

// measureMem runs fn while sampling every millisecond, and returns the peak
// growth over the level before it of the heap in use, the live heap (as of
// each GC), and RSS, and the bytes allocated meanwhile.
func measureMem(fn func() error) (memSample, error) {
	_, whole, err := measureMemSplit(func(func()) error { return fn() })
	return whole, err
}

// measureMemSplit is measureMem with a split: fn calls split when it likes
// (the first call counts), and first is the peak growth up to that moment
// (the whole of it if fn never calls split).
func measureMemSplit(fn func(split func()) error) (first, whole memSample, err error) {
	mr := newMemReader()
	if mr.status != nil {
		defer mr.status.Close()
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := mr.read()
	var mu sync.Mutex // mr and peak: the sampler takes samples, and so does a split
	peak, firstPeak, split := before, before, false
	stop, done := make(chan struct{}), make(chan struct{})
	take := func() {
		mu.Lock()
		defer mu.Unlock()
		s := mr.read()
		peak.heap, peak.live, peak.rss = max(peak.heap, s.heap), max(peak.live, s.live), max(peak.rss, s.rss)
		peak.allocs = s.allocs
		if !split {
			firstPeak = peak
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				take()
				return
			case <-t.C:
				take()
			}
		}
	}()
	err = fn(func() {
		take()
		mu.Lock()
		split = true
		mu.Unlock()
	})
	close(stop)
	<-done
	growth := func(p memSample) memSample {
		return memSample{heap: p.heap - before.heap, live: p.live - before.live, rss: p.rss - before.rss, allocs: p.allocs - before.allocs}
	}
	return growth(firstPeak), growth(peak), err
}

// medianMem is the median of each field on its own.
func medianMem(ms []memSample) memSample {
	mid := func(f func(memSample) float64) float64 {
		v := make([]float64, len(ms))
		for i, m := range ms {
			v[i] = f(m)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return memSample{
		heap:   mid(func(m memSample) float64 { return m.heap }),
		live:   mid(func(m memSample) float64 { return m.live }),
		rss:    mid(func(m memSample) float64 { return m.rss }),
		allocs: mid(func(m memSample) float64 { return m.allocs }),
	}
}

// countingReader tells when half of all concurrent uploads went out, for a
// heap profile in mid-flight.
type countingReader struct {
	r    io.Reader
	sent *atomic.Int64
	at   int64
	once *sync.Once
	fire func()
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.sent.Add(int64(n)) >= c.at {
		c.once.Do(func() { go c.fire() })
	}
	return n, err
}

// heapProfileTo writes a heap profile, after a GC, to path.
func heapProfileTo(path string) func() {
	return func() {
		runtime.GC()
		f, err := os.Create(path)
		if err != nil {
			return
		}
		defer f.Close()
		pprof.Lookup("heap").WriteTo(f, 0)
	}
}
