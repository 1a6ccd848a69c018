package messaging

import (
	"context"
	"fmt"
	"strings"
	"time"

	"imageapp/app/imageapp"
)

// Message requests, as Signal has them: a person may accept images only
// from people they know — those they sent an image to, or whose request
// they accepted. An image from anyone else is a request: it is stored,
// encrypted, like any other, but waits apart (not in the inbox, its unread
// count or its mail), shows nothing of itself (no thumbnail, no caption),
// and does not open until its recipient accepts the sender. The sender is
// not told: they see it sent and "Delivered". Accepting moves the
// sender's requests into the inbox, unread, and makes them known; deleting
// removes the requests for good (for both, as any delete).

// isRequest reports whether an image from from to to is a message request.
func (s *Service) isRequest(ctx context.Context, to, from imageapp.User) (bool, error) {
	if !to.MessageRequests {
		return false, nil
	}
	known, err := s.Users.Knows(ctx, to.ID, from.ID)
	if err != nil {
		return false, fmt.Errorf("messaging: read the recipient's contacts: %w", err)
	}
	return !known, nil
}

// remember records that user knows contact. A full set is logged, not an
// error: the images still go, and replies past the cap come as requests.
func (s *Service) remember(ctx context.Context, user, contact imageapp.User) error {
	err := s.Users.AddContact(ctx, user.ID, contact.ID)
	if imageapp.ErrorCode(err) == imageapp.EINVALID {
		s.log().WarnContext(ctx, "contacts are full; this one is not remembered", "user_id", user.ID, "max", imageapp.MaxContacts)
		return nil
	}
	if err != nil {
		return fmt.Errorf("messaging: remember the contact: %w", err)
	}
	return nil
}

// replyAccepts accepts to's waiting requests when from sends them an
// image, as Signal takes a reply for an accept: from knows them now, and
// their older images should not stay locked. Only someone with message
// requests on pays the read of their requests for it.
func (s *Service) replyAccepts(ctx context.Context, from, to imageapp.User) error {
	if !from.MessageRequests {
		return nil
	}
	n, err := s.Messages.AcceptRequests(ctx, from.ID, to.ID)
	if err != nil {
		return fmt.Errorf("messaging: accept the requests of the person replied to: %w", err)
	}
	if n > 0 {
		s.log().InfoContext(ctx, "message requests accepted by a reply", "user_id", from.ID, "sender_id", to.ID, "messages", n)
	}
	return nil
}

// errRequest refuses to open a request its recipient has not accepted.
func errRequest(m *imageapp.Message) error {
	return imageapp.Errorf(imageapp.EFORBIDDEN,
		"This image is a message request from %s: accept their request to open it, or delete it.", m.SenderName)
}

// openable loads a message the viewer may open: visible to them, and not
// a request waiting for them.
func (s *Service) openable(ctx context.Context, viewer imageapp.User, id string) (*imageapp.Message, error) {
	m, err := s.visible(ctx, viewer, id)
	if err == nil && m.Request && m.RecipientID == viewer.ID {
		return nil, errRequest(m)
	}
	return m, err
}

// Request is the waiting message requests of one person to the viewer.
type Request struct {
	From   imageapp.User // ID and Username
	Count  int
	Latest time.Time
}

// maxRequestsRead bounds the requests one listing reads: past it, the
// oldest are left out of the list until newer ones are handled.
const maxRequestsRead = 5 * MaxPageSize

// Requests lists who is waiting for the viewer to accept their images,
// the newest first.
func (s *Service) Requests(ctx context.Context, viewer imageapp.User) ([]Request, error) {
	var out []Request
	at := map[string]int{}
	err := s.eachRequest(ctx, viewer, func(m *imageapp.Message) error {
		i, ok := at[m.SenderID]
		if !ok {
			i, at[m.SenderID] = len(out), len(out)
			out = append(out, Request{From: imageapp.User{ID: m.SenderID, Username: m.SenderName}, Latest: m.CreatedAt})
		}
		out[i].Count++
		return nil
	})
	return out, err
}

// requestsGlance is how many of the newest requests RequestsWaiting reads.
const requestsGlance = 50

// RequestsWaiting counts the people whose requests wait for the viewer,
// among the requestsGlance newest: one read of one index, cheap enough
// for every inbox page (Requests lists them all).
func (s *Service) RequestsWaiting(ctx context.Context, viewer imageapp.User) (int, error) {
	page, err := s.Messages.Messages(ctx, imageapp.MessageQuery{UserID: viewer.ID, Box: imageapp.Requests,
		Status: imageapp.AllMessages, Limit: requestsGlance})
	if err != nil {
		return 0, fmt.Errorf("messaging: count requests: %w", err)
	}
	people := map[string]bool{}
	for _, m := range s.withoutExpired(page).Messages {
		people[m.SenderID] = true
	}
	return len(people), nil
}

// eachRequest calls fn for each unexpired request to viewer, newest first,
// up to maxRequestsRead.
func (s *Service) eachRequest(ctx context.Context, viewer imageapp.User, fn func(*imageapp.Message) error) error {
	q := imageapp.MessageQuery{UserID: viewer.ID, Box: imageapp.Requests, Status: imageapp.AllMessages, Limit: MaxPageSize}
	for read := 0; read < maxRequestsRead; read += MaxPageSize {
		page, err := s.Messages.Messages(ctx, q)
		if err != nil {
			return fmt.Errorf("messaging: list requests: %w", err)
		}
		for _, m := range s.withoutExpired(page).Messages {
			if err := fn(m); err != nil {
				return err
			}
		}
		if q.Cursor = page.Next; q.Cursor == "" {
			break
		}
	}
	return nil
}

// requester looks up the person called username for a decision on their requests.
func (s *Service) requester(ctx context.Context, viewer imageapp.User, username string) (imageapp.User, error) {
	other, err := s.Users.UserByUsername(ctx, strings.TrimSpace(username))
	if imageapp.ErrorCode(err) == imageapp.ENOTFOUND || (err == nil && other.ID == viewer.ID) {
		return other, imageapp.Errorf(imageapp.ENOTFOUND, "There is no user called %q.", username)
	}
	return other, err
}

// AcceptRequests accepts the person called username: their waiting images
// move to the viewer's inbox, unread, and their next ones arrive as any
// other. Returns how many images moved (0 is no error: accepting someone
// before they send is allowed), and ENOTFOUND for an unknown user.
func (s *Service) AcceptRequests(ctx context.Context, viewer imageapp.User, username string) (imageapp.User, int, error) {
	other, err := s.requester(ctx, viewer, username)
	if err != nil {
		return other, 0, err
	}
	if err := s.remember(ctx, viewer, other); err != nil {
		return other, 0, err
	}
	n, err := s.Messages.AcceptRequests(ctx, viewer.ID, other.ID)
	if err != nil {
		return other, n, fmt.Errorf("messaging: accept requests: %w", err)
	}
	if n > 0 {
		s.publishSoon(ctx, live{userID: viewer.ID, counted: true,
			event: imageapp.Event{Kind: imageapp.EventMessage, Box: imageapp.Inbox, From: other.Username}})
	}
	s.log().InfoContext(ctx, "message requests accepted", "user_id", viewer.ID, "sender_id", other.ID, "messages", n)
	return other, n, nil
}

// DeleteRequests deletes, for good, the images the person called username
// sent the viewer as requests. Returns how many went.
func (s *Service) DeleteRequests(ctx context.Context, viewer imageapp.User, username string) (imageapp.User, int, error) {
	other, err := s.requester(ctx, viewer, username)
	if err != nil {
		return other, 0, err
	}
	theirs, err := s.requestsOf(ctx, viewer, other.ID)
	if err != nil {
		return other, 0, err
	}
	deleted := 0
	for _, m := range theirs {
		if err := s.shred(ctx, m, deletedBy(viewer, m)); err != nil && imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			return other, deleted, fmt.Errorf("messaging: delete a request: %w", err)
		}
		deleted++
	}
	s.log().InfoContext(ctx, "message requests deleted", "user_id", viewer.ID, "sender_id", other.ID, "messages", deleted)
	return other, deleted, nil
}

// RequestsFrom is how many images of the person called username wait as
// requests to the viewer (what Delete and Block would remove). Returns
// ENOTFOUND for an unknown user.
func (s *Service) RequestsFrom(ctx context.Context, viewer imageapp.User, username string) (imageapp.User, int, error) {
	other, err := s.requester(ctx, viewer, username)
	if err != nil {
		return other, 0, err
	}
	theirs, err := s.requestsOf(ctx, viewer, other.ID)
	return other, len(theirs), err
}

// requestsOf is senderID's requests to viewer, newest first.
func (s *Service) requestsOf(ctx context.Context, viewer imageapp.User, senderID string) ([]*imageapp.Message, error) {
	var theirs []*imageapp.Message
	err := s.eachRequest(ctx, viewer, func(m *imageapp.Message) error {
		if m.SenderID == senderID {
			theirs = append(theirs, m)
		}
		return nil
	})
	return theirs, err
}
