package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestFlushedAnswerIsWhole: a send's JSON answer carries its length, so
// once FlushAnswer has run the client has all of it, while the handler
// (and its middleware, here the compression) has not returned yet; a
// chunked answer would end only when they do.
func TestFlushedAnswerIsWhole(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler)}
	read := make(chan struct{})
	srv := httptest.NewServer(s.compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answered := make(chan struct{})
		s.JSON(w, r, http.StatusCreated, map[string]string{"id": "m1"})
		FlushAnswer(w, answered)
		select { // the handler's tail: it ends only once the client has the answer
		case <-read:
		case <-time.After(5 * time.Second):
		}
	})))
	defer srv.Close()

	start := time.Now()
	resp, err := srv.Client().Post(srv.URL, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	close(read)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited >= 5*time.Second {
		t.Errorf("the client had the flushed answer only when the handler returned (%v)", waited)
	}
	if resp.ContentLength != int64(len(body)) || string(body) != "{\"id\":\"m1\"}\n" {
		t.Errorf("answer %q with Content-Length %d; want the JSON with its length", body, resp.ContentLength)
	}
}
