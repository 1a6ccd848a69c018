package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// benchOptions are the command's flags.
type benchOptions struct {
	Short      bool
	Out        string        // also write the Markdown here
	DataDir    string        // "" = a fresh temp dir, removed afterwards
	Keep       bool          // keep a temp data dir
	N          int           // timed rounds per measure (after warm-up)
	Requests   int           // requests per latency percentile in the inbox phase
	InboxSize  int           // messages seeded into one inbox
	Duration   time.Duration // throughput window per round
	Only       string        // comma-separated phases; "" = all
	MemProfile string        // heap profile taken half-way through the concurrent uploads
	Progress   io.Writer     // progress lines; nil = none
}

func (o *benchOptions) defaults() {
	if o.N <= 0 {
		o.N = pick(o.Short, 3, 15)
	}
	if o.Requests <= 0 {
		o.Requests = pick(o.Short, 20, 200)
	}
	if o.InboxSize <= 0 {
		o.InboxSize = pick(o.Short, 300, 10_000)
	}
	if o.Duration <= 0 {
		o.Duration = pick(o.Short, time.Second, 5*time.Second)
	}
}

// pick is short in -short mode and full otherwise.
func pick[T any](isShort bool, short, full T) T {
	if isShort {
		return short
	}
	return full
}

var benchPhases = []string{"send", "view", "memory", "preview", "inbox", "throughput", "aws", "pages"}

func (o *benchOptions) runs(phase string) bool {
	if o.Only == "" {
		return true
	}
	return slices.Contains(strings.Split(o.Only, ","), phase)
}

// runBench runs every phase o selects, in this order. A phase that fails
// adds a row with its error and the others still run; err is only for a
// bench that could not start at all.
func runBench(ctx context.Context, o benchOptions) (*benchReport, error) {
	o.defaults()
	start := time.Now()
	e, err := newBenchEnv(ctx, o)
	if err != nil {
		return nil, err
	}
	defer e.close()
	rep := &benchReport{Env: e.describe(), LoadStart: machineLoad()}
	phases := []struct {
		name string
		run  func(context.Context, *benchReport) error
	}{
		{"send", e.phaseSend},
		{"view", e.phaseView},
		{"memory", e.phaseMemory},
		{"preview", e.phasePreview},
		{"inbox", e.phaseInbox},
		{"throughput", e.phaseThroughput},
		{"aws", e.phaseAWS},
		{"pages", e.phasePages},
	}
	for _, p := range phases {
		if !o.runs(p.name) {
			continue
		}
		e.progress("== %s", p.name)
		t0 := time.Now()
		if err := p.run(ctx, rep); err != nil {
			rep.Rows = append(rep.Rows, benchRow{Measure: p.name, Err: err})
			e.progress("%s failed: %v", p.name, err)
		}
		took := time.Since(t0).Round(100 * time.Millisecond)
		e.progress("   %s took %s", p.name, took)
		rep.Phases = append(rep.Phases, fmt.Sprintf("%s %s", p.name, took))
	}
	rep.Elapsed = time.Since(start)
	rep.LoadEnd = machineLoad()
	return rep, nil
}

// phaseAWS only says where AWS calls are counted: on the emulators, by a test.
func (e *benchEnv) phaseAWS(ctx context.Context, rep *benchReport) error {
	rep.Rows = append(rep.Rows, benchRow{
		Measure: "AWS calls per operation",
		Subject: "counted on the emulators by `go test ./app/server -run TestAWSCallsPerOperation -v` (SDK middleware in every " +
			"client; it needs the emulators, so it is a test, not part of this run): table in the README",
		Baseline: "—", Ratio: "—",
		Target: "1 GenerateDataKey per send, 1 Decrypt per view, no call that grows with the inbox",
		Met:    "asserted by the test",
		Skip:   true,
	})
	return nil
}
