package decryptlog

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"imageapp/app/imageapp"
)

// A view must not wait for a store write, so the Recorder takes entries
// into a bounded queue and one goroutine (Run) writes them in batches, one
// conditional append per user per batch. What a crash loses is what the
// queue held: at most DefaultQueue entries, normally those of the last
// flushInterval. A full queue makes the decrypt wait for room, never drop
// its entry.

const (
	// DefaultQueue is how many entries may wait to be written.
	DefaultQueue = 4096
	// maxBatch bounds the entries one flush takes.
	maxBatch = 512
	// maxAppend bounds the entries of one append: a DynamoDB transaction
	// holds 100 writes, one of them the head's.
	maxAppend = 99
	// flushInterval is how long entries gather before a write.
	flushInterval = 50 * time.Millisecond
	// appendTries bounds the retries of an append whose head another
	// instance moved (each retry reads the new head and chains again).
	appendTries = 20
	// writeTimeout bounds one batch's writes.
	writeTimeout = 10 * time.Second
)

// Recorder writes decrypt records. Build it with NewRecorder; until Run
// runs, Record writes each entry before it returns.
type Recorder struct {
	store imageapp.DecryptRecord
	key   ed25519.PrivateKey
	log   *slog.Logger
	now   func() time.Time

	queue   chan queued
	running sync.Mutex // held by Run

	mu      sync.Mutex
	pending int
	idle    chan struct{}
}

type queued struct {
	owner string
	e     imageapp.DecryptEntry
}

// NewRecorder returns a recorder writing to store, signing heads with key;
// now and log may be nil.
func NewRecorder(store imageapp.DecryptRecord, key ed25519.PrivateKey, now func() time.Time, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	return &Recorder{store: store, key: key, log: log, now: now, queue: make(chan queued, DefaultQueue)}
}

// PublicKey is the key a verifier checks heads with.
func (r *Recorder) PublicKey() ed25519.PublicKey { return r.key.Public().(ed25519.PublicKey) }

// Store is where the records are kept.
func (r *Recorder) Store() imageapp.DecryptRecord { return r.store }

// Record adds e to owner's record, stamped now: queued while Run runs,
// else written before it returns. It fails only when ctx ends while the
// queue is full, or (without Run) when the write fails: the caller must
// then not decrypt.
func (r *Recorder) Record(ctx context.Context, owner string, e imageapp.DecryptEntry) error {
	e.At = r.now().UTC()
	if r.running.TryLock() {
		r.running.Unlock()
		return r.Append(ctx, owner, []imageapp.DecryptEntry{e})
	}
	r.add()
	select {
	case r.queue <- queued{owner, e}:
		return nil
	case <-ctx.Done():
		r.done(1)
		return fmt.Errorf("decryptlog: the record queue is full: %w", ctx.Err())
	}
}

// Append chains entries after owner's head and writes them, reading the
// head again when another writer moved it.
func (r *Recorder) Append(ctx context.Context, owner string, entries []imageapp.DecryptEntry) error {
	for range appendTries {
		head, err := r.store.RecordHead(ctx, owner)
		if err != nil {
			return fmt.Errorf("decryptlog: read head: %w", err)
		}
		chained, next := Chain(r.key, owner, head, entries)
		err = r.store.AppendRecord(ctx, owner, head, chained, next)
		if imageapp.ErrorCode(err) != imageapp.ECONFLICT {
			if err != nil {
				return fmt.Errorf("decryptlog: append: %w", err)
			}
			return nil
		}
	}
	return fmt.Errorf("decryptlog: append: the head kept moving (%d tries)", appendTries)
}

// Run writes the queued entries in batches until ctx ends, then writes what
// is left and returns. Only one Run may run.
func (r *Recorder) Run(ctx context.Context) {
	r.running.Lock()
	defer r.running.Unlock()
	tick := time.NewTicker(flushInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			r.flush(context.WithoutCancel(ctx))
			return
		case <-tick.C:
			r.flush(ctx)
		}
	}
}

// flush writes what the queue holds now, a batch at a time.
func (r *Recorder) flush(ctx context.Context) {
	for {
		batch := r.take()
		if len(batch) == 0 {
			return
		}
		r.write(ctx, batch)
	}
}

func (r *Recorder) take() []queued {
	var batch []queued
	for len(batch) < maxBatch {
		select {
		case q := <-r.queue:
			batch = append(batch, q)
		default:
			return batch
		}
	}
	return batch
}

// write appends a batch, one append per owner, in the order queued.
func (r *Recorder) write(ctx context.Context, batch []queued) {
	defer r.done(len(batch))
	byOwner := map[string][]imageapp.DecryptEntry{}
	var owners []string
	for _, q := range batch {
		if byOwner[q.owner] == nil {
			owners = append(owners, q.owner)
		}
		byOwner[q.owner] = append(byOwner[q.owner], q.e)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	for _, owner := range owners {
		for chunk := range slices.Chunk(byOwner[owner], maxAppend) {
			if err := r.Append(ctx, owner, chunk); err != nil {
				r.log.ErrorContext(ctx, "decrypt record entries lost", "user_id", owner, "entries", len(chunk), "err", err)
			}
		}
	}
}

// Wait waits until every entry recorded so far is written (or given up),
// for tests and a clean shutdown. Call it while Run runs.
func (r *Recorder) Wait() {
	r.mu.Lock()
	idle := r.idle
	r.mu.Unlock()
	if idle != nil {
		<-idle
	}
}

func (r *Recorder) add() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == 0 {
		r.idle = make(chan struct{})
	}
	r.pending++
}

func (r *Recorder) done(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending -= n
	if r.pending == 0 && r.idle != nil {
		close(r.idle)
	}
}

// Forget deletes owner's record once the entries waiting are written, so
// none lands after it (for a deleted account, whose key is gone first).
func (r *Recorder) Forget(ctx context.Context, owner string) error {
	r.Wait()
	if err := r.store.DeleteRecord(ctx, owner); err != nil {
		return fmt.Errorf("decryptlog: delete record: %w", err)
	}
	return nil
}
