package main

// Where the time goes: Service.Send and Service.OpenImage on the production
// adapters, without HTTP, one at a time, with every port call timed through
// the shared fault/timing kit (imageapptest).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

// portClock sums the time spent in each port call the kit intercepts.
type portClock struct {
	mu sync.Mutex
	d  map[imageapptest.Op]time.Duration
}

func (c *portClock) around(ctx context.Context, op imageapptest.Op, next func() error) error {
	t0 := time.Now()
	err := next()
	took := time.Since(t0)
	c.mu.Lock()
	c.d[op] += took
	c.mu.Unlock()
	return err
}

func (c *portClock) of(op imageapptest.Op) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.d[op]
}

// timedService is a copy of the app's service over the same adapters, each
// wrapped by the kit so that clock times its calls. The app's own service,
// the one the handler serves with, is not touched.
func (e *benchEnv) timedService() (*messaging.Service, *portClock) {
	svc := *e.svc
	clock := &portClock{d: map[imageapptest.Op]time.Duration{}}
	ports := e.ports
	imageapptest.Wrap(&ports).Set(clock.around, nil)
	svc.Stores = messaging.StoresOf(ports)
	return &svc, clock
}

// breakdownRuns is how many sends/views the attribution averages.
func (e *benchEnv) breakdownRuns() int { return pick(e.o.Short, 2, 10) }

// sendBreakdown times each port Service.Send calls, one send at a time,
// next to a plain durable write of the same bytes: where the send's time
// goes, without HTTP.
func (e *benchEnv) sendBreakdown(ctx context.Context, rep *benchReport) error {
	alice, err := e.users.UserByUsername(ctx, "alice")
	if err != nil {
		return err
	}
	n := e.breakdownRuns()
	var lines []string
	for _, sc := range e.sizes {
		svc, clock := e.timedService()
		svc.Notifying = nil // time the notification here, which the app sends after its response
		var total, plain time.Duration
		for range n {
			runtime.GC()
			t0 := time.Now()
			m, err := svc.Send(ctx, alice, messaging.SendInput{To: "bob", Filename: "bench.png", Body: bytes.NewReader(sc.png)})
			total += time.Since(t0)
			if err != nil {
				return fmt.Errorf("send breakdown: %w", err)
			}
			e.svc.Previewing.Wait() // untimed: its preview, queued at once (no answer to wait for), is not the next run's
			if err := e.svc.Delete(ctx, alice, m.ID); err != nil {
				return err
			}
			runtime.GC()
			t0 = time.Now()
			if err := storeDurably(e.baseDir, "breakdown", bytes.NewReader(sc.png), true); err != nil {
				return err
			}
			plain += time.Since(t0)
		}
		lines = append(lines, sendBreakdownLine(sc, n, clock, total, plain))
	}
	os.Remove(filepath.Join(e.baseDir, "breakdown"))
	rep.Notes = append(rep.Notes, fmt.Sprintf("**Where a send's time goes** (`Service.Send` on the production adapters, "+
		"each port call timed, no HTTP, one at a time, mean of %d):\n\n"+
		"| image | Send | PutBlob (the upload streamed through the strip and the encryption into a temp file, fsync, rename) | Notify (outbox mail, fsynced; the app sends it after answering) | CreateMessage (SQLite) | GenerateDataKey | rest (lookups, sniffing, sealing) | plain durable write of the same bytes |\n"+
		"|---|---|---|---|---|---|---|---|\n%s", n, strings.Join(lines, "\n")))
	return nil
}

func sendBreakdownLine(sc sizeCase, n int, clock *portClock, total, plain time.Duration) string {
	avg := func(d time.Duration) string { return fmtDur(d / time.Duration(n)) }
	put, notify := clock.of(imageapptest.PutBlob), clock.of(imageapptest.Notify)
	create, gen := clock.of(imageapptest.CreateMessage), clock.of(imageapptest.GenerateDataKey)
	rest := total - put - notify - create - gen
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s |", sc.label, avg(total), avg(put), avg(notify),
		avg(create), avg(gen), avg(rest), avg(plain))
}

// viewBreakdown does the same for the session's user lookup, OpenImage and
// reading the image.
func (e *benchEnv) viewBreakdown(ctx context.Context, rep *benchReport) error {
	n := e.breakdownRuns()
	var lines []string
	for _, sc := range e.sizes {
		svc, clock := e.timedService()
		rec := &timedRecorder{DecryptRecorder: svc.Record}
		if svc.Record != nil {
			svc.Record = rec
		}
		var open, read, user time.Duration
		buf := make([]byte, 32<<10)
		for range n {
			runtime.GC()
			t0 := time.Now()
			if _, err := e.users.UserByID(ctx, e.bobUser.ID); err != nil {
				return err
			}
			user += time.Since(t0)
			t0 = time.Now()
			img, err := svc.OpenImage(ctx, e.bobUser, e.viewIDs[sc.label])
			if err != nil {
				return fmt.Errorf("view breakdown: %w", err)
			}
			open += time.Since(t0)
			t0 = time.Now()
			_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{img}, buf)
			read += time.Since(t0)
			img.Close()
			if err != nil {
				return err
			}
		}
		avg := func(d time.Duration) string { return fmtDur(d / time.Duration(n)) }
		lines = append(lines, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |", sc.label, avg(user), avg(open),
			avg(clock.of(imageapptest.GetMessage)), avg(clock.of(imageapptest.Decrypt)), avg(rec.took), avg(read)))
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("**Where a view's time goes** (service level, no HTTP, mean of %d):\n\n"+
		"| image | session's user row (`UserByID`) | `OpenImage` (row, key, open blob, first segment decrypted) | of which: message row | of which: unwrap data key | of which: decrypt record entry (queued; written in a batch off the request) | reading the rest (decrypt, 32 KiB reads) |\n"+
		"|---|---|---|---|---|---|---|\n%s", n, strings.Join(lines, "\n")))
	return nil
}

// timedRecorder sums the time a view spends handing its decrypt record
// entry to the recorder (issue 30: the record must not be the view's cost).
type timedRecorder struct {
	messaging.DecryptRecorder
	took time.Duration
}

func (r *timedRecorder) Record(ctx context.Context, owner string, e imageapp.DecryptEntry) error {
	t0 := time.Now()
	err := r.DecryptRecorder.Record(ctx, owner, e)
	r.took += time.Since(t0)
	return err
}
