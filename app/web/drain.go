package web

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"imageapp/app/imageapp"
)

// A deploy drains an instance: BeginDrain refuses new sends at once with a
// retryable 503 (the client sends again, to another instance), while sends
// already uploading go on; CutUploads, near the end of the drain, stops
// those still uploading, and they get the same 503 instead of a reset when
// the server closes. A cut send fails like any failed send, so the service
// discards what it had stored of it.

// drainRetry is the Retry-After of a send refused for a drain: by then the
// load balancer sends the retry to another instance.
const drainRetry = 5 * time.Second

// errDraining is the answer to a send refused or cut by a drain.
var errDraining = &imageapp.RetryLater{After: drainRetry, Err: imageapp.Errorf(imageapp.EUNAVAILABLE,
	"This server is restarting, so your image was not sent. Send it again in a few seconds.")}

// errUploadCut is what a cut upload's body reads.
var errUploadCut = errors.New("web: upload cut by the drain")

// drain tracks the uploads in flight and the drain's two steps.
type drain struct {
	began chan struct{} // closed by BeginDrain
	cut   chan struct{} // closed by CutUploads
	begin func()
	end   func()

	mu      sync.Mutex
	uploads map[*drainBody]struct{}
}

func newDrain() *drain {
	d := &drain{began: make(chan struct{}), cut: make(chan struct{}), uploads: map[*drainBody]struct{}{}}
	d.begin = sync.OnceFunc(func() { close(d.began) })
	d.end = sync.OnceFunc(d.cutAll)
	return d
}

// BeginDrain refuses new sends from now on (503 with Retry-After); sends
// in flight go on. Call it when the server is told to stop.
func (s *Server) BeginDrain() { s.drain.begin() }

// CutUploads ends the uploads still in flight (and refuses new ones, like
// BeginDrain): each send still reading its image fails and is answered
// with a retryable 503 while the connection can still carry it. Call it
// some seconds before the drain's end, so they have time to answer.
func (s *Server) CutUploads() {
	s.drain.begin()
	s.drain.end()
}

// draining reports whether new sends are refused.
func (d *drain) draining() bool {
	select {
	case <-d.began:
		return true
	default:
		return false
	}
}

// wasCut reports whether uploads in flight were cut.
func (d *drain) wasCut() bool {
	select {
	case <-d.cut:
		return true
	default:
		return false
	}
}

// track wraps an upload's body so that CutUploads can end it, and returns
// the function that forgets it once the send is over.
func (d *drain) track(w http.ResponseWriter, r *http.Request) func() {
	b := &drainBody{body: r.Body, rc: http.NewResponseController(w), cut: d.cut}
	r.Body = b
	d.mu.Lock()
	d.uploads[b] = struct{}{}
	d.mu.Unlock()
	return func() {
		d.mu.Lock()
		delete(d.uploads, b)
		d.mu.Unlock()
	}
}

func (d *drain) cutAll() {
	close(d.cut)
	d.mu.Lock()
	defer d.mu.Unlock()
	for b := range d.uploads {
		// A read blocked on a slow client returns now; the next one sees
		// the cut. (The write deadline is not touched: the 503 still goes.)
		_ = b.rc.SetReadDeadline(time.Now())
	}
}

// drainBody is an upload's body that fails once the drain cuts uploads.
type drainBody struct {
	body io.ReadCloser
	rc   *http.ResponseController
	cut  chan struct{}
}

func (b *drainBody) Read(p []byte) (int, error) {
	select {
	case <-b.cut:
		return 0, errUploadCut
	default:
	}
	n, err := b.body.Read(p)
	if err != nil {
		select {
		case <-b.cut:
			return n, errUploadCut // the deadline the cut set, not the client's fault
		default:
		}
	}
	return n, err
}

func (b *drainBody) Close() error { return b.body.Close() }
