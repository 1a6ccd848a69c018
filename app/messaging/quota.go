package messaging

import (
	"context"
	"fmt"

	"imageapp/app/imageapp"
)

// MaxRequestBytes caps the share of a person's storage that message
// requests may fill (RequestAllowance), however large the quota.
const MaxRequestBytes = 50 << 20

// RequestAllowance is how many bytes of message requests may wait for one
// person: 5% of the storage quota or MaxRequestBytes, whichever is
// smaller. Strangers' images wait as requests the recipient has not seen;
// without an allowance of their own they could fill the recipient's quota,
// and then the images of people the recipient knows would be refused.
// Zero when there is no quota.
func (s *Service) RequestAllowance() int64 {
	if s.QuotaBytes <= 0 {
		return 0
	}
	return min(s.QuotaBytes/20, MaxRequestBytes)
}

// checkRequestAllowance refuses a send that would wait as a message
// request (isRequest) when to's waiting requests already fill their
// RequestAllowance; a send that is no request (from a contact, or to
// someone who takes images from anyone) is never refused for it. Send calls
// it right after checkQuota and, like it, before the block check, so a
// blocked sender gets the answer anyone would.
func (s *Service) checkRequestAllowance(ctx context.Context, to imageapp.User, request bool) error {
	allowance := s.RequestAllowance()
	if allowance <= 0 || !request {
		return nil
	}
	waiting, err := s.Messages.RequestBytes(ctx, to.ID, allowance)
	if err != nil {
		return fmt.Errorf("messaging: read the recipient's request bytes: %w", err)
	}
	if waiting >= allowance {
		s.log().WarnContext(ctx, "recipient's message requests fill their allowance", "recipient_id", to.ID,
			"request_bytes", waiting, "allowance_bytes", allowance)
		return imageapp.ErrRequestsFull(to.Username)
	}
	return nil
}

// Storage is how much of a person's storage quota their received images use.
type Storage struct {
	Used     int64 // bytes of received images kept, requests included
	Quota    int64 // the quota; zero when there is none
	Requests int64 // bytes of message requests waiting, up to the allowance
	Full     bool  // whether a send to them is refused for the quota now
}

// StorageOf reports how full the viewer's storage is, so that the pages can
// tell them when it is full (a send to them is refused) and that deleting
// requests they have not seen frees it.
func (s *Service) StorageOf(ctx context.Context, viewer imageapp.User) (Storage, error) {
	st := Storage{Quota: max(s.QuotaBytes, 0)}
	if st.Quota == 0 {
		return st, nil
	}
	var err error
	if st.Used, err = s.Messages.StoredBytes(ctx, viewer.ID); err != nil {
		return st, fmt.Errorf("messaging: read stored bytes: %w", err)
	}
	st.Full = st.Used >= st.Quota
	if st.Full {
		if st.Requests, err = s.Messages.RequestBytes(ctx, viewer.ID, s.RequestAllowance()); err != nil {
			return st, fmt.Errorf("messaging: read request bytes: %w", err)
		}
	}
	return st, nil
}
