package messaging

import (
	"context"

	"imageapp/app/imageapp"
)

// ReadMeta decrypts a message's caption and file name for its recipient or
// its sender, like Open, but leaves it as it was: an export of someone's
// data must not mark their unread messages read, nor tell the sender's open
// pages that they were. It costs one key unwrap per message (no cache: an
// export reads each message once, and a cached data key would outlive it).
// A view-once message shows neither, as with Open. Returns ENOTFOUND unless
// the viewer is the recipient or the sender (or the message expired),
// EFORBIDDEN for a request the viewer has not accepted, and
// EINTEGRITY when the stored data was altered. how names the viewer's
// session for the decrypt record, and the purpose (imageapp.PurposeExport
// if none).
func (s *Service) ReadMeta(ctx context.Context, viewer imageapp.User, id string, how ...Access) (*Opened, error) {
	return s.readMeta(ctx, viewer, id, accessOf(viewer, imageapp.PurposeExport, how))
}

func (s *Service) readMeta(ctx context.Context, viewer imageapp.User, id string, a Access) (*Opened, error) {
	m, err := s.openable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	s.receipts().hide(ctx, viewer, []*imageapp.Message{m}) // as Open: read state only when shared
	if m.ViewOnce {
		return &Opened{Message: m}, nil // as Open: nothing of it shows outside its one view
	}
	dek, err := s.dataKey(ctx, m, a)
	if err != nil {
		return nil, err
	}
	defer clear(dek)
	return s.openMeta(ctx, m, dek)
}
