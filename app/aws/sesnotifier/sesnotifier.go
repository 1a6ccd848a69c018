// Package sesnotifier tells users about new images with Amazon SES (v2):
// one SendEmail straight to the address Cognito verified at sign-up. Unlike
// snsnotifier it keeps no resource per user (no topic, no subscription to
// confirm), so the number of users is bounded by nothing here; SES's own
// quotas are mails per day and per second (terraform/README.md, "Mail modes").
// A notification names the sender and links to the message; it never
// carries the image, caption or a key.
package sesnotifier

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"imageapp/app/imageapp"
)

// API is the part of the SES v2 client the adapter uses.
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
	GetSuppressedDestination(ctx context.Context, in *sesv2.GetSuppressedDestinationInput, optFns ...func(*sesv2.Options)) (*sesv2.GetSuppressedDestinationOutput, error)
}

// Notifier implements imageapp.Notifier on SES.
type Notifier struct {
	SES  API
	From string // the From address, within a verified SES identity
	// ConfigurationSet names the SES configuration set every mail goes
	// through (its event destination reports bounces and complaints);
	// "" sends without one.
	ConfigurationSet string
	BaseURL          string // prefixed to the /messages/<id> link; "" leaves the path alone
}

var _ imageapp.Notifier = (*Notifier)(nil)

// Topic is what a user's Topic holds in SES mode: there is no per-user
// resource, but a provisioned user must still have one (User.Provisioned).
const Topic = "ses"

// CreateUserTopic creates nothing: SES mails the address directly, and
// Cognito has verified it already.
func (n *Notifier) CreateUserTopic(ctx context.Context, u imageapp.User) (string, error) {
	return Topic, nil
}

// DeleteUserTopic has nothing to delete.
func (n *Notifier) DeleteUserTopic(ctx context.Context, u imageapp.User) error { return nil }

// Notify mails one notification to the recipient's address. SES itself
// drops mail to an address on the account's suppression list.
func (n *Notifier) Notify(ctx context.Context, recipient imageapp.User, note imageapp.Notification) error {
	if recipient.Email == "" {
		return fmt.Errorf("sesnotify: user %s has no email", recipient.ID)
	}
	if err := n.send(ctx, recipient.Email, note.MailSubject(), note.MailBody(n.BaseURL)); err != nil {
		return fmt.Errorf("sesnotify: mail user %s: %w", recipient.ID, err)
	}
	return nil
}

// ChangeEmail tells the old address of the change (the security notice).
// Nothing is subscribed or unsubscribed: the next mail goes to u.Email,
// which Cognito verified before the change took effect.
func (n *Notifier) ChangeEmail(ctx context.Context, u imageapp.User, oldEmail string) error {
	if oldEmail == "" {
		return nil // no old address to tell
	}
	subject, body := imageapp.EmailChangedNotice(u.Email)
	if err := n.send(ctx, oldEmail, subject, body); err != nil {
		return fmt.Errorf("sesnotify: mail the email-change notice of user %s: %w", u.ID, err)
	}
	return nil
}

func (n *Notifier) send(ctx context.Context, to, subject, body string) error {
	if n.From == "" {
		return errors.New("no From address (IMAGEAPP_SES_FROM)")
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(n.From),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(subject), Charset: aws.String("UTF-8")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(body), Charset: aws.String("UTF-8")}},
		}},
	}
	if n.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(n.ConfigurationSet)
	}
	_, err := n.SES.SendEmail(ctx, in)
	return err
}
