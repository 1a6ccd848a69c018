package local

import (
	"context"

	"imageapp/app/imageapp"
)

// Notifier mails the recipient of a message through the outbox, as the SNS
// email subscription does in AWS mode.
type Notifier struct {
	Outbox  *Outbox
	BaseURL string // for the link in the email
}

var _ imageapp.Notifier = (*Notifier)(nil)

// CreateUserTopic has nothing to create locally; the topic is the user ID.
func (n *Notifier) CreateUserTopic(ctx context.Context, u imageapp.User) (string, error) {
	return "local:" + u.ID, nil
}

// Notify mails the recipient in the words every mail mode uses
// (Notification.MailSubject, MailBody): who sent how many images and a
// link; never a caption or an image.
func (n *Notifier) Notify(ctx context.Context, recipient imageapp.User, note imageapp.Notification) error {
	if n.Outbox == nil {
		return nil
	}
	return n.Outbox.Send(Mail{To: recipient.Email, Subject: note.MailSubject(), Body: note.MailBody(n.BaseURL)})
}

// MailState is always the outbox: local mode writes mail to files.
func (n *Notifier) MailState(ctx context.Context, u imageapp.User) (imageapp.MailState, error) {
	return imageapp.MailOutbox, nil
}

// ResendConfirmation has nothing to do: the outbox needs no confirmation.
func (n *Notifier) ResendConfirmation(ctx context.Context, u imageapp.User) error { return nil }
