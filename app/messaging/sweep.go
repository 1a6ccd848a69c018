package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"imageapp/app/imageapp"
)

// DefaultMaxSendTime bounds a send from its pending marker to its message's
// write when Service.MaxSendTime is zero. The web layer's default pace lets
// 20 MiB arrive in 85 minutes over a poor link, so two hours spare every
// honest upload of the default size; a slower one fails, cleanly.
const DefaultMaxSendTime = 2 * time.Hour

// sweepBatch is how many markers one read of a sweep takes; sweepErrors is
// how many markers may fail to settle before a sweep gives up until the next.
const (
	sweepBatch  = 100
	sweepErrors = 10
)

func (s *Service) maxSendTime() time.Duration {
	if s.MaxSendTime > 0 {
		return s.MaxSendTime
	}
	return DefaultMaxSendTime
}

// SweepGrace is the grace the app sweeps with: an hour more than a send may
// take. SweepOrphans refuses any grace that a send (and the half minute its
// failure takes to settle) could outlast.
func (s *Service) SweepGrace() time.Duration { return s.maxSendTime() + time.Hour }

// SweepOrphans removes the blobs no message will ever point to: those of
// sends that crashed (or could not clean up) between their upload and their
// message's write, and of deletes whose blob removal failed. It reads only
// the pending markers older than grace, never the blob store or the
// messages, so its cost grows with the orphans, not with the messages kept:
// one PendingBefore per batch of up to 100 markers, then for each marker one
// MessageExists and one ClearPending, and one Blob and one DeleteBlob if it
// has no message (a marker whose message exists only loses its marker). It
// returns the number of blobs removed, counting only those that were there:
// a send killed before its blob was stored leaves a marker and no blob (and,
// in the embedded store, a temp file that Blobs.RemoveStaleUploads removes).
// A marker it cannot settle stays for the next sweep; the sweep stops when
// ctx ends.
func (s *Service) SweepOrphans(ctx context.Context, grace time.Duration) (int, error) {
	if least := s.maxSendTime() + time.Minute; grace < least {
		return 0, fmt.Errorf("messaging: a sweep's grace of %v is shorter than a send may take (%v)", grace, least)
	}
	cutoff := s.now().Add(-grace)
	seen := map[string]bool{} // a marker cleared a moment ago may be listed again (DynamoDB's index lags)
	removed := 0
	var errs []error
	for {
		batch, err := s.Messages.PendingBefore(ctx, cutoff, sweepBatch)
		if err != nil {
			errs = append(errs, err)
			break
		}
		fresh := 0
		for _, p := range batch {
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			fresh++
			orphan, err := s.settlePending(ctx, p.ID)
			if orphan {
				removed++
			}
			if err != nil {
				errs = append(errs, err)
			}
			if ctx.Err() != nil || len(errs) >= sweepErrors {
				return removed, sweepError(ctx, errs)
			}
		}
		if len(batch) < sweepBatch || fresh == 0 {
			break
		}
	}
	return removed, sweepError(ctx, errs)
}

// settlePending settles one old marker: the blob goes if no message points to
// it, then the marker. removed reports whether there was a blob to remove.
func (s *Service) settlePending(ctx context.Context, id string) (removed bool, err error) {
	exists, err := s.Messages.MessageExists(ctx, id)
	if err != nil {
		return false, err
	}
	if !exists {
		if removed, err = s.blobStored(ctx, id); err != nil {
			return false, err
		}
		if err := s.Blobs.DeleteBlob(ctx, id); err != nil {
			return false, err
		}
		if removed {
			s.log().InfoContext(ctx, "removed orphan blob", "message_id", id)
		}
	}
	return removed, s.Messages.ClearPending(ctx, id)
}

// blobStored reports whether the blob id is stored. DeleteBlob cannot tell,
// as deleting a missing blob is no error, and a sweep that counted every
// marker as a removed blob would report work it did not do.
func (s *Service) blobStored(ctx context.Context, id string) (bool, error) {
	rc, err := s.Blobs.Blob(ctx, id)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rc.Close()
	return true, nil
}

func sweepError(ctx context.Context, errs []error) error {
	if ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("messaging: sweep: %w", errors.Join(errs...))
}
