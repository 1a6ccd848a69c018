package server

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestAWSModeExport: the export on the AWS backend (S3, KMS, DynamoDB on
// the emulators): every image both ways, bytes and captions intact.
func TestAWSModeExport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	app := startAWSApp(t, ctx, "export", nil)
	app.signUp("alice")
	app.signUp("bob")
	alice, bob := app.login("alice"), app.login("bob")
	toBob, fromBob := testPNG(t, 40, 30), testPNG(t, 30, 40)
	sendCaptioned(t, alice, "bob", "to bob", "a.png", toBob)
	sendCaptioned(t, bob, "alice", "to alice", "b.png", fromBob)

	r := alice.postForm("/api/me/export", nil)
	if r.status != 200 {
		t.Fatalf("export: %d %.200s", r.status, r.body)
	}
	files, idx := openExport(t, []byte(r.body))
	if !idx.Complete || idx.Count != 2 || len(idx.Messages) != 2 {
		t.Fatalf("index: complete %v, count %d, %d entries; want complete with 2", idx.Complete, idx.Count, len(idx.Messages))
	}
	for _, m := range idx.Messages {
		want, caption := toBob, "to bob"
		if m.Direction == "received" {
			want, caption = fromBob, "to alice"
		}
		if m.Path == nil || !bytes.Equal(files[*m.Path], want) || m.Caption != caption {
			t.Errorf("%s image: path %v, %d bytes, caption %q; want the sent bytes and %q", m.Direction, m.Path, len(files[deref(m.Path)]), m.Caption, caption)
		}
	}
}
