package conformance

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

// fault is one step of a send or an open made to fail.
type fault string

const (
	noFault           fault = ""
	failGenerateKey   fault = "GenerateDataKey fails"
	failPutPending    fault = "PutPending fails"
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
	failDeleteBlob    fault = "DeleteBlob fails"
)

// breakAfter is where a broken stream breaks: past the first 64 KiB
// segment of the envelope, so a test image of a few segments breaks mid-way.
const breakAfter = 100 << 10

var errInjected = errors.New("injected fault")

// faults puts the shared fault kit around the service's ports; the env
// keeps the unwrapped adapters, to check what was stored.
type faults struct {
	kit   *imageapptest.Kit
	step  fault
	fired atomic.Int32 // how many times an injected fault was hit
}

func (e *env) injectFaults() *faults {
	ports := e.svc.Stores.Ports()
	kit := imageapptest.Wrap(&ports)
	e.svc.Stores = messaging.StoresOf(ports)
	return &faults{kit: kit}
}

// set makes step fail from now on (noFault: none).
func (f *faults) set(step fault) {
	f.step = step
	var around imageapptest.Around
	var stream imageapptest.Stream
	switch step {
	case failGenerateKey:
		around = f.failOn(imageapptest.GenerateDataKey)
	case failPutPending:
		around = f.failOn(imageapptest.PutPending)
	case failPutUnread:
		around = f.failOn(imageapptest.PutBlob)
	case failPutMidStream:
		stream = f.breakOn(imageapptest.PutBlob)
	case failCreateMessage:
		around = f.failOn(imageapptest.CreateMessage)
	case failCreateAnswer:
		around = func(ctx context.Context, op imageapptest.Op, next func() error) error {
			if err := next(); err != nil || op != imageapptest.CreateMessage {
				return err
			}
			f.fired.Add(1)
			return errInjected
		}
	case failNotify:
		around = f.failOn(imageapptest.Notify)
	case failDecrypt:
		around = f.failOn(imageapptest.Decrypt)
	case failGetBlob:
		around = f.failOn(imageapptest.GetBlob)
	case failBlobMidStream:
		stream = f.breakOn(imageapptest.GetBlob)
	case failDeleteBlob:
		around = f.failOn(imageapptest.DeleteBlob)
	}
	f.kit.Set(around, stream)
}

// failOn fails op, counting each hit.
func (f *faults) failOn(op imageapptest.Op) imageapptest.Around {
	fail := imageapptest.FailOn(op, errInjected)
	return func(ctx context.Context, got imageapptest.Op, next func() error) error {
		if got == op {
			f.fired.Add(1)
		}
		return fail(ctx, got, next)
	}
}

// breakOn breaks op's stream after breakAfter bytes, counting each hit.
func (f *faults) breakOn(op imageapptest.Op) imageapptest.Stream {
	return func(got imageapptest.Op, r io.Reader) io.Reader {
		if got != op {
			return r
		}
		return io.MultiReader(io.LimitReader(r, breakAfter), countedErr{f})
	}
}

type countedErr struct{ f *faults }

func (c countedErr) Read([]byte) (int, error) {
	c.f.fired.Add(1)
	return 0, errInjected
}

// wantFired checks that the fault set was hit, so a step that is never
// reached cannot pass as one that fails cleanly.
func (f *faults) wantFired(t *testing.T) {
	t.Helper()
	if f.fired.Swap(0) == 0 {
		t.Errorf("the fault %q was never hit", f.step)
	}
}
