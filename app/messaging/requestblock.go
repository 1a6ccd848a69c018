package messaging

import (
	"context"

	"imageapp/app/imageapp"
)

// BlockRequests blocks the person called username for the viewer, then
// deletes, for good, the images they sent the viewer as requests: "Block"
// on a request. The block comes first, so nothing they send in between
// slips past the deletion as a new request. Returns the person and how many
// images went; ENOTFOUND for an unknown user, EINVALID for oneself.
func (s *Service) BlockRequests(ctx context.Context, viewer imageapp.User, username string) (imageapp.User, int, error) {
	if _, err := s.SetBlocked(ctx, viewer, username, true); err != nil {
		return imageapp.User{}, 0, err
	}
	return s.DeleteRequests(ctx, viewer, username)
}
