package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"imageapp/app/server"
)

// TestJSONLogsAreOneObjectPerLine serves requests from the app wired as
// main wires it with IMAGEAPP_LOG_FORMAT=json: every line written,
// start-up and access lines alike, is one JSON object with slog's keys.
func TestJSONLogsAreOneObjectPerLine(t *testing.T) {
	cfg, err := server.ConfigFromEnv(func(k string) string {
		return map[string]string{"IMAGEAPP_LOG_FORMAT": "json", "IMAGEAPP_DATA_DIR": t.TempDir(), "IMAGEAPP_REACT_DIR": t.TempDir()}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	app, err := server.Open(context.Background(), cfg, slog.New(logHandler(cfg.LogFormat, &out)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for _, path := range []string{"/healthz", "/readyz", "/messages/01SECRET"} {
		app.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	access := 0
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not one JSON object: %v", line, err)
		}
		if rec["time"] == nil || rec["level"] == nil || rec["msg"] == nil {
			t.Errorf("log line %q lacks time, level or msg", line)
		}
		if rec["msg"] == "request" {
			access++
			if id, _ := rec["request_id"].(string); id == "" {
				t.Errorf("access line %q has no request_id", line)
			}
		}
	}
	if access != 3 {
		t.Errorf("%d access lines for 3 requests:\n%s", access, out.String())
	}
	if strings.Contains(out.String(), "01SECRET") {
		t.Errorf("the log shows a request's path:\n%s", out.String())
	}
}
