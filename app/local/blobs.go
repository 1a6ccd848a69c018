package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"imageapp/app/imageapp"
)

// Blobs stores encrypted blobs as files under <data>/blobs/<2 chars>/<key>.
type Blobs struct{ Dir string }

var _ imageapp.Blobs = (*Blobs)(nil)

// Keys are message IDs; refusing anything else rules out path tricks.
var blobKeyPattern = regexp.MustCompile(`^[0-9a-f]{8,64}$`)

func (b *Blobs) path(key string) (string, error) {
	if !blobKeyPattern.MatchString(key) {
		return "", fmt.Errorf("local: invalid blob key %q", key)
	}
	return filepath.Join(b.Dir, key[:2], key), nil
}

// PutBlob writes r to a temp file, syncs it, then renames it into place, so
// a failure or a crash never leaves a partial blob under the key. The
// directory is not synced after the rename: it measured 1.5-2 ms a send, and
// the message row that names the blob is itself only durable at the next
// WAL sync (synchronous=NORMAL), whose journal commit on ext4 and XFS
// carries the earlier rename with it; a crash loses both, or leaves an
// orphan blob for the sweeper.
func (b *Blobs) PutBlob(ctx context.Context, key string, r io.Reader) error {
	path, err := b.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fsError(err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+key+"-*")
	if err != nil {
		return fsError(err)
	}
	tmp := f.Name()
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fsError(err)
	}
	return nil
}

// Blob opens a stored blob; ENOTFOUND if it does not exist.
func (b *Blobs) Blob(ctx context.Context, key string) (io.ReadCloser, error) {
	path, err := b.path(key)
	if err != nil {
		return nil, imageapp.ErrNoSuchBlob()
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, imageapp.ErrNoSuchBlob()
	}
	if err != nil {
		return nil, fmt.Errorf("local: open blob: %w", err)
	}
	return f, nil
}

// DeleteBlob removes a blob; a missing one is fine.
func (b *Blobs) DeleteBlob(ctx context.Context, key string) error {
	path, err := b.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("local: delete blob: %w", err)
	}
	return nil
}

// ListBlobs walks the blob directory. Temp files of puts in flight are
// skipped; they are removed by the put that made them.
func (b *Blobs) ListBlobs(ctx context.Context, fn func(imageapp.BlobInfo) error) error {
	err := filepath.WalkDir(b.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(imageapp.BlobInfo{Key: d.Name(), Modified: info.ModTime()})
	})
	if err != nil {
		return fmt.Errorf("local: list blobs: %w", err)
	}
	return nil
}

// fsError turns a full or read-only disk into an error a person can act on.
func fsError(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%w: %v", imageapp.ErrDiskFull(), err)
	case errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %v", imageapp.ErrCannotWrite(), err)
	}
	return fmt.Errorf("local: write blob: %w", err)
}
