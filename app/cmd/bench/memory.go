package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// memConc is how many uploads or views the memory phase runs at once.
const memConc = 10

// phaseMemory weighs memConc concurrent uploads, then views, of the largest
// image against the same load on the baseline: the peak growth per
// operation. With -memprofile it also writes heap profiles in mid-flight.
func (e *benchEnv) phaseMemory(ctx context.Context, rep *benchReport) error {
	if err := e.ensureViewMessages(); err != nil {
		return err
	}
	l := &memLoad{e: e, big: e.sizes[len(e.sizes)-1], base: e.client(e.baseURL)}
	reps := pick(e.o.Short, 1, 3)
	pairs := []struct {
		name     string
		subject  func(split func()) error
		baseline func() error
	}{
		{"upload", l.uploads(""), l.baseUploads},
		{"view", func(func()) error { return l.views() }, l.baseViews},
	}
	for _, p := range pairs {
		e.progress("memory: %d concurrent %s %ss × %d", memConc, l.big.label, p.name, reps)
		first, s, b, err := l.measure(p.name, reps, p.subject, p.baseline)
		if err != nil {
			return err
		}
		rep.Rows = append(rep.Rows, memRow(l.big, p.name, first, s, b))
	}
	if e.o.MemProfile != "" {
		if err := l.profiles(e.o.MemProfile, e.o.MemProfile+".view"); err != nil {
			return err
		}
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("**Memory**: %d operations at once, sampled every ~1 ms in a goroutine: "+
		"heap = `/memory/classes/heap/objects + unused` (= MemStats.HeapInuse, includes garbage not yet collected), "+
		"live heap = `/gc/heap/live` (what survived each GC), RSS = VmRSS of /proc/self/status; peak minus the level "+
		"before (after a GC and FreeOSMemory), divided by %d, median of %d repetitions. The client runs in the same "+
		"process with its request bodies outside the Go heap; its own buffers are in both columns, so the baseline "+
		"column (plain upload / ServeFile) is the floor. Uploads are read twice: up to the first answer (all %d uploads "+
		"streaming, no preview started: the upload path, which the target is about) and up to the last answer, which adds the previews "+
		"of the uploads answered first (each a whole decoded 10 MiB noise PNG with today's decoder, two at a time, within the "+
		"preview budget of the instance; the preview rows weigh them alone).", memConc, memConc, reps, memConc))
	return nil
}

// memLoad is the memory phase's load: memConc operations at once with the
// largest image, on the app or on the baseline.
type memLoad struct {
	e    *benchEnv
	big  sizeCase
	base *hclient

	mu  sync.Mutex
	ids []string // messages the uploads stored, for cleanup
}

// measure weighs subject, then baseline, reps times, cleaning up after
// each, and returns the median of each, and of the subject's growth up to
// its split.
func (l *memLoad) measure(name string, reps int, subject func(split func()) error, baseline func() error) (first, s, b memSample, err error) {
	var subj, firsts, basel []memSample
	for range reps {
		fm, sm, err := measureMemSplit(subject)
		// The previews of the uploads run after their answers: let them
		// finish before the baseline is weighed and the messages deleted.
		l.e.settle()
		l.cleanup()
		if err != nil {
			return first, s, b, fmt.Errorf("memory %s: %w", name, err)
		}
		bm, err := measureMem(baseline)
		l.cleanup()
		if err != nil {
			return first, s, b, fmt.Errorf("memory %s baseline: %w", name, err)
		}
		subj, firsts, basel = append(subj, sm), append(firsts, fm), append(basel, bm)
	}
	return medianMem(firsts), medianMem(subj), medianMem(basel), nil
}

// memRow: for uploads, first is the growth up to the first answer (the
// upload path) and s up to the last (with the first previews); for views
// they are the same.
func memRow(big sizeCase, name string, first, s, b memSample) benchRow {
	per := func(v float64) float64 { return v / memConc }
	cell := func(m memSample) string {
		return fmt.Sprintf("heap +%s, RSS +%s per op (live heap +%s; %s allocated)",
			fmtBytes(per(m.heap)), fmtBytes(per(m.rss)), fmtBytes(per(m.live)), fmtBytes(per(m.allocs)))
	}
	worst := max(per(first.heap), per(first.rss))
	subject, target := cell(s), "< 2 MiB per op"
	if name == "upload" {
		subject = "until the first answer: " + cell(first) + "; until the last, with the previews of those answered: " + cell(s)
		target = "< 2 MiB per op until the first answer (the upload path; previews are bounded apart, by the budget)"
	}
	return benchRow{
		Measure:  fmt.Sprintf("Memory: %d concurrent %s %ss, peak growth per op", memConc, big.label, name),
		Subject:  subject,
		Baseline: cell(b),
		Ratio:    "—",
		Target:   target,
		Met:      verdict(worst < 2<<20),
		// Growth can be ≤ 0 in a sample (memory reused); allocation cannot.
		Values: []float64{s.allocs, b.allocs, math.Max(s.heap, 1), math.Max(s.rss, 1)},
	}
}

// uploads sends the largest image memConc times at once through the app,
// calling split at the first answer; with a profile path, a heap profile is
// taken half-way through the bytes.
func (l *memLoad) uploads(profile string) func(split func()) error {
	return func(split func()) error {
		mk := l.bodies(profile)
		var once sync.Once
		return concurrently(memConc, func(i int) error {
			raw, err := l.e.alice.call(l.e.alice.newRequest(http.MethodPost, "/api/messages", mk(), l.big.ctype), http.StatusCreated)
			once.Do(split)
			if err != nil {
				return err
			}
			var out struct{ Message struct{ ID string } }
			json.Unmarshal(raw, &out)
			l.mu.Lock()
			l.ids = append(l.ids, out.Message.ID)
			l.mu.Unlock()
			return nil
		})
	}
}

// bodies makes the request bodies of one round of uploads.
func (l *memLoad) bodies(profile string) func() io.Reader {
	if profile == "" {
		return func() io.Reader { return bytes.NewReader(l.big.body) }
	}
	var sent atomic.Int64
	var once sync.Once
	return func() io.Reader {
		return &countingReader{r: bytes.NewReader(l.big.body), sent: &sent, at: int64(memConc * len(l.big.body) / 2), once: &once, fire: heapProfileTo(profile)}
	}
}

func (l *memLoad) baseUploads() error {
	return concurrently(memConc, func(int) error {
		_, err := l.e.baselineUpload(l.base, l.big, true)
		return err
	})
}

func (l *memLoad) views() error {
	bob := l.e.bob
	return concurrently(memConc, func(int) error {
		_, err := bob.drain(bob.newRequest(http.MethodGet, "/api/messages/"+l.e.viewIDs[l.big.label]+"/image", nil, ""), http.StatusOK)
		return err
	})
}

func (l *memLoad) baseViews() error {
	return concurrently(memConc, func(int) error {
		_, err := l.base.drain(l.base.newRequest(http.MethodGet, "/file/"+plainName(l.big), nil, ""), http.StatusOK)
		return err
	})
}

// profiledViews are views that take a heap profile half-way through the bytes.
func (l *memLoad) profiledViews(path string) func() error {
	return func() error {
		var sent atomic.Int64
		var once sync.Once
		fire := heapProfileTo(path)
		bob := l.e.bob
		return concurrently(memConc, func(int) error {
			resp, err := bob.hc.Do(bob.newRequest(http.MethodGet, "/api/messages/"+l.e.viewIDs[l.big.label]+"/image", nil, ""))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			_, err = io.Copy(io.Discard, &countingReader{r: resp.Body, sent: &sent, at: int64(memConc * len(l.big.png) / 2), once: &once, fire: fire})
			return err
		})
	}
}

// profiles writes a heap profile of the uploads to up and of the views to view.
func (l *memLoad) profiles(up, view string) error {
	l.e.progress("memory: heap profiles → %s, %s", up, view)
	uploads := func() error { return l.uploads(up)(func() {}) }
	for _, run := range []func() error{uploads, l.profiledViews(view)} {
		if err := run(); err != nil {
			return err
		}
		l.e.settle()
		l.cleanup()
	}
	return nil
}

// cleanup deletes what the uploads stored, on both sides.
func (l *memLoad) cleanup() {
	for _, id := range l.ids {
		l.e.alice.deleteMessage(id)
	}
	l.ids = nil
	olds, _ := filepath.Glob(filepath.Join(l.e.baseDir, "upload-*"))
	for _, p := range olds {
		os.Remove(p)
	}
}
