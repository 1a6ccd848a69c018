package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"
)

// sendWithKey is POST /api/messages of one image to "to" with the
// Idempotency-Key header key.
func (c *client) sendWithKey(key, to string, img []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("to", to)
	fw, _ := mw.CreateFormFile("image", "a.png")
	fw.Write(img)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.server.URL+"/api/messages", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Idempotency-Key", key)
	return c.do(req)
}

func sentID(t *testing.T, r response) string {
	t.Helper()
	var sent struct{ Message struct{ ID string } }
	if err := json.Unmarshal([]byte(r.body), &sent); err != nil || sent.Message.ID == "" {
		t.Fatalf("send: %d %s; want a message", r.status, r.body)
	}
	return sent.Message.ID
}

// TestARetriedSendWithTheSameKeyIsStoredOnce: a send retried with its
// Idempotency-Key gets the first answer (201, the same message) and stores
// nothing more; a new key is a new send; a key is the sender's own; a
// malformed key is a 400.
func TestARetriedSendWithTheSameKeyIsStoredOnce(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	img := testPNG(t, 8, 8)
	const key = "6f1c2b0e-7a53-4d1e-9b8e-2f5d3c4a1b00"

	first := alice.sendWithKey(key, "bob", img)
	if first.status != http.StatusCreated {
		t.Fatalf("the first send: %d %s", first.status, first.body)
	}
	retry := alice.sendWithKey(key, "bob", img)
	if retry.status != http.StatusCreated || sentID(t, retry) != sentID(t, first) {
		t.Fatalf("the retry: %d %s; want 201 with the first send's message %s", retry.status, retry.body, sentID(t, first))
	}
	if retry.header.Get("Idempotent-Replayed") != "true" {
		t.Error("the retry's answer does not say it is the first one's (Idempotent-Replayed)")
	}
	assertStored(t, app, 1)

	if id := sentID(t, alice.sendWithKey("another-key", "bob", img)); id == sentID(t, first) {
		t.Error("a send with a new key got the old message")
	}
	if id := sentID(t, bob.sendWithKey(key, "alice", img)); id == sentID(t, first) {
		t.Error("bob's send with alice's key got alice's message")
	}
	assertStored(t, app, 3)
	if r := alice.sendWithKey("has space", "bob", img); r.status != http.StatusBadRequest {
		t.Errorf("a malformed key: %d %s, want 400", r.status, r.body)
	}
}

// TestARetryWhileTheFirstSendRunsIsAConflict: while the first send with a
// key still uploads, a retry with the key gets 409 at once; when the first
// finishes, the retry gets its message; a failed send frees its key.
func TestARetryWhileTheFirstSendRunsIsAConflict(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice := app.signUp("alice")
	app.signUp("bob")
	img := testPNG(t, 100, 100)
	const key = "slow-send"

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("to", "bob")
		fw, _ := mw.CreateFormFile("image", "slow.png")
		fw.Write(img[:len(img)/2])
		time.Sleep(500 * time.Millisecond)
		fw.Write(img[len(img)/2:])
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, app.server.URL+"/api/messages", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Idempotency-Key", key)
	firstDone := make(chan response, 1)
	go func() { firstDone <- alice.do(req) }()

	time.Sleep(200 * time.Millisecond) // the first send has claimed the key and is uploading
	if r := alice.sendWithKey(key, "bob", img); r.status != http.StatusConflict {
		t.Errorf("a retry while the first send runs: %d %s, want 409", r.status, r.body)
	}
	first := <-firstDone
	if first.status != http.StatusCreated {
		t.Fatalf("the first send: %d %s", first.status, first.body)
	}
	if r := alice.sendWithKey(key, "bob", img); r.status != http.StatusCreated || sentID(t, r) != sentID(t, first) {
		t.Errorf("the retry after the first send: %d %s; want its message", r.status, r.body)
	}
	assertStored(t, app, 1)

	if r := alice.sendWithKey("failed-send", "nobody", img); r.status != http.StatusNotFound {
		t.Fatalf("a send to nobody: %d %s, want 404", r.status, r.body)
	}
	if r := alice.sendWithKey("failed-send", "bob", img); r.status != http.StatusCreated {
		t.Errorf("a retry with the key of a failed send: %d %s, want it to run (201)", r.status, r.body)
	}
}
