package main

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"time"
)

// benchRow is one line of the table. Values are the raw numbers behind the
// cells (all must be > 0 when the row was measured); Skip marks a row that
// only says where something is measured instead.
type benchRow struct {
	Measure  string
	Subject  string
	Baseline string
	Ratio    string
	Ratio2   string // sends: against the baseline without fsync; views: against the decrypting baseline
	Target   string
	Met      string
	Values   []float64
	Skip     bool
	Err      error
}

type benchReport struct {
	Rows      []benchRow
	Notes     []string // Markdown paragraphs and code blocks under the table
	Env       string
	LoadStart string
	LoadEnd   string
	Phases    []string
	Elapsed   time.Duration
}

// machineLoad is the load average and the CPU pressure (PSI: share of time
// some runnable task waited for a CPU), to tell a quiet run from a busy one.
func machineLoad() string {
	out := "load average"
	if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(raw)); len(f) >= 3 {
			out += " " + strings.Join(f[:3], " ")
		}
	}
	if raw, err := os.ReadFile("/proc/pressure/cpu"); err == nil {
		if m := regexp.MustCompile(`some avg10=([0-9.]+) avg60=([0-9.]+)`).FindSubmatch(raw); m != nil {
			out += fmt.Sprintf(", CPU pressure %s%% (10 s) %s%% (60 s)", m[1], m[2])
		}
	}
	return out
}

// Markdown is the table and its notes, ready for the README.
func (r *benchReport) Markdown() string {
	var b strings.Builder
	b.WriteString("Measured with `go run ./app/cmd/bench -out FILE` (embedded backend, real server on 127.0.0.1, baselines " +
		"interleaved in the same run; see the notes below the table).\n\n")
	b.WriteString("| # | Measure | ImageApp | Baseline | Ratio | Second ratio (sends: vs the upload without fsync; views: vs the decrypting baseline) | Target | Met |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	cell := func(s string) string {
		if s == "" {
			return "—"
		}
		return strings.ReplaceAll(s, "|", "\\|")
	}
	for i, row := range r.Rows {
		if row.Err != nil {
			fmt.Fprintf(&b, "| %d | %s | **error**: %s | | | | | |\n", i+1, cell(row.Measure), cell(row.Err.Error()))
			continue
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", i+1, cell(row.Measure), cell(row.Subject), cell(row.Baseline),
			cell(row.Ratio), cell(row.Ratio2), cell(row.Target), cell(row.Met))
	}
	fmt.Fprintf(&b, "\n%s. Machine at start: %s; at end: %s. Run took %s (%s).\n", r.Env, r.LoadStart, r.LoadEnd,
		r.Elapsed.Round(time.Second), strings.Join(r.Phases, ", "))
	b.WriteString("\nImageApp and baseline cells: median wall time · mean CPU time (user + system of the whole process, " +
		"client included) per operation; ratios are ImageApp ÷ baseline of those. \"rounds\" is the middle half " +
		"(25th–75th percentile) of the ratios of single rounds, each of which runs both back to back.\n")
	for _, n := range r.Notes {
		b.WriteString("\n" + n + "\n")
	}
	return b.String()
}

func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f ms", ms)
	}
}

func fmtRatio(r float64) string { return fmt.Sprintf("%.2f×", r) }

func fmtBytes(n float64) string {
	switch {
	case math.Abs(n) >= 1<<20:
		return fmt.Sprintf("%.2f MiB", n/(1<<20))
	case math.Abs(n) >= 1<<10:
		return fmt.Sprintf("%.1f KiB", n/(1<<10))
	default:
		return fmt.Sprintf("%.0f B", n)
	}
}

func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
