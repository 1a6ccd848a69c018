package accounts

import (
	"context"

	"imageapp/app/imageapp"
)

// SetPrivacy stores the viewer's privacy settings. A hidden person leaves
// the directory and its search; whoever knows their exact username can
// still send to them. Read receipts off hides when they open images from
// their senders, and when others open theirs (see messaging's receipts).
func (s *Service) SetPrivacy(ctx context.Context, viewer imageapp.User, p imageapp.Privacy) error {
	if err := s.Users.SetPrivacy(ctx, viewer.ID, p); err != nil {
		return err
	}
	s.log().InfoContext(ctx, "privacy settings changed", "user_id", viewer.ID, "read_receipts", p.ReadReceipts, "listed", p.Listed,
		"notify_by_mail", p.NotifyByMail)
	return nil
}
