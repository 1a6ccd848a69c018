package messaging

import (
	"context"

	"imageapp/app/imageapp"
)

// CheckRequestAllowance lets the external tests call checkRequestAllowance
// as Send does.
func (s *Service) CheckRequestAllowance(ctx context.Context, to, from imageapp.User) error {
	return s.checkRequestAllowance(ctx, to, from)
}
