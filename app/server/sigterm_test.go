package server

import (
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMAnswersALongUploadAndExitsZero: a deploy's SIGTERM reaches the
// real server binary while an upload is stalled half-way. The upload, which
// cannot finish within the drain, is answered with a retryable 503 (not a
// reset), nothing of it is stored, and the process exits with code 0.
func TestSIGTERMAnswersALongUploadAndExitsZero(t *testing.T) {
	srv := startProcess(t, buildApp(t), "IMAGEAPP_DRAIN_SECONDS=2")
	alice, _ := srv.signUp("alice"), srv.signUp("bob")

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	img := testPNG(t, 400, 400)
	go func() {
		mw.WriteField("to", "bob")
		fw, _ := mw.CreateFormFile("image", "slow.png")
		fw.Write(img[:len(img)/2])
		srv.waitForUpload(t)                                // the server is streaming it into the blob store
		must(t, srv.in.cmd.Process.Signal(syscall.SIGTERM)) // when the deploy begins
		time.Sleep(30 * time.Second)                        // and the rest never comes in time
		pw.CloseWithError(io.ErrClosedPipe)
	}()
	req, _ := http.NewRequest(http.MethodPost, srv.server.URL+"/api/messages", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := alice.http.Do(req)
	if err != nil {
		t.Fatalf("the stalled upload got no answer, only %v; want a 503\n%s", err, srv.in.logs.w.(*strings.Builder).String())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("the stalled upload: %d (Retry-After %q) %s; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}

	select {
	case <-srv.in.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not exit within 20 s of SIGTERM")
	}
	if code := srv.in.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("the server exited with code %d; want 0\n%s", code, srv.in.logs.w.(*strings.Builder).String())
	}
	var messages int
	must(t, srv.db.QueryRow(`SELECT count(*) FROM messages`).Scan(&messages))
	var blobs []string
	filepath.WalkDir(filepath.Join(srv.dir, "blobs"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			blobs = append(blobs, path)
		}
		return nil
	})
	if messages != 0 || len(blobs) != 0 {
		t.Errorf("after the cut upload: %d messages and blob files %v; want nothing stored", messages, blobs)
	}
}

// waitForUpload waits until an upload is being written into the blob
// store (its temp file exists), so that a request is surely in flight.
func (p *process) waitForUpload(t *testing.T) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		found := false
		filepath.WalkDir(filepath.Join(p.dir, "blobs"), func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				found = true
			}
			return nil
		})
		if found {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("no upload reached the blob store within 20 s")
}
