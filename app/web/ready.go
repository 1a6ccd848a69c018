package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"imageapp/app/imageapp"
)

// GET /healthz is liveness: the process is up and serving. GET /readyz is
// readiness: the dependencies answer, so the load balancer may send this
// instance traffic. Readiness failing takes the instance out of the
// balancer; only liveness failing gets it restarted, so a dependency's
// outage does not restart every instance at once.

const (
	// readyEvery is how long one round of checks stands: every node of a
	// load balancer polling every few seconds costs at most one round per
	// period.
	readyEvery = 5 * time.Second
	// readyTimeout bounds each check; an ALB waits 5 s for the answer.
	readyTimeout = 2 * time.Second
	// readyRetry is the Retry-After of a 503 from /readyz.
	readyRetry = 5 * time.Second
)

// readiness runs the checks at most once per readyEvery and keeps the answer.
type readiness struct {
	checks []imageapp.Check
	log    *slog.Logger
	now    func() time.Time

	mu   sync.Mutex // held during a round: callers meanwhile wait for its answer
	at   time.Time
	last *readyAnswer
}

// readyAnswer is the body of /readyz. Checks maps each dependency to "ok"
// or a short reason ("unavailable", "timeout"); the full error is logged.
type readyAnswer struct {
	Ready    bool              `json:"ready"`
	Draining bool              `json:"draining,omitempty"`
	Checks   map[string]string `json:"checks"`
}

// answer is the answer of the last round, or of a new round if it is older
// than readyEvery.
func (rd *readiness) answer(ctx context.Context) readyAnswer {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.last != nil && rd.now().Sub(rd.at) < readyEvery {
		return *rd.last
	}
	// A caller that hangs up must not turn the cached round into timeouts.
	ctx = context.WithoutCancel(ctx)
	results := make([]error, len(rd.checks))
	var wg sync.WaitGroup
	for i, c := range rd.checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, readyTimeout)
			defer cancel()
			results[i] = c.Run(ctx)
		})
	}
	wg.Wait()
	a := readyAnswer{Ready: true, Checks: make(map[string]string, len(rd.checks))}
	for i, c := range rd.checks {
		a.Checks[c.Name] = "ok"
		if err := results[i]; err != nil {
			a.Ready = false
			a.Checks[c.Name] = readyReason(err)
			rd.log.WarnContext(ctx, "not ready", "check", c.Name, "err", err)
		}
	}
	rd.at, rd.last = rd.now(), &a
	return a
}

// readyReason is what /readyz says of a failed check: a word, never the
// error's text (which may name resources or carry a server's message).
func readyReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "unavailable"
}

// readyz answers GET /readyz: 200 when every check passed, else 503 with
// Retry-After. A draining server is not ready whatever its checks say.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	var a readyAnswer
	if s.drain.draining() {
		a = readyAnswer{Draining: true, Checks: map[string]string{}}
	} else {
		a = s.ready.answer(r.Context())
	}
	status := http.StatusOK
	if !a.Ready {
		w.Header().Set("Retry-After", strconv.Itoa(int(readyRetry/time.Second)))
		status = http.StatusServiceUnavailable
	}
	s.JSON(w, r, status, a)
}
