package local

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// leaveTemp writes what a put killed mid-upload leaves: a temp file of
// size bytes, last written at mtime.
func leaveTemp(t *testing.T, dir string, size int, mtime time.Time) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(dir, ".tmp-"+strings.Repeat("ab", 16)+"-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chtimes(f.Name(), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func TestStaleUploadsAreRemovedAndCountedOnlyWhenOld(t *testing.T) {
	ctx := context.Background()
	b := &Blobs{Dir: t.TempDir()}
	now := time.Now()
	stored := strings.Repeat("cd", 16)
	if err := b.PutBlob(ctx, stored, strings.NewReader("a stored blob")); err != nil {
		t.Fatal(err)
	}
	old := []string{
		leaveTemp(t, filepath.Join(b.Dir, ".tmp"), 1000, now.Add(-4*time.Hour)),
		leaveTemp(t, filepath.Join(b.Dir, ".tmp"), 2000, now.Add(-5*time.Hour)),
		leaveTemp(t, filepath.Join(b.Dir, "ab"), 300, now.Add(-6*time.Hour)), // where older versions put them
	}
	young := leaveTemp(t, filepath.Join(b.Dir, ".tmp"), 50, now.Add(-time.Minute)) // maybe a put in flight

	files, bytes, err := b.RemoveStaleUploads(ctx, now.Add(-3*time.Hour))
	if err != nil || files != 3 || bytes != 3300 {
		t.Errorf("RemoveStaleUploads = %d files, %d bytes, %v; want the 3 old temp files, 3300 bytes", files, bytes, err)
	}
	for _, p := range old {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("the old temp file %s is still there", p)
		}
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("a young temp file (a put in flight) was removed: %v", err)
	}
	if rc, err := b.Blob(ctx, stored); err != nil {
		t.Errorf("the stored blob is gone: %v", err)
	} else {
		rc.Close()
	}
	if files, bytes, err := b.RemoveStaleUploads(ctx, now.Add(-3*time.Hour)); err != nil || files != 0 || bytes != 0 {
		t.Errorf("a second sweep = %d files, %d bytes, %v; want nothing counted: nothing old is left", files, bytes, err)
	}
}

// failingReader fails part way, as a client that goes away mid-upload.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

func TestAPutKeepsItsTempFileOutOfTheBlobFolders(t *testing.T) {
	ctx := context.Background()
	b := &Blobs{Dir: t.TempDir()}
	key := strings.Repeat("ef", 16)
	if err := b.PutBlob(ctx, key, &failingReader{n: 1 << 16}); err == nil {
		t.Fatal("a put whose reader failed succeeded")
	}
	if err := b.PutBlob(ctx, key, strings.NewReader("whole")); err != nil {
		t.Fatal(err)
	}
	leaveTemp(t, filepath.Join(b.Dir, ".tmp"), 10, time.Now())
	var keys []string
	if err := b.ListBlobs(ctx, func(i imageapp.BlobInfo) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0] != key {
		t.Errorf("ListBlobs = %v; want only %s, no temp file", keys, key)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(b.Dir, "ef", ".tmp-*")); len(leftovers) != 0 {
		t.Errorf("temp files beside the blobs: %v; want them under .tmp/", leftovers)
	}
}

// TestAPutMakesMissingFolders: puts make the temp folder and a blob's
// folder when they find them missing (they are not checked before each
// put), also when one is removed while the store runs.
func TestAPutMakesMissingFolders(t *testing.T) {
	ctx := context.Background()
	b := &Blobs{Dir: filepath.Join(t.TempDir(), "blobs")}
	first, second := strings.Repeat("ab", 16), strings.Repeat("ab", 15)+"cd"
	if err := b.PutBlob(ctx, first, strings.NewReader("one")); err != nil {
		t.Fatalf("a put into a new store: %v", err)
	}
	for _, dir := range []string{".tmp", "ab"} {
		if err := os.RemoveAll(filepath.Join(b.Dir, dir)); err != nil {
			t.Fatal(err)
		}
		if err := b.PutBlob(ctx, second, strings.NewReader("two")); err != nil {
			t.Fatalf("a put after %s/ was removed: %v", dir, err)
		}
	}
	r, err := b.Blob(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, _ := io.ReadAll(r); string(got) != "two" {
		t.Errorf("blob = %q; want %q", got, "two")
	}
}
