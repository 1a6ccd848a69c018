package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// metricsLine writes the app's metrics line now and reads it back.
func metricsLine(t *testing.T, app *testApp) map[string]any {
	t.Helper()
	var line bytes.Buffer
	if err := app.app.Metrics().Write(&line, time.Now()); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(line.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, line.String())
	}
	return got
}

// TestMetricsCountStreamsAndRefusals: what only the web layer sees reaches
// the metrics line: the open event streams as a level that goes down as
// they close, and every refusal with 429 as a count.
func TestMetricsCountStreamsAndRefusals(t *testing.T) {
	app := startApp(t, t.TempDir())
	bob := app.signUp("bob")
	var streams []*sseStream
	for range 16 {
		s := bob.stream("/api/events", nil)
		s.connected(true)
		streams = append(streams, s)
	}
	if r := bob.get("/api/events"); r.status != http.StatusTooManyRequests {
		t.Fatalf("a 17th stream: %d, want 429", r.status)
	}
	got := metricsLine(t, app)
	if got["LiveStreams"] != float64(16) || got["LimitRefusals"] != float64(1) {
		t.Fatalf("metrics: LiveStreams %v, LimitRefusals %v; want 16 and 1", got["LiveStreams"], got["LimitRefusals"])
	}
	for _, s := range streams[:3] {
		s.resp.Body.Close()
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got = metricsLine(t, app)
		if got["LiveStreams"] == float64(13) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after closing 3 of 16 streams, LiveStreams = %v; want 13", got["LiveStreams"])
		}
	}
}
