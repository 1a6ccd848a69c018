package local

import (
	"context"
	"fmt"
	"sync"

	"imageapp/app/imageapp"
)

// Notifier delivers notifications in-process: live subscribers (the web UI)
// get them at once, and the recipient gets an email in the outbox, as the
// SNS email subscription does in AWS mode.
type Notifier struct {
	Outbox  *Outbox
	BaseURL string // for the link in the email

	mu   sync.Mutex
	subs map[string]map[chan imageapp.Notification]struct{}
}

var _ imageapp.Notifier = (*Notifier)(nil)

// CreateUserTopic has nothing to create locally; the topic is the user ID.
func (n *Notifier) CreateUserTopic(ctx context.Context, u imageapp.User) (string, error) {
	return "local:" + u.ID, nil
}

// Notify wakes the recipient's live subscribers and mails them.
func (n *Notifier) Notify(ctx context.Context, recipient imageapp.User, note imageapp.Notification) error {
	n.mu.Lock()
	for ch := range n.subs[recipient.ID] {
		select {
		case ch <- note:
		default: // a slow subscriber misses a wake-up, not the message
		}
	}
	n.mu.Unlock()
	if n.Outbox == nil {
		return nil
	}
	err := n.Outbox.Send(Mail{
		To:      recipient.Email,
		Subject: fmt.Sprintf("New image from %s", note.SenderName),
		Body: fmt.Sprintf("%s sent you an image on ImageApp.\n\nOpen your inbox: %s/inbox\n",
			note.SenderName, n.BaseURL),
	})
	return err
}

// Subscribe returns a channel of the user's notifications and a function
// that ends the subscription.
func (n *Notifier) Subscribe(userID string) (<-chan imageapp.Notification, func()) {
	ch := make(chan imageapp.Notification, 8)
	n.mu.Lock()
	if n.subs == nil {
		n.subs = map[string]map[chan imageapp.Notification]struct{}{}
	}
	if n.subs[userID] == nil {
		n.subs[userID] = map[chan imageapp.Notification]struct{}{}
	}
	n.subs[userID][ch] = struct{}{}
	n.mu.Unlock()
	return ch, func() {
		n.mu.Lock()
		delete(n.subs[userID], ch)
		if len(n.subs[userID]) == 0 {
			delete(n.subs, userID)
		}
		n.mu.Unlock()
	}
}
