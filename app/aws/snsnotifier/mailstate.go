package snsnotifier

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"imageapp/app/imageapp"
)

// What ListSubscriptionsByTopic puts where a subscription's ARN would be.
const (
	listedPending = "PendingConfirmation" // mailed, not confirmed yet
	listedDeleted = "Deleted"             // being removed
)

// Subscription is what SNS says of one email subscription: the ARN the
// topic's list shows, and the subscription's attributes when they could be
// read (nil: not read; NotFound: the subscription is gone).
type Subscription struct {
	ListedARN  string
	Attributes map[string]string
	NotFound   bool
}

// State maps one subscription to the user's mail state. A pending
// subscription is listed as "PendingConfirmation"; one that has an ARN is
// confirmed unless its PendingConfirmation attribute says otherwise (SNS
// gives pending subscriptions ARNs too, to callers that ask for them).
func (s Subscription) State() imageapp.MailState {
	switch {
	case s.NotFound || s.ListedARN == listedDeleted || s.ListedARN == "":
		return imageapp.MailGone
	case s.ListedARN == listedPending:
		return imageapp.MailPending
	case s.Attributes["PendingConfirmation"] == "true":
		return imageapp.MailPending
	}
	return imageapp.MailConfirmed
}

// Best is the state of the user's mail given all the subscriptions of their
// address: the best one counts (confirmed, then pending, then gone).
func Best(subs []Subscription) imageapp.MailState {
	best := imageapp.MailGone
	for _, s := range subs {
		switch st := s.State(); {
		case st == imageapp.MailConfirmed:
			return st
		case st == imageapp.MailPending:
			best = st
		}
	}
	return best
}

// MailState reads u's email subscriptions to their topic: the topic's list,
// then, for a subscription listed with an ARN, its attributes.
func (n *Notifier) MailState(ctx context.Context, u imageapp.User) (imageapp.MailState, error) {
	subs, err := n.subscriptions(ctx, u)
	if err != nil {
		return "", err
	}
	return Best(subs), nil
}

func (n *Notifier) subscriptions(ctx context.Context, u imageapp.User) ([]Subscription, error) {
	if u.Topic == "" || u.Email == "" {
		return nil, nil // not provisioned yet: nothing is subscribed
	}
	var out []Subscription
	pages := sns.NewListSubscriptionsByTopicPaginator(n.SNS, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(u.Topic)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("snsnotify: list subscriptions of %s: %w", u.Topic, err)
		}
		for _, listed := range page.Subscriptions {
			if !isEmailOf(listed, u.Email) {
				continue
			}
			s := Subscription{ListedARN: aws.ToString(listed.SubscriptionArn)}
			if s.ListedARN != listedPending && s.ListedARN != listedDeleted && s.ListedARN != "" {
				attrs, err := n.SNS.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: listed.SubscriptionArn})
				var notFound *types.NotFoundException
				switch {
				case errors.As(err, &notFound):
					s.NotFound = true
				case isAccessDenied(err):
					// Without the attributes the list's word stands: an ARN
					// there is a confirmed subscription.
				case err != nil:
					return nil, fmt.Errorf("snsnotify: read a subscription of %s: %w", u.Topic, err)
				default:
					s.Attributes = attrs.Attributes
				}
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func isEmailOf(s types.Subscription, email string) bool {
	return aws.ToString(s.Protocol) == "email" && aws.ToString(s.Endpoint) == email
}

func isAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "AuthorizationError" || ae.ErrorCode() == "AccessDenied")
}

// ResendConfirmation subscribes u's email to their topic again unless it is
// confirmed: SNS mails the confirmation link again for a pending
// subscription, and starts a new pending one for a gone address.
func (n *Notifier) ResendConfirmation(ctx context.Context, u imageapp.User) error {
	if u.Topic == "" || u.Email == "" {
		return fmt.Errorf("snsnotify: user %s has no topic or email yet", u.ID)
	}
	state, err := n.MailState(ctx, u)
	if err != nil || !state.CanResend() {
		return err
	}
	_, err = n.SNS.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(u.Topic), Protocol: aws.String("email"), Endpoint: aws.String(u.Email)})
	if err != nil {
		return fmt.Errorf("snsnotify: subscribe the user's email to %s again: %w", u.Topic, err)
	}
	return nil
}
