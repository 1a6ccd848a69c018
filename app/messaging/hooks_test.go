package messaging

import (
	"context"

	"imageapp/app/imageapp"
)

// CheckRequestAllowance lets the external tests call checkRequestAllowance
// as Send does.
func (s *Service) CheckRequestAllowance(ctx context.Context, to, from imageapp.User) error {
	request, err := s.isRequest(ctx, to, from)
	if err != nil {
		return err
	}
	return s.checkRequestAllowance(ctx, to, request)
}
