// Package metrics counts what one instance does and writes it, once per
// interval, as one JSON log line in CloudWatch's Embedded Metric Format
// (EMF): CloudWatch Logs turns the line into metrics, with no agent and no
// API call. A line per interval, not per request, keeps the log small and
// the cost flat. Nothing in a line names a user, a message or a secret:
// only metric names and numbers.
package metrics

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// maxValues is how many latencies one line carries per metric: EMF takes
// at most 100 values in a metric's array. Past that a uniform sample stays.
const maxValues = 100

// Registry is one instance's metrics. The zero value is not usable; make
// one with New.
type Registry struct {
	namespace  string
	dimensions map[string]string

	mu      sync.Mutex
	counts  map[string]int64         // since the last line; a name once seen is written on every line, 0 too
	levels  map[string]*Level        // up and down counts (streams open)
	gauges  map[string]func() int64  // read when a line is written (queue depth)
	timings map[string]*timingSample // milliseconds since the last line
}

// New returns a registry whose lines go to namespace with the given
// dimensions (e.g. {"Service": "imageapp"}); every metric shares them.
func New(namespace string, dimensions map[string]string) *Registry {
	return &Registry{
		namespace: namespace, dimensions: maps.Clone(dimensions),
		counts: map[string]int64{}, levels: map[string]*Level{}, gauges: map[string]func() int64{}, timings: map[string]*timingSample{},
	}
}

// Count adds n to the counter name for this interval.
func (r *Registry) Count(name string, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[name] += n
}

// Gauge makes name read from read each time a line is written.
func (r *Registry) Gauge(name string, read func() int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges[name] = read
}

// Level returns the up-and-down count name (the same one for every call),
// written as it stands at each line.
func (r *Registry) Level(name string) *Level {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.levels[name]
	if !ok {
		l = &Level{}
		r.levels[name] = l
	}
	return l
}

// Observe records one latency of name for this interval.
func (r *Registry) Observe(name string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.timings[name]
	if !ok {
		t = &timingSample{}
		r.timings[name] = t
	}
	t.add(float64(d.Microseconds()) / 1000)
}

// Level is a count that goes up and down, such as the open event streams.
type Level struct {
	mu sync.Mutex
	n  int64
}

// Add moves the level by n (negative to go down).
func (l *Level) Add(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n += n
}

func (l *Level) value() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// timingSample keeps up to maxValues latencies of an interval, a uniform
// sample of them when there were more (reservoir sampling).
type timingSample struct {
	values []float64
	seen   int
}

func (t *timingSample) add(ms float64) {
	t.seen++
	if len(t.values) < maxValues {
		t.values = append(t.values, ms)
		return
	}
	if i := rand.IntN(t.seen); i < maxValues {
		t.values[i] = ms
	}
}

type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// Write writes one EMF line with what was counted since the last one and
// starts a new interval. Counters seen before are written as 0 when nothing
// happened, so an alarm sees a zero, not missing data.
func (r *Registry) Write(w io.Writer, now time.Time) error {
	r.mu.Lock()
	values := map[string]any{}
	var defs []metricDef
	for name, n := range r.counts {
		values[name], r.counts[name] = n, 0
		defs = append(defs, metricDef{name, "Count"})
	}
	for name, l := range r.levels {
		values[name] = l.value()
		defs = append(defs, metricDef{name, "Count"})
	}
	gauges := maps.Clone(r.gauges)
	for name, t := range r.timings {
		if len(t.values) > 0 {
			values[name] = t.values
			defs = append(defs, metricDef{name, "Milliseconds"})
			values[name+"Count"] = t.seen
			defs = append(defs, metricDef{name + "Count", "Count"})
		}
		delete(r.timings, name)
	}
	r.mu.Unlock()
	for name, read := range gauges { // outside the lock: a gauge may take its own
		values[name] = read()
		defs = append(defs, metricDef{name, "Count"})
	}
	slices.SortFunc(defs, func(a, b metricDef) int { return cmp.Compare(a.Name, b.Name) })

	line := map[string]any{}
	for k, v := range r.dimensions {
		line[k] = v
	}
	for k, v := range values {
		line[k] = v
	}
	line["_aws"] = map[string]any{
		"Timestamp": now.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  r.namespace,
			"Dimensions": [][]string{slices.Sorted(maps.Keys(r.dimensions))},
			"Metrics":    defs,
		}},
	}
	raw, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}

// Run writes a line to w every interval until ctx ends, then a last one
// (what the final interval counted is not lost on shutdown). A failed
// write goes to onError and the counting goes on.
func (r *Registry) Run(ctx context.Context, w io.Writer, every time.Duration, now func() time.Time, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := r.Write(w, now()); err != nil {
				onError(err)
			}
			return
		case <-t.C:
			if err := r.Write(w, now()); err != nil {
				onError(err)
			}
		}
	}
}
