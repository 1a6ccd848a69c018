package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/local"
)

// injected is what a port returns when the kit fails it.
var injected = errors.New("injected: service unreachable")

// TestSendFaults fails each step of a send in turn: the sender gets a clear
// error, and nothing is left half-written — no blob without metadata, no
// metadata without a blob, no temp file. A failed notification alone does
// not fail the send.
func TestSendFaults(t *testing.T) {
	var kit *imageapptest.Kit
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) { kit = imageapptest.Wrap(p) })
	alice := app.signUp("alice")
	app.signUp("bob")
	img := testPNG(t, 300, 200) // several segments, so a mid-stream failure is mid-stream

	steps := []struct {
		name    string
		around  imageapptest.Around
		stream  imageapptest.Stream
		status  int
		message string
	}{
		{"key service", imageapptest.FailOn(imageapptest.GenerateDataKey, injected), nil, 500, "Something went wrong"},
		{"disk full while writing the blob", nil,
			imageapptest.BreakAfter(imageapptest.PutBlob, 100<<10, fmt.Errorf("write blob: %w", syscall.ENOSPC)), 503, "disk is full"},
		{"read-only data dir", nil,
			imageapptest.BreakAfter(imageapptest.PutBlob, 0, fmt.Errorf("write blob: %w", syscall.EROFS)), 503, "cannot write its data"},
		{"metadata store", imageapptest.FailOn(imageapptest.CreateMessage, injected), nil, 500, "Something went wrong"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			kit.Set(st.around, st.stream)
			defer kit.Set(nil, nil)
			r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img))
			if r.status != st.status || !strings.Contains(r.body, st.message) {
				t.Fatalf("got %d %s, want %d with %q", r.status, r.body, st.status, st.message)
			}
			assertStored(t, app, 0)
		})
	}

	t.Run("notification", func(t *testing.T) {
		kit.Set(imageapptest.FailOn(imageapptest.Notify, injected), nil)
		defer kit.Set(nil, nil)
		r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", "a.png", img))
		if r.status != http.StatusCreated {
			t.Fatalf("a failed notification failed the send: %d %s", r.status, r.body)
		}
		assertStored(t, app, 1)
		if !strings.Contains(app.logText(), "notification failed") {
			t.Errorf("the failed notification was not logged")
		}
	})
}

// TestOpenFaults: a key service or blob store that fails while opening gives
// an error page, not a broken image.
func TestOpenFaults(t *testing.T) {
	var kit *imageapptest.Kit
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) { kit = imageapptest.Wrap(p) })
	alice := app.signUp("alice")
	bob := app.signUp("bob")
	id := sendAPI(t, alice, "bob", testPNG(t, 10, 10))
	for _, op := range []imageapptest.Op{imageapptest.Decrypt, imageapptest.GetBlob} {
		kit.Set(imageapptest.FailOn(op, injected), nil)
		for _, path := range []string{"/messages/" + id + "/image", "/api/messages/" + id + "/image"} {
			r := bob.get(path)
			if r.status != http.StatusInternalServerError || !strings.Contains(r.body, "Something went wrong") {
				t.Errorf("GET %s with a failing backend: %d %s", path, r.status, r.body)
			}
		}
		kit.Set(nil, nil)
	}
	if r := bob.get("/api/messages/" + id + "/image"); r.status != http.StatusOK {
		t.Fatalf("after the faults clear the image opens again: %d", r.status)
	}
}

// assertStored checks the store holds exactly n messages, each with its
// blob, and no other blob or temp file.
func assertStored(t *testing.T, app *testApp, n int) {
	t.Helper()
	db := app.db
	var count int
	must(t, db.QueryRow(`SELECT count(*) FROM messages`).Scan(&count))
	var blobs []string
	must(t, app.backend.Blobs.ListBlobs(context.Background(), func(b imageapp.BlobInfo) error {
		blobs = append(blobs, b.Key)
		return nil
	}))
	if count != n || len(blobs) != n {
		t.Fatalf("%d messages and %d blobs stored, want %d of each", count, len(blobs), n)
	}
	for _, key := range blobs {
		var exists int
		must(t, db.QueryRow(`SELECT count(*) FROM messages WHERE id = ?`, key).Scan(&exists))
		if exists != 1 {
			t.Fatalf("blob %s has no message", key)
		}
	}
	if tmps, _ := filepath.Glob(filepath.Join(app.dir, "blobs", "*", ".tmp-*")); len(tmps) > 0 {
		t.Fatalf("temp files left behind: %v", tmps)
	}
}

// TestNoSecretsInLogs captures every log line of a full flow and looks for
// each secret it handled: passwords, codes, session cookies, keys.
func TestNoSecretsInLogs(t *testing.T) {
	dir := t.TempDir()
	app := startApp(t, dir)
	alice := app.signUp("alice")
	bob := app.signUp("bob")
	id := sendAPI(t, alice, "bob", testPNG(t, 12, 12))
	bob.get("/messages/" + id)
	bob.get("/messages/" + id + "/image")
	bob.postJSON("/api/login", map[string]string{"username": "bob", "password": "a wrong password"})
	// Wrong codes that reach the code check, which reads them: for an account
	// that waits for confirmation with a code of its own, and for a reset.
	// (bob is confirmed: a code for him proves nothing about logging.)
	carol := app.client()
	carol.postJSON("/api/signup", map[string]string{"username": "carol", "email": "carol@example.com", "password": "correct horse battery"})
	wrongConfirm := otherCode(app.codeFor("carol@example.com"))
	if r := carol.postJSON("/api/verify", map[string]string{"username": "carol", "code": wrongConfirm}); r.status != http.StatusBadRequest {
		t.Fatalf("a wrong confirmation code: %d %s", r.status, r.body)
	}
	bob.postJSON("/api/password/forgot", map[string]string{"username": "bob"})
	wrongReset := otherCode(app.codeFor("bob@example.com"))
	if r := bob.postJSON("/api/password/reset", map[string]string{"username": "bob", "code": wrongReset, "password": "another long password"}); r.status != http.StatusBadRequest {
		t.Fatalf("a wrong reset code: %d %s", r.status, r.body)
	}
	var counted int
	must(t, app.db.QueryRow(`SELECT count(*) FROM code_tries WHERE failures > 0 AND source != ''`).Scan(&counted))
	if counted != 2 {
		t.Fatalf("%d sources charged with wrong codes, want 2: the wrong codes did not reach the check", counted)
	}
	alice.postForm("/logout", nil)

	secrets := map[string]string{"password": "correct horse battery", "wrong password": "a wrong password",
		"new password": "another long password", "wrong confirmation code": wrongConfirm, "wrong reset code": wrongReset}
	paths, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	for _, p := range paths {
		raw, _ := os.ReadFile(p)
		if m := codePattern.FindStringSubmatch(string(raw)); m != nil {
			secrets["code "+m[1]] = m[1]
		}
	}
	for i, c := range append(bob.cookies(), alice.cookies()...) {
		secrets[fmt.Sprintf("session cookie %d", i)] = c.Value
	}
	var s local.Secrets
	raw, err := os.ReadFile(filepath.Join(dir, "secrets.json"))
	must(t, err)
	must(t, json.Unmarshal(raw, &s))
	for name, key := range map[string][]byte{"master key": s.MasterKey, "session hash key": s.Hash,
		"session block key": s.Block, "code pepper": s.CodePepper} {
		secrets[name+" (base64)"] = base64.StdEncoding.EncodeToString(key)
		secrets[name+" (hex)"] = hex.EncodeToString(key)
	}
	var wrapped []byte
	must(t, app.db.QueryRow(`SELECT wrapped_key FROM messages WHERE id = ?`, id).Scan(&wrapped))
	secrets["wrapped data key (base64)"] = base64.StdEncoding.EncodeToString(wrapped)
	secrets["wrapped data key (hex)"] = hex.EncodeToString(wrapped)

	logs := app.logText()
	if len(logs) < 200 || !strings.Contains(logs, "message sent") {
		t.Fatalf("too little was logged to judge: %q", logs)
	}
	for name, secret := range secrets {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the logs contain the %s", name)
		}
	}
}

// TestClientGoneIsNotAnError: a client that leaves while its send waits on
// the key service is logged as gone, not as a server error, and the send
// leaves nothing behind.
func TestClientGoneIsNotAnError(t *testing.T) {
	waiting := make(chan struct{})
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) {
		// The key service hangs until the request ends.
		imageapptest.Wrap(p).Set(func(ctx context.Context, op imageapptest.Op, next func() error) error {
			if op != imageapptest.GenerateDataKey {
				return next()
			}
			waiting <- struct{}{}
			<-ctx.Done()
			return fmt.Errorf("injected: generate data key: %w", ctx.Err())
		}, nil)
	})
	alice := app.signUp("alice")
	app.signUp("bob")

	ctx, cancel := context.WithCancel(context.Background())
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	must(t, mw.WriteField("to", "bob"))
	fw, _ := mw.CreateFormFile("image", "a.png")
	fw.Write(testPNG(t, 8, 8))
	must(t, mw.Close())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, app.server.URL+"/api/messages", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	done := make(chan error, 1)
	go func() {
		resp, err := alice.http.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-waiting // the send is waiting on the key service
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's request: %v, want it canceled", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(app.logText(), "client went away") {
		if time.Now().After(deadline) {
			t.Fatalf("the server never noted the client leaving: %s", app.logText())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if logs := app.logText(); strings.Contains(logs, "level=ERROR") {
		t.Fatalf("a client leaving was logged as an error:\n%s", logs)
	}
	var n int
	must(t, app.db.QueryRow(`SELECT count(*) FROM messages`).Scan(&n))
	if n != 0 {
		t.Fatalf("%d messages stored by a canceled send", n)
	}
}

// TestFailedFormIsLoggedOnce: a form that fails on our side is logged once,
// not once per piece of the page that describes the error.
func TestFailedFormIsLoggedOnce(t *testing.T) {
	var kit *imageapptest.Kit
	app := startAppWrapped(t, t.TempDir(), func(p *imageapp.Ports) { kit = imageapptest.Wrap(p) })
	alice := app.signUp("alice")
	app.signUp("bob")
	kit.Set(imageapptest.FailOn(imageapptest.GenerateDataKey, injected), nil)
	for _, path := range []string{"/send", "/api/messages"} {
		before := strings.Count(app.logText(), "request failed")
		r := alice.postMultipart(path, field("to", "bob"), file("image", "a.png", testPNG(t, 8, 8)))
		if r.status != http.StatusInternalServerError {
			t.Fatalf("POST %s with the key service down: %d, want 500", path, r.status)
		}
		if n := strings.Count(app.logText(), "request failed") - before; n != 1 {
			t.Errorf("POST %s: the failure was logged %d times, want once:\n%s", path, n, app.logText())
		}
	}
}
