package messaging

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"imageapp/app/imageapp"
)

// Blocking, as Signal has it: someone you block cannot send to you, and is
// not told. Their send goes exactly as any other — same checks, upload,
// answer and Sent entry ("Delivered", never "Opened") — but the message is
// withheld: you never see it, nothing notifies you, and it does not count
// against your storage. Unblocking does not release what was withheld.

// blocks reports whether to blocks from.
func (s *Service) blocks(ctx context.Context, to, from imageapp.User) (bool, error) {
	blocked, err := s.Users.Blocked(ctx, to.ID)
	if err != nil {
		return false, fmt.Errorf("messaging: read the recipient's blocks: %w", err)
	}
	return slices.Contains(blocked, from.ID), nil
}

// SetBlocked blocks (or unblocks) the user called username for viewer.
// Returns ENOTFOUND for an unknown user, EINVALID for oneself.
func (s *Service) SetBlocked(ctx context.Context, viewer imageapp.User, username string, blocked bool) (imageapp.User, error) {
	other, err := s.Users.UserByUsername(ctx, username)
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
		return other, imageapp.Errorf(imageapp.ENOTFOUND, "There is no user called %q.", username)
	} else if err != nil {
		return other, err
	}
	if other.ID == viewer.ID {
		return other, imageapp.Errorf(imageapp.EINVALID, "You cannot block yourself.")
	}
	return other, s.Users.SetBlocked(ctx, viewer.ID, other.ID, blocked)
}

// BlockedPeople lists the people viewer blocks who still have an account,
// by username.
func (s *Service) BlockedPeople(ctx context.Context, viewer imageapp.User) ([]imageapp.User, error) {
	ids, err := s.Users.Blocked(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	var people []imageapp.User
	for _, id := range ids {
		u, err := s.Users.UserByID(ctx, id)
		if imageapp.ErrorCode(err) == imageapp.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		people = append(people, u)
	}
	slices.SortFunc(people, func(a, b imageapp.User) int {
		return strings.Compare(strings.ToLower(a.Username), strings.ToLower(b.Username))
	})
	return people, nil
}

// IsBlocked reports whether viewer blocks other.
func (s *Service) IsBlocked(ctx context.Context, viewer, other imageapp.User) (bool, error) {
	return s.blocks(ctx, viewer, other)
}

// withoutWithheld leaves out of the viewer's page the messages withheld
// from them (a conversation lists both people's messages).
func withoutWithheld(viewer imageapp.User, page imageapp.MessagePage) imageapp.MessagePage {
	kept := page.Messages[:0]
	for _, m := range page.Messages {
		if !(m.Withheld && m.RecipientID == viewer.ID) {
			kept = append(kept, m)
		}
	}
	page.Messages = kept
	return page
}
