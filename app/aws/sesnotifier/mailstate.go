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

// MailState asks SES whether the address is on the account's suppression
// list: there after a hard bounce or a complaint (suppressed: SES drops
// mail to it, and only a new address helps), else mail reaches it (confirmed: Cognito verified it at sign-up, and
// there is no subscription to confirm).
func (n *Notifier) MailState(ctx context.Context, u imageapp.User) (imageapp.MailState, error) {
	if u.Email == "" {
		return imageapp.MailGone, nil
	}
	_, err := n.SES.GetSuppressedDestination(ctx, &sesv2.GetSuppressedDestinationInput{EmailAddress: aws.String(u.Email)})
	var notFound *types.NotFoundException
	switch {
	case errors.As(err, &notFound):
		return imageapp.MailConfirmed, nil
	case err != nil:
		return "", fmt.Errorf("sesnotify: read the suppression of user %s's address: %w", u.ID, err)
	}
	return imageapp.MailSuppressed, nil
}

// ResendConfirmation has nothing to send: SES mails need no confirmation.
// The settings page does not offer it in this mode (MailSuppressed cannot
// be resent); a script asking anyway changes nothing and gets no error. Taking an address off the
// suppression list is the operator's call (it bounced or complained).
func (n *Notifier) ResendConfirmation(ctx context.Context, u imageapp.User) error { return nil }
