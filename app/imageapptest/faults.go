// Package imageapptest holds what the conformance suite, the end-to-end
// tests and the benchmark share: adapters that fail or time a step on
// demand around the real ones, and test images.
package imageapptest

import (
	"context"
	"io"
	"sync"
	"time"

	"imageapp/app/imageapp"
)

// Op names one port call the kit can intercept.
type Op string

const (
	GenerateDataKey Op = "Keys.GenerateDataKey"
	Decrypt         Op = "Keys.Decrypt"
	PutBlob         Op = "Blobs.PutBlob"
	GetBlob         Op = "Blobs.Blob"
	DeleteBlob      Op = "Blobs.DeleteBlob"
	PutPending      Op = "Messages.PutPending"
	CreateMessage   Op = "Messages.CreateMessage"
	GetMessage      Op = "Messages.Message"
	Notify          Op = "Notifier.Notify"
)

// Around runs one intercepted call: it calls next to reach the real adapter,
// or does not (an injected failure), and returns what the caller gets.
// next's error is the adapter's own.
type Around func(ctx context.Context, op Op, next func() error) error

// Stream wraps the bytes a call moves: the upload PutBlob reads, or the blob
// a Blob call returns.
type Stream func(op Op, r io.Reader) io.Reader

// Kit intercepts the calls of the ports it wraps. Set Around and Stream
// before use, or change them under the kit's lock with Set.
type Kit struct {
	mu     sync.Mutex
	around Around
	stream Stream
}

// Wrap replaces the keys, blobs, messages and notifier of p with ones that
// go through the kit, and returns the kit.
func Wrap(p *imageapp.Ports) *Kit {
	k := &Kit{}
	p.Keys = keys{p.Keys, k}
	p.Blobs = blobs{p.Blobs, k}
	p.Messages = messages{p.Messages, k}
	p.Notifier = notifier{p.Notifier, k}
	return k
}

// Set replaces the kit's hooks; nil passes calls and streams through.
func (k *Kit) Set(around Around, stream Stream) {
	k.mu.Lock()
	k.around, k.stream = around, stream
	k.mu.Unlock()
}

func (k *Kit) call(ctx context.Context, op Op, next func() error) error {
	k.mu.Lock()
	around := k.around
	k.mu.Unlock()
	if around == nil {
		return next()
	}
	return around(ctx, op, next)
}

func (k *Kit) wrap(op Op, r io.Reader) io.Reader {
	k.mu.Lock()
	stream := k.stream
	k.mu.Unlock()
	if stream == nil {
		return r
	}
	return stream(op, r)
}

// FailOn returns an Around that fails op with err, without calling the
// adapter, and passes every other call through.
func FailOn(op Op, err error) Around {
	return func(ctx context.Context, got Op, next func() error) error {
		if got == op {
			return err
		}
		return next()
	}
}

// BreakAfter returns a Stream that breaks op's bytes with err after n bytes.
func BreakAfter(op Op, n int64, err error) Stream {
	return func(got Op, r io.Reader) io.Reader {
		if got != op {
			return r
		}
		return io.MultiReader(io.LimitReader(r, n), ErrReader{err})
	}
}

// ErrReader fails every read with Err.
type ErrReader struct{ Err error }

func (e ErrReader) Read([]byte) (int, error) { return 0, e.Err }

type keys struct {
	imageapp.Keys
	k *Kit
}

func (w keys) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) (dk imageapp.DataKey, err error) {
	err = w.k.call(ctx, GenerateDataKey, func() error {
		dk, err = w.Keys.GenerateDataKey(ctx, keyID, ec)
		return err
	})
	return dk, err
}

func (w keys) Decrypt(ctx context.Context, keyID string, ct []byte, ec map[string]string) (dek []byte, err error) {
	err = w.k.call(ctx, Decrypt, func() error {
		dek, err = w.Keys.Decrypt(ctx, keyID, ct, ec)
		return err
	})
	return dek, err
}

type blobs struct {
	imageapp.Blobs
	k *Kit
}

func (w blobs) PutBlob(ctx context.Context, key string, r io.Reader) error {
	return w.k.call(ctx, PutBlob, func() error { return w.Blobs.PutBlob(ctx, key, w.k.wrap(PutBlob, r)) })
}

func (w blobs) DeleteBlob(ctx context.Context, key string) error {
	return w.k.call(ctx, DeleteBlob, func() error { return w.Blobs.DeleteBlob(ctx, key) })
}

func (w blobs) Blob(ctx context.Context, key string) (rc io.ReadCloser, err error) {
	err = w.k.call(ctx, GetBlob, func() error {
		rc, err = w.Blobs.Blob(ctx, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{w.k.wrap(GetBlob, rc), rc}, nil
}

type messages struct {
	imageapp.MessageStore
	k *Kit
}

func (w messages) CreateMessage(ctx context.Context, m *imageapp.Message) error {
	return w.k.call(ctx, CreateMessage, func() error { return w.MessageStore.CreateMessage(ctx, m) })
}

func (w messages) PutPending(ctx context.Context, id string, started time.Time) error {
	return w.k.call(ctx, PutPending, func() error { return w.MessageStore.PutPending(ctx, id, started) })
}

func (w messages) Message(ctx context.Context, id string) (m *imageapp.Message, err error) {
	err = w.k.call(ctx, GetMessage, func() error {
		m, err = w.MessageStore.Message(ctx, id)
		return err
	})
	return m, err
}

type notifier struct {
	imageapp.Notifier
	k *Kit
}

func (w notifier) Notify(ctx context.Context, to imageapp.User, n imageapp.Notification) error {
	return w.k.call(ctx, Notify, func() error { return w.Notifier.Notify(ctx, to, n) })
}
