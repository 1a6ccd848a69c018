package snsnotifier

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"imageapp/app/imageapp"
)

// ChangeEmail publishes the security notice to u's topic while only the old
// address is subscribed (the app has no other way to mail it), then
// subscribes the new address, which SNS asks to confirm, and unsubscribes
// the old one. A pending old subscription has no ARN to unsubscribe; SNS
// drops it when its confirmation link expires.
func (n *Notifier) ChangeEmail(ctx context.Context, u imageapp.User, oldEmail string) error {
	if u.Topic == "" {
		return fmt.Errorf("snsnotify: user %s has no topic", u.ID)
	}
	subject, body := imageapp.EmailChangedNotice(u.Email)
	_, err := n.SNS.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(u.Topic), Subject: aws.String(subject), Message: aws.String(body)})
	if err != nil {
		return fmt.Errorf("snsnotify: publish the email-change notice to %s: %w", u.Topic, err)
	}
	if _, err := n.CreateUserTopic(ctx, u); err != nil {
		return err
	}
	return n.unsubscribe(ctx, u.Topic, oldEmail)
}

// unsubscribe removes the confirmed email subscriptions of email to arn.
func (n *Notifier) unsubscribe(ctx context.Context, arn, email string) error {
	pages := sns.NewListSubscriptionsByTopicPaginator(n.SNS, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("snsnotify: list subscriptions of %s: %w", arn, err)
		}
		for _, s := range page.Subscriptions {
			sub := aws.ToString(s.SubscriptionArn)
			if !isEmailOf(s, email) || sub == listedPending || sub == listedDeleted || sub == "" {
				continue
			}
			if _, err := n.SNS.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: s.SubscriptionArn}); err != nil {
				return fmt.Errorf("snsnotify: unsubscribe the old email from %s: %w", arn, err)
			}
		}
	}
	return nil
}
