package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchShort runs `go run ./app/cmd/bench -short` in-process: every phase
// against a real server on loopback, tiny sizes. It asserts no time (CI
// machines are shared), only that every row was measured: no error, every
// number > 0, and the Markdown written by -out has every row.
func TestBenchShort(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bench.md")
	rep, err := runBench(context.Background(), benchOptions{Short: true, DataDir: filepath.Join(t.TempDir(), "data"), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Send", "Send", "Send", "Send", "View", "View", "View", "Memory", "Memory",
		"Preview worker peak", "Preview worker peak", "Preview worker peak", "Preview worker peak", "Preview worker peak", "Preview latency",
		"Seed", "Inbox first page", "Inbox page", "Unread count", "Inbox HTML page",
		"Throughput", "Throughput", "AWS calls", "Page weight: first visit", "Page weight: htmx", "Static assets",
		"Page weight: first visit", "Page weight: htmx"}
	if len(rep.Rows) != len(want) {
		t.Errorf("%d rows, want %d", len(rep.Rows), len(want))
	}
	for i, row := range rep.Rows {
		if row.Err != nil {
			t.Errorf("row %d (%s): %v", i+1, row.Measure, row.Err)
			continue
		}
		if i < len(want) && !strings.HasPrefix(row.Measure, want[i]) {
			t.Errorf("row %d is %q, want %q…", i+1, row.Measure, want[i])
		}
		if row.Skip {
			continue
		}
		if len(row.Values) == 0 {
			t.Errorf("row %d (%s) has no numbers", i+1, row.Measure)
		}
		for _, v := range row.Values {
			if !(v > 0) {
				t.Errorf("row %d (%s): number %v, want > 0", i+1, row.Measure, v)
			}
		}
	}
	md := rep.Markdown()
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	if strings.Count(md, "\n| ") < len(rep.Rows)+1 || !strings.Contains(md, "EXPLAIN QUERY PLAN") || !strings.Contains(md, "USING INDEX messages_inbox") {
		t.Errorf("the Markdown misses rows or the query plans:\n%s", md)
	}
	// Each inbox list reads an index of its own rows, not all of the inbox.
	for _, want := range []string{"USING INDEX messages_unread", "USING INDEX messages_inbox_read"} {
		if !strings.Contains(md, want) {
			t.Errorf("no query plan says %q", want)
		}
	}
	t.Logf("\n%s", md)
}

// TestBenchMainFlags: the command parses its flags and writes -out.
func TestBenchMainFlags(t *testing.T) {
	if benchMain([]string{"-no-such-flag"}) != 2 {
		t.Error("an unknown flag should exit 2")
	}
	out := filepath.Join(t.TempDir(), "bench.md")
	if code := benchMain([]string{"-short", "-only", "aws,pages", "-out", out}); code != 0 {
		t.Fatalf("bench -short -only aws,pages exited %d", code)
	}
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Page weight: first visit") || !strings.Contains(string(md), "AWS calls per operation") {
		t.Errorf("-out file misses rows:\n%s", md)
	}
}
