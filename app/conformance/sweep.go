package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// crash leaves what a send that crashed between its upload and its message's
// write leaves: a pending marker and a blob, no message.
func (e *env) crash(t *testing.T) string {
	t.Helper()
	id := imageapp.NewID()
	if err := e.Messages.PutPending(e.ctx, id, e.clock.now()); err != nil {
		t.Fatalf("put pending marker: %v", err)
	}
	putBlob(t, e, id, []byte("ciphertext of a crashed send"))
	return id
}

// pendingIDs lists every pending marker, whatever its age, sorted.
func pendingIDs(t *testing.T, e *env) []string {
	t.Helper()
	ps, err := e.Messages.PendingBefore(e.ctx, time.Now().Add(1000*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return sorted(ids...)
}

// testSweepOrphans: the blob of a send that crashed before storing its
// message is removed once its marker is older than the grace; a younger one
// may be a send in flight and stays, as do messages' blobs. A grace that a
// send could outlast is refused.
func testSweepOrphans(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	img := pngImage(t, 16, 16, 1)
	m := e.send(t, alice, "bob", img, "")
	if pending := pendingIDs(t, e); len(pending) != 0 {
		t.Errorf("a delivered message left pending markers %v", pending)
	}
	orphan := e.crash(t)
	grace := e.svc.SweepGrace()

	if n, err := e.svc.SweepOrphans(e.ctx, grace); err != nil || n != 0 {
		t.Errorf("a sweep right away removed %d blobs (%v); want none: the orphan is younger than the grace", n, err)
	}
	if got, want := blobKeys(t, e), sorted(m.ID, orphan); !slices.Equal(got, want) {
		t.Errorf("after a sweep right away the blobs are %v; want %v", got, want)
	}

	e.clock.advance(2 * grace)
	young := e.crash(t)
	if n, err := e.svc.SweepOrphans(e.ctx, grace); err != nil || n != 1 {
		t.Errorf("a sweep past the grace removed %d blobs (%v); want the old orphan", n, err)
	}
	if got, want := blobKeys(t, e), sorted(m.ID, young); !slices.Equal(got, want) {
		t.Errorf("after a sweep past the grace the blobs are %v; want %v", got, want)
	}
	if got, want := pendingIDs(t, e), sorted(young); !slices.Equal(got, want) {
		t.Errorf("after the sweep the pending markers are %v; want only the young orphan's %v", got, want)
	}
	if got, err := e.readImage(bob, m.ID); err != nil || !bytes.Equal(got, img) {
		t.Errorf("after the sweeps the message reads %d bytes, %v; want the %d bytes sent", len(got), err, len(img))
	}
	if _, err := e.svc.SweepOrphans(e.ctx, time.Hour); err == nil {
		t.Error("a sweep with a grace shorter than a send may take was run; want it refused")
	}
	if err := e.Messages.PutPending(e.ctx, m.ID, e.clock.now()); imageapp.ErrorCode(err) != imageapp.ECONFLICT {
		t.Errorf("a pending marker for a delivered message = %v; want ECONFLICT", err)
	}
}

// testSweepCost: a sweep over N delivered messages and one orphan makes the
// same few port calls for N = 10 as for N = 40: one read of the old
// markers, then one existence check of its message and one of its blob, one
// blob removal and one marker removal for the orphan; it never lists the
// blobs or reads a message.
func testSweepCost(t *testing.T, e *env) {
	alice, _ := e.user(t, "alice"), e.user(t, "bob")
	grace := e.svc.SweepGrace()
	ports := e.svc.Stores.Ports()
	calls := countCalls(&ports)
	e.svc.Stores = messaging.StoresOf(ports)
	want := map[string]int{"PendingBefore": 1, "PendingBefore items": 1, "MessageExists": 1, "Blob": 1, "DeleteBlob": 1, "ClearPending": 1}
	delivered := 0
	for _, n := range []int{10, 40} {
		for ; delivered < n; delivered++ {
			e.send(t, alice, "bob", pngImage(t, 4, 4, uint64(delivered)), "")
		}
		orphan := e.crash(t)
		e.clock.advance(2 * grace)
		calls.reset()
		removed, err := e.svc.SweepOrphans(e.ctx, grace)
		got := calls.reset()
		if err != nil || removed != 1 {
			t.Fatalf("%d delivered + 1 orphan: the sweep removed %d (%v); want the orphan", n, removed, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d delivered + 1 orphan: the sweep called %v; want %v, whatever the number delivered", n, got, want)
		}
		t.Logf("%d delivered + 1 orphan: the sweep called %v", n, got)
		if _, err := e.Blobs.Blob(e.ctx, orphan); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			t.Errorf("the orphan's blob is still there: %v", err)
		}
		if keys := blobKeys(t, e); len(keys) != n {
			t.Errorf("%d blobs after the sweep; want the %d delivered", len(keys), n)
		}
	}
}

// testSweepCountsOnlyStoredBlobs: a send killed before its blob was stored
// leaves a marker and no blob; the sweep settles that marker but does not
// count it as a removed blob, and counts the one orphan that had a blob.
func testSweepCountsOnlyStoredBlobs(t *testing.T, e *env) {
	grace := e.svc.SweepGrace()
	var bare []string
	for range 3 {
		id := imageapp.NewID()
		if err := e.Messages.PutPending(e.ctx, id, e.clock.now()); err != nil {
			t.Fatalf("put pending marker: %v", err)
		}
		bare = append(bare, id)
	}
	orphan := e.crash(t)
	e.clock.advance(2 * grace)

	removed, err := e.svc.SweepOrphans(e.ctx, grace)
	if err != nil || removed != 1 {
		t.Errorf("a sweep of 3 markers without a blob and 1 with one removed %d (%v); want 1: only the blob that was there", removed, err)
	}
	if pending := pendingIDs(t, e); len(pending) != 0 {
		t.Errorf("after the sweep the markers %v are left; want every old one settled (bare: %v, orphan: %s)", pending, bare, orphan)
	}
	if _, err := e.Blobs.Blob(e.ctx, orphan); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("the orphan's blob is still there: %v", err)
	}
}

// testDeleteBlobFails: a delete whose blob removal fails still deletes the
// message, and leaves a marker by which the sweeper removes the blob later.
func testDeleteBlobFails(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	m := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "")
	kept := e.send(t, alice, "bob", pngImage(t, 8, 8, 2), "")
	f := e.injectFaults()
	f.set(failDeleteBlob)
	if err := e.svc.Delete(e.ctx, bob, m.ID); err != nil {
		t.Fatalf("a delete whose blob removal fails: %v; the message is gone, so it succeeded", err)
	}
	f.wantFired(t)
	f.set(noFault)
	if _, err := e.svc.Open(e.ctx, bob, m.ID); imageapp.ErrorCode(err) != imageapp.EDELETED {
		t.Errorf("the deleted message opens: %v", err)
	}
	if got, want := pendingIDs(t, e), sorted(m.ID); !slices.Equal(got, want) {
		t.Errorf("after the failed blob removal the pending markers are %v; want %v", got, want)
	}
	e.clock.advance(2 * e.svc.SweepGrace())
	if n, err := e.svc.SweepOrphans(e.ctx, e.svc.SweepGrace()); err != nil || n != 1 {
		t.Errorf("the sweep removed %d blobs (%v); want the deleted message's", n, err)
	}
	wantStored(t, e, "after the sweep", bob, kept.ID)
	if err := e.svc.Delete(e.ctx, alice, kept.ID); err != nil {
		t.Fatal(err)
	}
	wantStored(t, e, "after a delete that went well", bob)
}

// portCalls counts the calls to the message store and the blob store, by
// method, and the markers PendingBefore returned.
type portCalls struct {
	mu sync.Mutex
	n  map[string]int
}

// countCalls wraps p's message and blob stores so that every call is counted.
func countCalls(p *imageapp.Ports) *portCalls {
	c := &portCalls{n: map[string]int{}}
	p.Messages = countedMessages{p.Messages, c}
	p.Blobs = countedBlobs{p.Blobs, c}
	return c
}

func (c *portCalls) add(method string, n int) {
	c.mu.Lock()
	c.n[method] += n
	c.mu.Unlock()
}

// reset returns the counts so far and starts again from zero.
func (c *portCalls) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

type countedMessages struct {
	s imageapp.MessageStore
	c *portCalls
}

func (w countedMessages) CreateMessage(ctx context.Context, m *imageapp.Message) error {
	w.c.add("CreateMessage", 1)
	return w.s.CreateMessage(ctx, m)
}

func (w countedMessages) Message(ctx context.Context, id string) (*imageapp.Message, error) {
	w.c.add("Message", 1)
	return w.s.Message(ctx, id)
}

func (w countedMessages) Messages(ctx context.Context, q imageapp.MessageQuery) (imageapp.MessagePage, error) {
	w.c.add("Messages", 1)
	return w.s.Messages(ctx, q)
}

func (w countedMessages) ConsumeViewOnce(ctx context.Context, id string, at time.Time) (bool, error) {
	w.c.add("ConsumeViewOnce", 1)
	return w.s.ConsumeViewOnce(ctx, id, at)
}

func (w countedMessages) ExpiredBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	w.c.add("ExpiredBefore", 1)
	return w.s.ExpiredBefore(ctx, cutoff, limit)
}

func (w countedMessages) MarkRead(ctx context.Context, id string, at time.Time) error {
	w.c.add("MarkRead", 1)
	return w.s.MarkRead(ctx, id, at)
}

func (w countedMessages) AcceptRequests(ctx context.Context, recipientID, senderID string) (int, error) {
	w.c.add("AcceptRequests", 1)
	return w.s.AcceptRequests(ctx, recipientID, senderID)
}

func (w countedMessages) DeleteMessage(ctx context.Context, id string) error {
	w.c.add("DeleteMessage", 1)
	return w.s.DeleteMessage(ctx, id)
}

func (w countedMessages) CountUnread(ctx context.Context, recipientID string) (int, error) {
	w.c.add("CountUnread", 1)
	return w.s.CountUnread(ctx, recipientID)
}

func (w countedMessages) RequestBytes(ctx context.Context, recipientID string, upTo int64) (int64, error) {
	w.c.add("RequestBytes", 1)
	return w.s.RequestBytes(ctx, recipientID, upTo)
}

func (w countedMessages) StoredBytes(ctx context.Context, recipientID string) (int64, error) {
	w.c.add("StoredBytes", 1)
	return w.s.StoredBytes(ctx, recipientID)
}

func (w countedMessages) MessageExists(ctx context.Context, id string) (bool, error) {
	w.c.add("MessageExists", 1)
	return w.s.MessageExists(ctx, id)
}

func (w countedMessages) PutPending(ctx context.Context, id string, started time.Time) error {
	w.c.add("PutPending", 1)
	return w.s.PutPending(ctx, id, started)
}

func (w countedMessages) ClearPending(ctx context.Context, id string) error {
	w.c.add("ClearPending", 1)
	return w.s.ClearPending(ctx, id)
}

func (w countedMessages) PendingBefore(ctx context.Context, cutoff time.Time, limit int) ([]imageapp.Pending, error) {
	ps, err := w.s.PendingBefore(ctx, cutoff, limit)
	w.c.add("PendingBefore", 1)
	w.c.add("PendingBefore items", len(ps))
	return ps, err
}

type countedBlobs struct {
	b imageapp.Blobs
	c *portCalls
}

func (w countedBlobs) PutBlob(ctx context.Context, key string, r io.Reader) error {
	w.c.add("PutBlob", 1)
	return w.b.PutBlob(ctx, key, r)
}

func (w countedBlobs) Blob(ctx context.Context, key string) (io.ReadCloser, error) {
	w.c.add("Blob", 1)
	return w.b.Blob(ctx, key)
}

func (w countedBlobs) DeleteBlob(ctx context.Context, key string) error {
	w.c.add("DeleteBlob", 1)
	return w.b.DeleteBlob(ctx, key)
}

func (w countedBlobs) ListBlobs(ctx context.Context, fn func(imageapp.BlobInfo) error) error {
	w.c.add("ListBlobs", 1)
	return w.b.ListBlobs(ctx, fn)
}

func (w countedMessages) SetPreviews(ctx context.Context, id string, recipient, sender []byte) error {
	w.c.add("SetPreviews", 1)
	return w.s.SetPreviews(ctx, id, recipient, sender)
}

func (w countedMessages) PreviewsDueBefore(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	w.c.add("PreviewsDueBefore", 1)
	return w.s.PreviewsDueBefore(ctx, cutoff, limit)
}
