package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const vector = "../../decryptlog/testdata/vector.json"

func TestVerifiesTheVector(t *testing.T) {
	var out bytes.Buffer
	if err := run("", vector, nil, &out); err != nil || !strings.Contains(out.String(), "ok: entries 1 to 3") {
		t.Fatalf("run = %v, %q; want ok for entries 1 to 3", err, out.String())
	}
}

func TestSaysWhichEntryWasEdited(t *testing.T) {
	raw, err := os.ReadFile(vector)
	if err != nil {
		t.Fatal(err)
	}
	var page map[string]any
	if err := json.Unmarshal(raw, &page); err != nil {
		t.Fatal(err)
	}
	page["entries"].([]any)[1].(map[string]any)["purpose"] = "download"
	edited, _ := json.Marshal(page)
	err = run("", "-", bytes.NewReader(edited), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "entry 2") {
		t.Fatalf("run = %v; want a break at entry 2", err)
	}
}

func TestAPinnedKeyRefusesAnotherSigner(t *testing.T) {
	other := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	if err := run(other, vector, nil, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "not signed") {
		t.Fatalf("run with another key = %v; want the head refused", err)
	}
}
