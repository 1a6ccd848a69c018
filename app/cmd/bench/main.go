// Command bench benchmarks the embedded backend over a real server on
// loopback:
//
//	go run ./app/cmd/bench [-short] [-out FILE] [flags]
//
// The server is the production one (server.Open over the local backend,
// App.Serve) on a net.Listener at 127.0.0.1:0, driven by a real HTTP client
// in the same process. Every timed measure runs next to a plain baseline in
// the same process, on the same kind of listener, interleaved round by round
// (the order rotates each round), and is reported as a ratio: absolute times
// on shared machines are noise.
//
// It prints one Markdown table (and notes: where the time goes, query plans,
// seeding time, the static assets) and, with -out, writes the same Markdown
// to a file. README.md beside this file keeps the runs and what they taught.
//
// The files follow the run: bench.go (options, the phases in order), env.go
// (the servers and users), client.go and baseline.go (the two sides),
// measure.go and memstats.go (how things are timed and weighed), inputs.go
// (the realistic images), then one file per phase (send, view, memory,
// preview, inbox, throughput, pages; aws is a row in bench.go),
// breakdown.go (port by port) and report.go (the table).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"strings"
)

func main() { os.Exit(benchMain(os.Args[1:])) }

// benchMain parses the flags, runs the bench and prints (and with -out
// writes) its Markdown. It returns the exit code: 2 for bad flags, 1 when the
// bench or any row failed.
func benchMain(args []string) int {
	o, prof, err := parseFlags(args)
	if err != nil {
		return 2
	}
	o.Progress = os.Stderr
	for _, r := range []struct {
		path  string
		start func(io.Writer) error
		end   func()
	}{{prof.cpu, pprof.StartCPUProfile, pprof.StopCPUProfile}, {prof.trace, trace.Start, trace.Stop}} {
		if r.path == "" {
			continue
		}
		stop, err := recordRun(r.path, r.start, r.end)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer stop()
	}
	rep, err := runBench(context.Background(), o)
	if rep != nil {
		md := rep.Markdown()
		fmt.Print(md)
		if o.Out != "" {
			if werr := os.WriteFile(o.Out, []byte(md), 0o644); werr != nil {
				fmt.Fprintln(os.Stderr, werr)
				return 1
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	for _, r := range rep.Rows {
		if r.Err != nil {
			return 1
		}
	}
	return 0
}

// profiles are where the run's CPU profile and execution trace go, if anywhere.
type profiles struct{ cpu, trace string }

func parseFlags(args []string) (o benchOptions, prof profiles, err error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.BoolVar(&o.Short, "short", false, "tiny sizes and iterations (CI): checks that everything runs, asserts no time")
	fs.StringVar(&o.Out, "out", "", "also write the table as Markdown to this file")
	fs.StringVar(&o.DataDir, "data", "", "data directory (default: a fresh temp dir, removed afterwards)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temp data directory")
	fs.IntVar(&o.N, "n", 0, "timed rounds per measure (default 15, -short 3)")
	fs.IntVar(&o.Requests, "requests", 0, "requests per inbox latency measure (default 200, -short 20)")
	fs.IntVar(&o.InboxSize, "inbox", 0, "messages seeded into one inbox (default 10000, -short 300)")
	fs.DurationVar(&o.Duration, "duration", 0, "throughput window per round (default 5s, -short 1s)")
	fs.StringVar(&o.Only, "only", "", "run only these phases, comma-separated: "+strings.Join(benchPhases, ","))
	fs.StringVar(&prof.cpu, "cpuprofile", "", "write a CPU profile of the whole run here")
	fs.StringVar(&prof.trace, "trace", "", "write an execution trace of the whole run here (where wall time goes off the CPU: go tool trace -pprof=syscall FILE)")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write heap profiles (after a GC, half-way through the concurrent uploads; .view for views) here")
	err = fs.Parse(args)
	return o, prof, err
}

// recordRun starts recording the whole run into a file at path (a CPU
// profile, an execution trace) with start; the returned func ends it.
func recordRun(path string, start func(io.Writer) error, end func()) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return func() {
		end()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err) // the run's table is printed all the same
		}
	}, nil
}
