package web

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// Request bodies must keep coming. Only headers have a server timeout
// (ReadHeaderTimeout): an absolute one for bodies would cut off honest slow
// uploads of large images, and none at all lets a client hold a connection
// (and its goroutine and buffers) forever by sending a byte now and then.
// So the read deadline moves with the data: bodyGrace to start, plus time in
// proportion to the bytes received at bodyMinRate, never more than bodyStall
// ahead. Time the server itself spends between reads is not the client's.
type Pace struct {
	Grace   time.Duration // before the deadline counts bytes
	MinRate int64         // bytes per second a body must average
	Stall   time.Duration // the most a sender can be silent, however much it sent
}

// DefaultPace lets a phone on a poor link (32 kbit/s) send 20 MiB, in 85
// minutes, and frees a stalled connection within a minute; holding one for
// an hour costs a client 14 MiB sent.
func DefaultPace() Pace {
	return Pace{Grace: 30 * time.Second, MinRate: 4 << 10, Stall: time.Minute}
}

// paceSlack is how far the connection's deadline may trail the computed one.
const paceSlack = 2 * time.Second

// errSlowBody is the error a request body's reader gets when it timed out.
var errSlowBody = &StatusError{http.StatusRequestTimeout, "timeout", "The upload was too slow and timed out. Try again on a better connection."}

func (s *Server) paceBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &pacedBody{body: r.Body, rc: http.NewResponseController(w), pace: s.pace,
				deadline: time.Now().Add(s.pace.Grace), h2: r.ProtoMajor == 2}
		}
		next.ServeHTTP(w, r)
	})
}

type pacedBody struct {
	body     io.ReadCloser
	rc       *http.ResponseController
	pace     Pace
	deadline time.Time // when the body must have come this far
	set      time.Time // the connection's read deadline, at most paceSlack after deadline
	returned time.Time // when the last Read returned: the server's time starts
	h2       bool      // HTTP/2: the deadline is a timer that fires even between reads
	done     bool
}

func (p *pacedBody) Read(b []byte) (int, error) {
	if p.done {
		return p.body.Read(b)
	}
	now := time.Now()
	if !p.returned.IsZero() {
		p.deadline = p.deadline.Add(now.Sub(p.returned))
	}
	// Moving the connection's deadline takes a lock and a timer update; a
	// body comes in thousands of small reads, so move it only when it would
	// fire before ours, and then a little past it (at most paceSlack late).
	if p.h2 || p.deadline.After(p.set) {
		p.set = p.deadline.Add(paceSlack)
		if err := p.rc.SetReadDeadline(p.set); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return 0, err
		}
	}
	n, err := p.body.Read(b)
	p.returned = time.Now()
	if p.h2 {
		// An HTTP/2 deadline ends the stream when it passes, read or not:
		// lift it between reads, or the server's own pauses (a slow store)
		// would be charged to the client.
		_ = p.rc.SetReadDeadline(time.Time{}) // fails only where setting it failed too
	}
	p.deadline = p.deadline.Add(time.Duration(n) * time.Second / time.Duration(p.pace.MinRate))
	if limit := p.returned.Add(p.pace.Stall); p.deadline.After(limit) {
		p.deadline = limit
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, errSlowBody
	}
	if err != nil {
		// The body is over (or broken): lift the deadline, so the server's
		// own read that watches the idle connection does not time out and
		// cancel the request while the handler is still working.
		p.done = true
		_ = p.rc.SetReadDeadline(time.Time{}) // fails only where it was never set
	}
	return n, err
}

func (p *pacedBody) Close() error { return p.body.Close() }

// Responses must keep going too. A client that asks for an image and then
// reads slowly, or not at all, would otherwise hold the blob file, the
// decryption and the connection for as long as it likes: a write blocks
// once the socket's buffers are full, and the server has no write timeout
// (an absolute one would cut off honest slow downloads of large images).
// So the write deadline moves with the data, by the same Pace as bodies:
// Grace to start, then time in proportion to the bytes sent at MinRate,
// never more than Stall ahead of the last write that got through. Time the
// server spends between writes (reading, decrypting) is not the client's.

// errSlowReader is what a write that timed out becomes.
var errSlowReader = errors.New("web: the client stopped reading the response")

// IsSlowReader tells a write that PaceWrites cut because the client stopped
// reading.
func IsSlowReader(err error) bool { return errors.Is(err, errSlowReader) }

// pacedWriter writes a response body under a moving write deadline.
type pacedWriter struct {
	w        io.Writer
	rc       *http.ResponseController
	pace     Pace
	deadline time.Time // when the response must have come this far
	returned time.Time // when the last Write returned
	h2       bool      // HTTP/2: the deadline is a timer that fires even between writes
}

// PaceWrites returns w's body writer under a moving write deadline.
func (s *Server) PaceWrites(w http.ResponseWriter, r *http.Request) io.Writer {
	return &pacedWriter{w: w, rc: http.NewResponseController(w), pace: s.pace,
		deadline: time.Now().Add(s.pace.Grace), h2: r.ProtoMajor == 2}
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	now := time.Now()
	if !p.returned.IsZero() {
		p.deadline = p.deadline.Add(now.Sub(p.returned))
	}
	if err := p.rc.SetWriteDeadline(p.deadline); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	n, err := p.w.Write(b)
	p.returned = time.Now()
	if p.h2 {
		// As for bodies: an HTTP/2 deadline ends the stream when it passes,
		// written or not, so lift it while the server works.
		_ = p.rc.SetWriteDeadline(time.Time{})
	}
	p.deadline = p.deadline.Add(time.Duration(n) * time.Second / time.Duration(p.pace.MinRate))
	if limit := p.returned.Add(p.pace.Stall); p.deadline.After(limit) {
		p.deadline = limit
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, errSlowReader
	}
	return n, err
}
