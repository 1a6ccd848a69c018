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
	"sync/atomic"
	"syscall"
	"time"

	"imageapp/app/imageapp"
)

// Blobs stores encrypted blobs as files under <data>/blobs/<2 chars>/<key>.
// A put writes to a temp file under <data>/blobs/.tmp/ first, so that what
// a crashed put leaves behind is found without reading every blob's folder.
type Blobs struct {
	Dir string

	// oldTempsSwept is set once RemoveStaleUploads has looked for the temp
	// files that versions before .tmp/ left beside the blobs.
	oldTempsSwept atomic.Bool
}

// tempDir holds the temp files of puts in flight, and of puts that crashed.
const tempDir = ".tmp"

// tempPrefix starts the name of every temp file of a put.
const tempPrefix = ".tmp-"

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
// a failure or a crash never leaves a partial blob under the key (a crash
// leaves the temp file, for RemoveStaleUploads). The
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
	// The folders are made when a create or rename finds one missing, not
	// checked before every put: two MkdirAll were a tenth of a send's fixed
	// cost (bench README).
	tmpDir := filepath.Join(b.Dir, tempDir)
	f, err := os.CreateTemp(tmpDir, tempPrefix+key+"-*")
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(tmpDir, 0o700); err == nil {
			f, err = os.CreateTemp(tmpDir, tempPrefix+key+"-*")
		}
	}
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
		if errors.Is(err, fs.ErrNotExist) { // the blob's folder, first of its two characters
			if err = os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
				err = os.Rename(tmp, path)
			}
		}
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

// ListBlobs walks the blob directory. Temp files of puts are skipped: the
// put that made them removes them, or RemoveStaleUploads when it crashed.
func (b *Blobs) ListBlobs(ctx context.Context, fn func(imageapp.BlobInfo) error) error {
	err := filepath.WalkDir(b.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() && d.Name() == tempDir && path != b.Dir {
			return fs.SkipDir
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), tempPrefix) {
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

// RemoveStaleUploads removes the temp files of puts that began before
// cutoff and never finished (the process was killed mid-put), and returns
// how many files it removed and their bytes; a file that is gone already is
// not counted. It reads only the temp folder, whose size grows with such
// leftovers, not with the blobs kept; the first call of a process also
// walks the blob folders once for the temp files that versions before the
// temp folder left there. cutoff must be older than any put in flight may
// be (the send grace).
func (b *Blobs) RemoveStaleUploads(ctx context.Context, cutoff time.Time) (files int, bytes int64, err error) {
	remove := func(path string, d fs.DirEntry) error {
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !info.ModTime().Before(cutoff) {
			return nil
		}
		if err := os.Remove(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		files++
		bytes += info.Size()
		return nil
	}
	entries, err := os.ReadDir(filepath.Join(b.Dir, tempDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, 0, fmt.Errorf("local: read temp blobs: %w", err)
	}
	var errs []error
	for _, d := range entries {
		if ctx.Err() != nil {
			return files, bytes, ctx.Err()
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), tempPrefix) {
			errs = append(errs, remove(filepath.Join(b.Dir, tempDir, d.Name()), d))
		}
	}
	if !b.oldTempsSwept.Load() {
		werr := filepath.WalkDir(b.Dir, func(path string, d fs.DirEntry, err error) error {
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return nil
			case err != nil:
				return err
			case ctx.Err() != nil:
				return ctx.Err()
			case d.IsDir() && d.Name() == tempDir && path != b.Dir:
				return fs.SkipDir
			case d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix):
				return nil
			}
			errs = append(errs, remove(path, d))
			return nil
		})
		errs = append(errs, werr)
		if werr == nil {
			b.oldTempsSwept.Store(true)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return files, bytes, fmt.Errorf("local: remove stale uploads: %w", err)
	}
	return files, bytes, nil
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
