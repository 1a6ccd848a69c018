package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync/atomic"
	"time"

	"imageapp/app/imageapp"
)

// throughputWorkers is how many clients send at once in the throughput phase.
const throughputWorkers = 16

// phaseThroughput counts small sends per second from many clients at once,
// in windows of o.Duration alternating with durable uploads of the same
// bytes to the baseline: once with a photo as a messenger sends it (a
// 100 KiB-ish JPEG, what people send) and once with the noise PNG of the
// same size (the worst case for the preview worker, which shares the cores).
func (e *benchEnv) phaseThroughput(ctx context.Context, rep *benchReport) error {
	// A separate recipient, so the inbox measures are not disturbed.
	if _, err := e.prov(ctx, imageapp.User{ID: "bench-throughput-recipient", Username: "tpdave", Email: "tpdave@bench.example"}); err != nil {
		return err
	}
	for _, in := range []sizeCase{e.smallPhoto, e.sizes[0]} {
		if err := e.throughputOf(in, rep); err != nil {
			return err
		}
	}
	return nil
}

func (e *benchEnv) throughputOf(in sizeCase, rep *benchReport) error {
	body, ctype := multipartSend("tpdave", in.filename, in.png)
	base := e.client(e.baseURL)
	subject := func() error {
		_, err := e.alice.call(e.alice.newRequest(http.MethodPost, "/api/messages", bytes.NewReader(body), ctype), http.StatusCreated)
		return err
	}
	baseline := func() error {
		_, err := base.call(base.newRequest(http.MethodPost, "/upload?sync=1", bytes.NewReader(body), ctype), http.StatusCreated)
		return err
	}
	e.progress("throughput of %s sends", in.label)
	t, err := e.throughputRounds(subject, baseline)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, benchRow{
		Measure: fmt.Sprintf("Throughput: %s sends, %d concurrent clients, %s windows", in.label, throughputWorkers, e.o.Duration),
		Subject: fmt.Sprintf("%.0f sends/s answered; their previews and mails ran %s past the window (%.0f sends/s counting that); "+
			"previews made for %d%% of the sends, the rest left to the sweep (queue full)",
			t.subject, t.drain.Round(time.Millisecond), t.sustained, t.madePct),
		Baseline: fmt.Sprintf("%.0f uploads/s (fsync)", t.baseline),
		Ratio:    fmtRatio(t.subject/t.baseline) + " of baseline rate (" + fmtRatio(t.sustained/t.baseline) + " counting the previews' tail)",
		Target:   "≥ 0.7× of the baseline's rate",
		Met:      verdict(t.subject/t.baseline >= 0.7),
		Values:   []float64{t.subject, t.baseline, t.sustained},
	})
	return nil
}

// throughputResult is the median of each side's rate, and for the app how
// long its previews ran on after a window, the rate counting that tail,
// and the share of sends whose preview was made rather than left to the
// sweep.
type throughputResult struct {
	subject, baseline, sustained float64
	drain                        time.Duration
	madePct                      int
}

// throughputRounds runs a window of each side per round, alternating which
// goes first. After an app window it waits for the previews (and mails)
// the window queued, so they do not run in the baseline's window.
func (e *benchEnv) throughputRounds(subject, baseline func() error) (throughputResult, error) {
	rounds := pick(e.o.Short, 1, 3)
	var subj, basel, sust []float64
	var drains []time.Duration
	sends, made := 0, 0
	for r := range rounds {
		e.progress("throughput round %d/%d: %d clients × %s each side", r+1, rounds, throughputWorkers, e.o.Duration)
		for k := range 2 {
			runtime.GC()
			if (r+k)%2 == 0 {
				made0 := e.stamps.made()
				n, took, err := e.rate(subject)
				if err != nil {
					return throughputResult{}, err
				}
				t0 := time.Now()
				e.settle()
				drain := time.Since(t0)
				subj, sust = append(subj, float64(n)/took.Seconds()), append(sust, float64(n)/(took+drain).Seconds())
				drains = append(drains, drain)
				sends, made = sends+n, made+e.stamps.made()-made0
			} else {
				n, took, err := e.rate(baseline)
				if err != nil {
					return throughputResult{}, err
				}
				basel = append(basel, float64(n)/took.Seconds())
			}
		}
		olds, _ := filepath.Glob(filepath.Join(e.baseDir, "upload-*"))
		for _, p := range olds {
			os.Remove(p)
		}
	}
	mid := func(v []float64) float64 { sort.Float64s(v); return v[len(v)/2] }
	return throughputResult{subject: mid(subj), baseline: mid(basel), sustained: mid(sust), drain: median(drains),
		madePct: 100 * made / max(sends, 1)}, nil
}

// rate runs op from every worker for one window and returns how many ops
// were done in how long.
func (e *benchEnv) rate(op func() error) (int, time.Duration, error) {
	var ops atomic.Int64
	deadline := time.Now().Add(e.o.Duration)
	t0 := time.Now()
	err := concurrently(throughputWorkers, func(int) error {
		for time.Now().Before(deadline) {
			if err := op(); err != nil {
				return err
			}
			ops.Add(1)
		}
		return nil
	})
	return int(ops.Load()), time.Since(t0), err
}
