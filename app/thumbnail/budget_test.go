package thumbnail

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"testing"
	"time"
)

// TestTooCostly: a decode larger than the whole budget fails at once with
// ErrTooCostly, whatever the format.
func TestTooCostly(t *testing.T) {
	small := NewBudget(200 << 10)
	for name, data := range map[string][]byte{
		"jpeg": encodeJPEG(t, image.NewGray(image.Rect(0, 0, 2000, 1500)), 80),
		"png":  bomb(),
		"gif":  encoded(t, "gif", 400, 300),
		"webp": fixture(t, "lossless.webp"),
	} {
		start := time.Now()
		_, err := Make(context.Background(), bytes.NewReader(data), small)
		if !errors.Is(err, ErrTooCostly) {
			t.Errorf("%s under 200 KiB: %v; want ErrTooCostly", name, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: ErrTooCostly took %v", name, d)
		}
	}
}

// TestCancelWhileWaiting: a decode waiting for the budget gives up when its
// context ends, and one that waits gets it when it is released.
func TestCancelWhileWaiting(t *testing.T) {
	budget := NewBudget(4 << 20)
	release, err := budget.acquire(context.Background(), 4<<20) // all of it, held elsewhere
	if err != nil {
		t.Fatal(err)
	}
	data := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 1600, 1200)), 80)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Make(ctx, bytes.NewReader(data), budget); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: %v; want context.DeadlineExceeded", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Make(context.Background(), bytes.NewReader(data), budget)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Make did not wait for the budget: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-done; err != nil {
		t.Errorf("after the release: %v", err)
	}
}

// TestHugeHeaders: a PNG header may claim 2³¹-1 pixels a side; the cost
// of such an image must come out too large, not overflow into a small one
// (a row alone of the narrowest is 8 MiB).
func TestHugeHeaders(t *testing.T) {
	for _, interlaced := range []byte{0, 1} {
		for _, size := range [][2]uint32{{1<<31 - 1, 1<<31 - 1}, {1<<31 - 1, 1 << 30}, {1 << 20, 1<<31 - 1}} {
			ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, size[0]), size[1])
			var buf bytes.Buffer
			buf.WriteString(pngHeader)
			binary.Write(&buf, binary.BigEndian, uint32(13))
			buf.WriteString("IHDR")
			buf.Write(append(ihdr, 16, 6, 0, 0, interlaced))
			buf.Write([]byte{0, 0, 0, 0})
			buf.Write([]byte{0, 0, 0, 0, 'I', 'D', 'A', 'T', 0, 0, 0, 0})
			_, err := Make(context.Background(), &buf, NewBudget(16<<20))
			if !errors.Is(err, ErrTooCostly) {
				t.Errorf("%dx%d, interlaced %d: %v; want ErrTooCostly", size[0], size[1], interlaced, err)
			}
		}
	}
}
