package live

import (
	"context"

	"imageapp/app/imageapp"
)

// Messaging is what a stream asks of the messaging service: the unread
// count it sends with each event.
type Messaging interface {
	UnreadCount(ctx context.Context, viewer imageapp.User) (int, error)
}
