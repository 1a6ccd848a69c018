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
// in windows of o.Duration alternating with durable uploads to the baseline.
func (e *benchEnv) phaseThroughput(ctx context.Context, rep *benchReport) error {
	small := e.sizes[0]
	// A separate recipient, so the inbox measures are not disturbed.
	if _, err := e.prov(ctx, imageapp.User{ID: "bench-throughput-recipient", Username: "tpdave", Email: "tpdave@bench.example"}); err != nil {
		return err
	}
	body, ctype := multipartSend("tpdave", "bench.png", small.png)
	base := e.client(e.baseURL)
	subject := func() error {
		_, err := e.alice.call(e.alice.newRequest(http.MethodPost, "/api/messages", bytes.NewReader(body), ctype), http.StatusCreated)
		return err
	}
	baseline := func() error {
		_, err := base.call(base.newRequest(http.MethodPost, "/upload?sync=1", bytes.NewReader(body), ctype), http.StatusCreated)
		return err
	}
	s, b, err := e.throughputRounds(subject, baseline)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, benchRow{
		Measure:  fmt.Sprintf("Throughput: %s sends, %d concurrent clients, %s windows", small.label, throughputWorkers, e.o.Duration),
		Subject:  fmt.Sprintf("%.0f sends/s", s),
		Baseline: fmt.Sprintf("%.0f uploads/s (fsync)", b),
		Ratio:    fmtRatio(s/b) + " of baseline rate",
		Target:   "(report)",
		Met:      "—",
		Values:   []float64{s, b},
	})
	return nil
}

// throughputRounds runs a window of each side per round, alternating which
// goes first, and returns the median rate of each.
func (e *benchEnv) throughputRounds(subject, baseline func() error) (s, b float64, err error) {
	rounds := pick(e.o.Short, 1, 3)
	var subj, basel []float64
	for r := range rounds {
		e.progress("throughput round %d/%d: %d clients × %s each side", r+1, rounds, throughputWorkers, e.o.Duration)
		for k := range 2 {
			runtime.GC()
			if (r+k)%2 == 0 {
				rate, err := e.rate(subject)
				if err != nil {
					return 0, 0, err
				}
				subj = append(subj, rate)
			} else {
				rate, err := e.rate(baseline)
				if err != nil {
					return 0, 0, err
				}
				basel = append(basel, rate)
			}
		}
		olds, _ := filepath.Glob(filepath.Join(e.baseDir, "upload-*"))
		for _, p := range olds {
			os.Remove(p)
		}
	}
	sort.Float64s(subj)
	sort.Float64s(basel)
	return subj[len(subj)/2], basel[len(basel)/2], nil
}

// rate runs op from every worker for one window and returns ops per second.
func (e *benchEnv) rate(op func() error) (float64, error) {
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
	return float64(ops.Load()) / time.Since(t0).Seconds(), err
}
