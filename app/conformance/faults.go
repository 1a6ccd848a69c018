package conformance

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"imageapp/app/imageapp"
)

// fault is one step of a send or an open made to fail.
type fault string

const (
	noFault           fault = ""
	failGenerateKey   fault = "GenerateDataKey fails"
	failPutUnread     fault = "PutBlob fails before reading the image"
	failPutMidStream  fault = "PutBlob's stream breaks mid-image"
	failCreateMessage fault = "CreateMessage fails"
	// The write lands but its answer is lost: a timeout, or an SDK retry of a
	// PutItem that had succeeded, which then fails its own condition.
	failCreateAnswer  fault = "CreateMessage stores, then reports an error"
	failNotify        fault = "Notify fails"
	failDecrypt       fault = "Decrypt fails"
	failGetBlob       fault = "Blob fails"
	failBlobMidStream fault = "Blob's stream breaks mid-image"
)

// breakAfter is where a broken stream breaks: past the first 64 KiB
// segment of the envelope, so a test image of a few segments breaks mid-way.
const breakAfter = 100 << 10

var errInjected = errors.New("injected fault")

// faults wraps the service's ports in fakes that fail the step set, and
// otherwise delegate to the backend's real adapters. The env keeps the
// unwrapped adapters, to check what was stored.
type faults struct {
	step  atomic.Value // fault
	fired atomic.Int32 // how many times an injected fault was hit
}

func (e *env) injectFaults() *faults {
	f := &faults{}
	f.set(noFault)
	e.svc.Keys = faultyKeys{e.Keys, f}
	e.svc.Blobs = faultyBlobs{e.Blobs, f}
	e.svc.Messages = faultyMessages{e.Messages, f}
	e.svc.Notifier = faultyNotifier{e.Notifier, f}
	return f
}

func (f *faults) set(step fault) { f.step.Store(step) }

// fail returns the injected error when step is the one set.
func (f *faults) fail(step fault) error {
	if f.step.Load().(fault) != step {
		return nil
	}
	f.fired.Add(1)
	return errInjected
}

// breaking returns r, or r breaking after breakAfter bytes when step is set.
func (f *faults) breaking(step fault, r io.Reader) io.Reader {
	if f.step.Load().(fault) != step {
		return r
	}
	return io.MultiReader(io.LimitReader(r, breakAfter), errReader{f})
}

type errReader struct{ f *faults }

func (r errReader) Read([]byte) (int, error) {
	r.f.fired.Add(1)
	return 0, errInjected
}

// wantFired checks that the fault set was hit, so a step that is never
// reached cannot pass as one that fails cleanly.
func (f *faults) wantFired(t *testing.T) {
	t.Helper()
	if f.fired.Swap(0) == 0 {
		t.Errorf("the fault %q was never hit", f.step.Load())
	}
}

type faultyKeys struct {
	imageapp.Keys
	f *faults
}

func (k faultyKeys) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) (imageapp.DataKey, error) {
	if err := k.f.fail(failGenerateKey); err != nil {
		return imageapp.DataKey{}, err
	}
	return k.Keys.GenerateDataKey(ctx, keyID, ec)
}

func (k faultyKeys) Decrypt(ctx context.Context, keyID string, ct []byte, ec map[string]string) ([]byte, error) {
	if err := k.f.fail(failDecrypt); err != nil {
		return nil, err
	}
	return k.Keys.Decrypt(ctx, keyID, ct, ec)
}

type faultyBlobs struct {
	imageapp.Blobs
	f *faults
}

func (b faultyBlobs) PutBlob(ctx context.Context, key string, r io.Reader) error {
	if err := b.f.fail(failPutUnread); err != nil {
		return err
	}
	return b.Blobs.PutBlob(ctx, key, b.f.breaking(failPutMidStream, r))
}

func (b faultyBlobs) Blob(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := b.f.fail(failGetBlob); err != nil {
		return nil, err
	}
	rc, err := b.Blobs.Blob(ctx, key)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{b.f.breaking(failBlobMidStream, rc), rc}, nil
}

type faultyMessages struct {
	imageapp.MessageStore
	f *faults
}

func (m faultyMessages) CreateMessage(ctx context.Context, msg *imageapp.Message) error {
	if err := m.f.fail(failCreateMessage); err != nil {
		return err
	}
	if err := m.MessageStore.CreateMessage(ctx, msg); err != nil {
		return err
	}
	return m.f.fail(failCreateAnswer)
}

type faultyNotifier struct {
	imageapp.Notifier
	f *faults
}

func (n faultyNotifier) Notify(ctx context.Context, to imageapp.User, note imageapp.Notification) error {
	if err := n.f.fail(failNotify); err != nil {
		return err
	}
	return n.Notifier.Notify(ctx, to, note)
}
