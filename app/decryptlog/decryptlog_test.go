package decryptlog_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"testing"
	"time"

	"imageapp/app/decryptlog"
	"imageapp/app/imageapp"
)

var update = flag.Bool("update", false, "rewrite testdata/vector.json")

// vectorKey signs the test vector, which react/src/lib/decryptrecord.test.js
// verifies too: both read testdata/vector.json.
var vectorKey = ed25519.NewKeyFromSeed([]byte("imageapp decrypt record vector!!"))

// vectorPage is three entries of bob's record: a preview, a view from a
// session with a non-ASCII device name, and an export.
func vectorPage() decryptlog.Page {
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	msgCtx := map[string]string{"app": "imageapp", "message_id": "m1", "sender_id": "alice-id", "recipient_id": "bob-id"}
	entries, head := decryptlog.Chain(vectorKey, "bob-id", imageapp.DecryptHead{UserID: "bob-id"}, []imageapp.DecryptEntry{
		{At: at, MessageID: "m1", By: imageapp.JobAsker(imageapp.JobPreview), Purpose: imageapp.PurposePreview, Context: msgCtx},
		{At: at.Add(time.Minute), MessageID: "m1", By: imageapp.Asker{UserID: "bob-id", Username: "bob", Session: "s1", Device: "Chrome on Mac — ünïcode"},
			Purpose: imageapp.PurposeView, Context: msgCtx},
		{At: at.Add(26 * time.Hour), MessageID: imageapp.RecordPreviews, By: imageapp.Asker{UserID: "bob-id", Username: "bob", Session: "s1"},
			Purpose: imageapp.PurposePreviewKey, Context: map[string]string{"app": "imageapp", "user_id": "bob-id", "purpose": "thumbnails"}},
	})
	for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
		entries[i], entries[j] = entries[j], entries[i] // newest first
	}
	return decryptlog.NewPage(vectorKey.Public().(ed25519.PublicKey), head, entries)
}

func TestVectorIsStable(t *testing.T) {
	got, err := json.MarshalIndent(vectorPage(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile("testdata/vector.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/vector.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the canonical encoding changed: the test vector (and every stored record) no longer verifies; got\n%s", got)
	}
}

func decode(t *testing.T, p decryptlog.Page) (ed25519.PublicKey, imageapp.DecryptHead, []imageapp.DecryptEntry) {
	t.Helper()
	key, err := p.Key()
	if err != nil {
		t.Fatal(err)
	}
	head, entries, err := p.Decode()
	if err != nil {
		t.Fatal(err)
	}
	return key, head, entries
}

func TestAnUntouchedPageVerifies(t *testing.T) {
	key, head, entries := decode(t, vectorPage())
	if err := decryptlog.Verify(key, head, entries); err != nil {
		t.Fatal(err)
	}
	if err := decryptlog.Verify(key, head, entries[:2]); err != nil {
		t.Fatalf("the newest two entries alone: %v", err)
	}
}

// TestTamperingSaysWhere edits, removes, reorders and re-signs entries and
// checks that Verify names the entry where the chain breaks.
func TestTamperingSaysWhere(t *testing.T) {
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name   string
		tamper func(h *imageapp.DecryptHead, es *[]imageapp.DecryptEntry)
		key    ed25519.PublicKey
		seq    int64
	}{
		{"an edited device", func(h *imageapp.DecryptHead, es *[]imageapp.DecryptEntry) { (*es)[1].By.Device = "Firefox on Linux" }, nil, 2},
		{"an edited time", func(h *imageapp.DecryptHead, es *[]imageapp.DecryptEntry) { (*es)[2].At = (*es)[2].At.Add(time.Hour) }, nil, 1},
		{"an edited entry rehashed", func(h *imageapp.DecryptHead, es *[]imageapp.DecryptEntry) {
			e := &(*es)[1]
			e.Purpose = imageapp.PurposePreview
			e.Hash = decryptlog.HashEntry("bob-id", *e)
		}, nil, 2},
		{"a removed entry", func(h *imageapp.DecryptHead, es *[]imageapp.DecryptEntry) {
			*es = append((*es)[:1:1], (*es)[2:]...)
		}, nil, 2},
		{"a removed newest entry", func(h *imageapp.DecryptHead, es *[]imageapp.DecryptEntry) { *es = (*es)[1:] }, nil, 3},
		{"a head signed by another key", func(h *imageapp.DecryptHead, es *[]imageapp.DecryptEntry) {
			h.Signature = ed25519.Sign(other, decryptlog.HeadBytes(*h))
		}, nil, 3},
		{"a page checked with another key", func(*imageapp.DecryptHead, *[]imageapp.DecryptEntry) {}, other.Public().(ed25519.PublicKey), 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, head, entries := decode(t, vectorPage())
			tc.tamper(&head, &entries)
			if tc.key != nil {
				key = tc.key
			}
			err := decryptlog.Verify(key, head, entries)
			var b *decryptlog.BreakError
			if !errors.As(err, &b) || b.Seq != tc.seq {
				t.Fatalf("Verify = %v; want a break at entry %d", err, tc.seq)
			}
		})
	}
}

func TestDaysGroupNewestFirstInWords(t *testing.T) {
	_, _, entries := decode(t, vectorPage())
	days := decryptlog.Days("bob-id", entries, map[string]string{"m1": "'beach.jpg'"}, time.UTC)
	if len(days) != 2 || days[0].Title != "Tuesday 8 December 2026" || days[1].Title != "Monday 7 December 2026" {
		t.Fatalf("days = %+v; want Tuesday then Monday", days)
	}
	var got []string
	for _, d := range days {
		for _, l := range d.Lines {
			got = append(got, l.Time+" "+l.Phrase)
		}
	}
	want := []string{"11:30 You opened the previews of the list", "09:31 You, Chrome on Mac — ünïcode, viewed 'beach.jpg'", "09:30 Preview made for your inbox"}
	if len(got) != len(want) {
		t.Fatalf("lines = %q; want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %q; want %q", i, got[i], want[i])
		}
	}
}
