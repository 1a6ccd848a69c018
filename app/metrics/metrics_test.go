package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"imageapp/app/metrics"
)

// emf is the part of an EMF line CloudWatch reads.
type emf struct {
	AWS struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
}

// parse reads one line as CloudWatch would: the directive, then each
// declared metric's value from the root, which must be there.
func parse(t *testing.T, line string) (emf, map[string]any) {
	t.Helper()
	var doc emf
	var root map[string]any
	if err := json.Unmarshal([]byte(line), &doc); err != nil {
		t.Fatalf("not JSON: %v: %s", err, line)
	}
	json.Unmarshal([]byte(line), &root)
	if len(doc.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("want one metric directive: %s", line)
	}
	d := doc.AWS.CloudWatchMetrics[0]
	for _, set := range d.Dimensions {
		for _, dim := range set {
			if _, ok := root[dim].(string); !ok {
				t.Errorf("dimension %s has no string value at the root", dim)
			}
		}
	}
	values := map[string]any{}
	for _, m := range d.Metrics {
		v, ok := root[m.Name]
		if !ok {
			t.Errorf("metric %s is declared but has no value", m.Name)
		}
		values[m.Name] = v
	}
	if len(d.Metrics) > 100 {
		t.Errorf("%d metrics in one directive; EMF takes 100", len(d.Metrics))
	}
	return doc, values
}

func TestOneEMFLinePerIntervalWithTheCounts(t *testing.T) {
	r := metrics.New("ImageApp", map[string]string{"Service": "imageapp"})
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() { r.Count("Sends", 1) })
	}
	wg.Wait()
	r.Count("Opens", 2)
	depth := int64(7)
	r.Gauge("PreviewQueueDepth", func() int64 { return depth })
	streams := r.Level("LiveStreams")
	streams.Add(3)
	streams.Add(-1)
	for i := range 250 {
		r.Observe("DynamoDBLatency", time.Duration(i+1)*time.Millisecond)
	}

	var out bytes.Buffer
	at := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	if err := r.Write(&out, at); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines for one interval; want 1", len(lines))
	}
	doc, values := parse(t, lines[0])
	d := doc.AWS.CloudWatchMetrics[0]
	if doc.AWS.Timestamp != at.UnixMilli() || d.Namespace != "ImageApp" || len(d.Dimensions) != 1 || d.Dimensions[0][0] != "Service" {
		t.Errorf("directive %+v at %d", d, doc.AWS.Timestamp)
	}
	for name, want := range map[string]float64{"Sends": 30, "Opens": 2, "PreviewQueueDepth": 7, "LiveStreams": 2, "DynamoDBLatencyCount": 250} {
		if values[name] != want {
			t.Errorf("%s = %v; want %v", name, values[name], want)
		}
	}
	lat, _ := values["DynamoDBLatency"].([]any)
	if len(lat) != 100 {
		t.Errorf("latencies: %d values; want a sample of 100", len(lat))
	}
	for _, v := range lat {
		if ms := v.(float64); ms < 1 || ms > 250 {
			t.Errorf("a latency of %v ms was never observed", ms)
		}
	}

	// The next interval starts from zero; a gauge and a level stand.
	r.Count("Sends", 1)
	depth = 0
	out.Reset()
	if err := r.Write(&out, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	_, values = parse(t, out.String())
	for name, want := range map[string]float64{"Sends": 1, "Opens": 0, "PreviewQueueDepth": 0, "LiveStreams": 2} {
		if values[name] != want {
			t.Errorf("second interval: %s = %v; want %v", name, values[name], want)
		}
	}
	if _, ok := values["DynamoDBLatency"]; ok {
		t.Error("a latency metric with no calls in the interval was written")
	}
}

// TestRunWritesEachIntervalAndAtTheEnd: the line at shutdown keeps the
// last interval's counts.
func TestRunWritesEachIntervalAndAtTheEnd(t *testing.T) {
	r := metrics.New("ImageApp", map[string]string{"Service": "imageapp"})
	r.Count("Sends", 4)
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.Run(ctx, &out, time.Hour, time.Now, func(err error) { t.Error(err) })
	_, values := parse(t, out.String())
	if values["Sends"] != float64(4) {
		t.Errorf("the last line says Sends = %v; want 4", values["Sends"])
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
