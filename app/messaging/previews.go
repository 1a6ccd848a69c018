package messaging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
	"imageapp/app/thumbnail"
)

// A send answers as soon as its blob and its message are durable; its
// previews are made afterwards, by a small queue of workers per instance
// that reads the stored blob back with the send's data key (handed over in
// memory, so no key is unwrapped again) and stores the sealed previews with
// SetPreviews. Decoding a large image takes several times longer than
// storing it, and no sender should wait for a thumbnail. A message is
// stored with PreviewDue set until then, so a preview that a crash, a
// shutdown or a full queue never made is redone by SweepPreviews.

const (
	// DefaultPreviewQueue is how many previews may wait for a worker; a
	// send that finds the queue full leaves its preview to the sweep.
	DefaultPreviewQueue = 64
	// DefaultPreviewWorkers is how many previews are made at once: two,
	// or one where there are two cores or fewer, so that sends always have
	// a core (see previewWorkers).
	DefaultPreviewWorkers = 2
	// DefaultPreviewBudget bounds the bytes that preview decodes hold at
	// once on an instance (thumbnail.Budget), whatever the images' pixels.
	DefaultPreviewBudget = 64 << 20

	// previewEventHold is how long the live events of a new message wait for
	// its preview, so an open inbox shows the row once, with its thumbnail,
	// rather than without and then with.
	previewEventHold = time.Second
	// answerWait bounds the wait for a send's answer to be written: a client
	// that does not read it must not keep its preview (and events) for ever.
	answerWait = 10 * time.Second
	// previewTimeout bounds making one preview.
	previewTimeout = time.Minute
	// PreviewGrace is how old a due preview must be before the sweep takes
	// it: older than any preview the queue is still making.
	PreviewGrace = 2 * time.Minute
	// previewYield is how long a queued preview lets sends under way go
	// first: a preview costs several times a send's CPU, and a sender waits
	// for the answer while the recipient's row can wait a moment. Past it
	// the preview is made anyway, so a steady stream of sends cannot starve
	// previews, and it stays well inside previewEventHold.
	previewYield = 300 * time.Millisecond
	// answerGrace is how long after its send's answer what follows the
	// send (its preview, its mail and push) waits before it starts,
	// whatever else is going on: for the answer's last steps (the access
	// log, the connection's next read) and the sender's client taking it
	// in. On a single-machine install the browser shares the cores with
	// them, and a decode that starts the moment the answer is flushed slows
	// the sender's page by as much as a quarter of a send (the bench's send
	// rows, app/cmd/bench/README.md).
	answerGrace = 20 * time.Millisecond
	// previewRest is how many times its last preview's time a worker then
	// waits for the sends under way to end (see restAfter).
	previewRest = 2
	// maxPreviewRest bounds that wait after a costly preview.
	maxPreviewRest = 2 * time.Second
)

// PreviewQueue runs the preview workers of one instance. Build it with
// NewPreviewQueue, set it as Service.Previewing, and run Service.RunPreviews.
type PreviewQueue struct {
	jobs    chan *previewJob
	workers int

	mu      sync.Mutex
	pending int           // previews handed to the queue and not yet made or given up
	idle    chan struct{} // closed when pending falls to zero; nil before the first

	sendMu  sync.Mutex
	sends   int           // sends under way on this instance (Service.Send)
	noSends chan struct{} // closed when sends falls to zero; nil before the first
	yield   atomic.Int64  // a time.Duration; 0 means previewYield
}

// SetYield sets how long a queued preview lets sends under way go first
// (previewYield by default), for tests.
func (q *PreviewQueue) SetYield(d time.Duration) { q.yield.Store(int64(d)) }

func (q *PreviewQueue) yieldFor() time.Duration {
	if d := time.Duration(q.yield.Load()); d > 0 {
		return d
	}
	return previewYield
}

// sendStarted counts a send under way until the returned func is called.
func (q *PreviewQueue) sendStarted() (ended func()) {
	q.sendMu.Lock()
	if q.sends == 0 {
		q.noSends = make(chan struct{})
	}
	q.sends++
	q.sendMu.Unlock()
	return sync.OnceFunc(func() {
		q.sendMu.Lock()
		defer q.sendMu.Unlock()
		q.sends--
		if q.sends == 0 {
			close(q.noSends)
		}
	})
}

// SendsUnderWay is how many sends are under way on this instance.
func (q *PreviewQueue) SendsUnderWay() int {
	q.sendMu.Lock()
	defer q.sendMu.Unlock()
	return q.sends
}

// yieldToSends waits until no send is under way, until deadline, or until
// ctx ends, whichever comes first.
func (q *PreviewQueue) yieldToSends(ctx context.Context, deadline time.Time) {
	q.sendMu.Lock()
	quiet := q.noSends
	busy := q.sends > 0
	q.sendMu.Unlock()
	if !busy {
		return
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-quiet:
	case <-t.C:
	case <-ctx.Done():
	}
}

// Wait waits until every preview handed to the queue so far is made or
// given up, for tests and the benchmark. Call it while RunPreviews runs.
// Unlike a sync.WaitGroup's, it may run while sends add previews.
func (q *PreviewQueue) Wait() {
	q.mu.Lock()
	idle := q.idle
	q.mu.Unlock()
	if idle != nil {
		<-idle
	}
}

func (q *PreviewQueue) add() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending == 0 {
		q.idle = make(chan struct{})
	}
	q.pending++
}

func (q *PreviewQueue) done() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending--
	if q.pending == 0 {
		close(q.idle)
	}
}

// NewPreviewQueue returns a queue of capacity jobs made by workers
// goroutines; zero values get the defaults.
func NewPreviewQueue(capacity, workers int) *PreviewQueue {
	if capacity <= 0 {
		capacity = DefaultPreviewQueue
	}
	if workers <= 0 {
		workers = previewWorkers(runtime.GOMAXPROCS(0))
	}
	return &PreviewQueue{jobs: make(chan *previewJob, capacity), workers: workers}
}

// previewWorkers is the default count of preview workers on cores cores:
// never all of them, so a burst of previews leaves sends a core.
func previewWorkers(cores int) int {
	return max(1, min(DefaultPreviewWorkers, cores-1))
}

// previewJob is one message's previews to make. dek is the send's data key,
// cleared once the preview is made (or given up).
type previewJob struct {
	m        *imageapp.Message
	from, to imageapp.User
	dek      []byte
	caption  string
	job      string    // imageapp.JobPreview with a send's key, JobSweep with one unwrapped again
	queued   time.Time // when the job was queued, answerGrace after the send's answer

	events  []live // the message's live events, held until the preview is stored
	publish sync.Once
}

// defaultBudget bounds the previews of every Service without a budget of
// its own (tests, tools): the bound of one instance.
var defaultBudget = sync.OnceValue(func() *thumbnail.Budget { return thumbnail.NewBudget(DefaultPreviewBudget) })

func (s *Service) previewBudget() *thumbnail.Budget {
	if s.PreviewBudget != nil {
		return s.PreviewBudget
	}
	return defaultBudget()
}

// queuePreview hands m's preview to the queue answerGrace after answered
// is closed (the send's answer has been written; awaitAnswer), or makes it
// now when the service has no queue. Either way the message's live events go out when the preview is
// stored, or previewEventHold after the answer, whichever comes first.
func (s *Service) queuePreview(ctx context.Context, j *previewJob, answered <-chan struct{}) {
	if s.Previewing == nil {
		s.makePreview(context.WithoutCancel(ctx), j)
		s.publishHeld(context.WithoutCancel(ctx), j)
		return
	}
	bg := context.WithoutCancel(ctx)
	q := s.Previewing
	q.add()
	s.later(func() {
		s.awaitAnswer(ctx, answered, j.m.ID)
		hold := time.AfterFunc(previewEventHold, func() { s.publishHeld(bg, j) })
		j.queued = time.Now()
		select {
		case q.jobs <- j:
		default:
			hold.Stop()
			clear(j.dek)
			s.log().WarnContext(ctx, "the preview queue is full; the sweep will make this preview", "message_id", j.m.ID)
			s.publishHeld(bg, j)
			q.done()
		}
	})
}

// later runs fn in a goroutine that Notifying (when set) waits for.
func (s *Service) later(fn func()) {
	if s.Notifying != nil {
		s.Notifying.Go(fn)
		return
	}
	go fn()
}

// publishHeld publishes a job's held events, once.
func (s *Service) publishHeld(ctx context.Context, j *previewJob) {
	j.publish.Do(func() {
		if s.Events == nil {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, liveTimeout)
		defer cancel()
		for _, l := range j.events {
			s.publish(ctx, l)
		}
	})
}

// RunPreviews makes the queued previews until ctx ends, then returns once
// the previews under way are done; those still queued are left to the
// sweep (their data keys are cleared). It does nothing without a queue.
func (s *Service) RunPreviews(ctx context.Context) {
	q := s.Previewing
	if q == nil {
		return
	}
	var wg sync.WaitGroup
	for range q.workers {
		wg.Go(func() {
			var rest time.Duration // after the last preview: see restAfter
			for {
				select {
				case <-ctx.Done():
					return
				case j := <-q.jobs:
					q.yieldToSends(ctx, turn(j.queued, q.yieldFor(), rest, time.Now()))
					bg := context.WithoutCancel(ctx)
					began := time.Now()
					s.makePreview(bg, j)
					rest = restAfter(time.Since(began), q.SendsUnderWay() > 0)
					// The events go out on their own goroutine: a slow
					// shared store (Valkey down) must not hold the worker up.
					go func() {
						defer q.done()
						s.publishHeld(bg, j)
					}()
				}
			}
		})
	}
	wg.Wait()
	for {
		select {
		case j := <-q.jobs:
			clear(j.dek)
			q.done()
		default:
			return
		}
	}
}

// turn is until when a job queued at queued lets the sends under way go
// first: its yield from its queueing, or the worker's rest from now,
// whichever ends later.
func turn(queued time.Time, yield, rest time.Duration, now time.Time) time.Time {
	t := queued.Add(yield)
	if r := now.Add(rest); r.After(t) {
		return r
	}
	return t
}

// restAfter is how long a worker lets sends go first after a preview that
// took took: none when no send is under way, else twice that (at most
// maxPreviewRest). While sends keep coming, previews so take at most a
// third of a worker's time and the sends the rest, the backlog going to
// the sweep; without it, a queue that is always full gives every job a
// yield that ended while it waited, and the worker takes a core from the
// sends all the time (the bench's throughput rows: app/cmd/bench/README.md).
func restAfter(took time.Duration, sendsUnderWay bool) time.Duration {
	if !sendsUnderWay {
		return 0
	}
	return min(previewRest*took, maxPreviewRest)
}

// makePreview decrypts the stored image with the job's data key, makes its
// thumbnail within the budget, seals the preview for each side and stores
// it; the caller then publishes the held events (publishHeld). An image
// that cannot be previewed (too costly, damaged) gets a caption-only
// preview; a preview that cannot be stored stays due, for the sweep.
func (s *Service) makePreview(ctx context.Context, j *previewJob) {
	defer clear(j.dek)
	ctx, cancel := context.WithTimeout(ctx, previewTimeout)
	defer cancel()
	if j.job != imageapp.JobSweep { // the sweep's unwrap is in the record already
		if err := s.record(ctx, j.m.RecipientID, j.m.ID, jobAccess(imageapp.JobPreview, imageapp.PurposePreview), s.contextOf(j.m).Map()); err != nil {
			return // stays due: the sweep makes it, and records it
		}
	}
	p := Preview{Caption: j.caption}
	thumb, err := s.thumbnailOf(ctx, j.m, j.dek, s.pauseForSends(ctx, j))
	switch {
	case err == nil:
		p.Thumb = thumb
	case errors.Is(err, thumbnail.ErrTooCostly):
		s.log().InfoContext(ctx, "image too costly to preview; caption-only preview", "message_id", j.m.ID)
	case imageapp.ErrorCode(err) == imageapp.ENOTFOUND:
		return // deleted before its preview was made
	default:
		s.log().WarnContext(ctx, "message goes without a thumbnail", "message_id", j.m.ID, "err", err)
	}
	recipient, sender := s.sealPreviews(ctx, j.m, j.from, j.to, p, j.jobName())
	if err := s.Messages.SetPreviews(ctx, j.m.ID, recipient, sender); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		s.log().WarnContext(ctx, "could not store a preview; the sweep will make it again", "message_id", j.m.ID, "err", err)
	}
}

// thumbnailOf decodes m's stored image with dek into its thumbnail;
// pause, when set, runs before each read of the image.
func (s *Service) thumbnailOf(ctx context.Context, m *imageapp.Message, dek []byte, pause func()) ([]byte, error) {
	blob, err := s.Blobs.Blob(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	defer blob.Close()
	img, err := envelope.NewReader(blob, dek, s.contextOf(m), envelope.PurposeImage)
	if err != nil {
		return nil, fmt.Errorf("messaging: read blob for preview: %w", err)
	}
	var r io.Reader = img
	if pause != nil {
		r = pausingReader{r: img, pause: pause}
	}
	return thumbnail.Make(ctx, r, s.previewBudget())
}

// pauseForSends is what a queued preview's decode does before each read:
// wait while sends are under way on the instance, within the same yield
// the job had before it started (from its queueing, previewYield). A
// preview that began in a quiet moment so gives the cores back to a send
// that starts meanwhile, instead of racing it; its latency is bounded as
// before. The sweep's previews (no queue) do not pause.
func (s *Service) pauseForSends(ctx context.Context, j *previewJob) func() {
	q := s.Previewing
	if q == nil || j.queued.IsZero() {
		return nil
	}
	deadline := j.queued.Add(q.yieldFor())
	return func() {
		if time.Now().Before(deadline) {
			q.yieldToSends(ctx, deadline)
		}
	}
}

// pausingReader runs pause before each read of r.
type pausingReader struct {
	r     io.Reader
	pause func()
}

func (p pausingReader) Read(b []byte) (int, error) {
	p.pause()
	return p.r.Read(b)
}

// SweepPreviews makes the previews that are due and older than
// PreviewGrace: those a crash, a shutdown or a full queue never made. Each
// costs one data key unwrap (the send's key is gone with its process) and
// one read of the blob. It returns how many it made; it stops when ctx
// ends, and a preview it cannot make stays due for the next sweep.
func (s *Service) SweepPreviews(ctx context.Context) (int, error) {
	made := 0
	seen := map[string]bool{} // the index may list a preview just made (DynamoDB's lags)
	var errs []error
	for {
		ids, err := s.Messages.PreviewsDueBefore(ctx, s.now().Add(-PreviewGrace), sweepBatch)
		if err != nil {
			return made, err
		}
		fresh := 0
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			fresh++
			ok, err := s.redoPreview(ctx, id)
			if ok {
				made++
			}
			if err != nil {
				errs = append(errs, err)
			}
			if ctx.Err() != nil || len(errs) >= sweepErrors {
				return made, sweepError(ctx, errs)
			}
		}
		if len(ids) < sweepBatch || fresh == 0 {
			return made, errors.Join(errs...)
		}
	}
}

// redoPreview makes the due preview of message id, reporting whether it did.
func (s *Service) redoPreview(ctx context.Context, id string) (bool, error) {
	m, err := s.Messages.Message(ctx, id)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("messaging: read a message due a preview: %w", err)
	}
	if !m.PreviewDue || m.Expired(s.now()) {
		return false, nil // made meanwhile, or about to be shredded
	}
	j, err := s.redoJob(ctx, m)
	switch code := imageapp.ErrorCode(err); {
	case err == nil:
		s.makePreview(ctx, j)
		return true, nil
	case code == imageapp.ENOTFOUND || code == imageapp.EINTEGRITY:
		// A party's account is gone (its messages go with it) or the
		// message cannot open: no preview can be made, so none is due.
		s.log().WarnContext(ctx, "a due preview cannot be made; the message goes without", "message_id", id, "err", err)
		if err := s.Messages.SetPreviews(ctx, id, nil, nil); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			return false, fmt.Errorf("messaging: clear a due preview of %s: %w", id, err)
		}
		return false, nil
	default:
		return false, fmt.Errorf("messaging: redo preview of %s: %w", id, err)
	}
}

// redoJob rebuilds the preview job of a send whose process is gone: the
// parties, and the data key and caption unwrapped again.
func (s *Service) redoJob(ctx context.Context, m *imageapp.Message) (*previewJob, error) {
	from, err := s.Users.UserByID(ctx, m.SenderID)
	if err != nil {
		return nil, err
	}
	to, err := s.Users.UserByID(ctx, m.RecipientID)
	if err != nil {
		return nil, err
	}
	dek, err := s.dataKey(ctx, m, jobAccess(imageapp.JobSweep, imageapp.PurposePreview))
	if err != nil {
		return nil, err
	}
	o, err := s.openMeta(ctx, m, dek)
	if err != nil {
		clear(dek)
		return nil, err
	}
	return &previewJob{m: m, from: from, to: to, dek: dek, caption: o.Caption, job: imageapp.JobSweep}, nil
}

// jobName is the job that makes j, for the decrypt record.
func (j *previewJob) jobName() string {
	if j.job == "" {
		return imageapp.JobPreview
	}
	return j.job
}
