// Package snsnotifier tells users about new images through one SNS topic per
// user, to which their email is subscribed. A notification names the sender
// and links to the message; it never carries the image, caption or a key.
package snsnotifier

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"imageapp/app/imageapp"
)

// API is the part of the SNS client the adapter uses.
type API interface {
	CreateTopic(ctx context.Context, in *sns.CreateTopicInput, optFns ...func(*sns.Options)) (*sns.CreateTopicOutput, error)
	Subscribe(ctx context.Context, in *sns.SubscribeInput, optFns ...func(*sns.Options)) (*sns.SubscribeOutput, error)
	ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, optFns ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
	GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, optFns ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error)
	DeleteTopic(ctx context.Context, in *sns.DeleteTopicInput, optFns ...func(*sns.Options)) (*sns.DeleteTopicOutput, error)
	Unsubscribe(ctx context.Context, in *sns.UnsubscribeInput, optFns ...func(*sns.Options)) (*sns.UnsubscribeOutput, error)
}

// Notifier implements imageapp.Notifier on SNS.
type Notifier struct {
	SNS     API
	AppName string
	BaseURL string // prefixed to the /messages/<id> link; "" leaves the path alone
}

var _ imageapp.Notifier = (*Notifier)(nil)

var nameSafe = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// TopicName is the name of a user's topic: <app>-user-<userID>.
func (n *Notifier) TopicName(userID string) string { return n.AppName + "-user-" + userID }

// CreateUserTopic creates the user's topic (CreateTopic returns the existing
// one for the same name and tags) and subscribes their email once: a second
// Subscribe would mail a second confirmation request.
func (n *Notifier) CreateUserTopic(ctx context.Context, u imageapp.User) (string, error) {
	name := n.TopicName(u.ID)
	if !nameSafe.MatchString(name) || len(name) > 256 {
		return "", fmt.Errorf("snsnotify: %q is not a valid topic name", name)
	}
	out, err := n.SNS.CreateTopic(ctx, &sns.CreateTopicInput{
		Name: aws.String(name),
		Tags: []types.Tag{
			{Key: aws.String("app"), Value: aws.String(n.AppName)},
			{Key: aws.String("user_id"), Value: aws.String(u.ID)},
		},
	})
	if err != nil {
		return "", fmt.Errorf("snsnotify: create topic %s: %w", name, err)
	}
	arn := aws.ToString(out.TopicArn)
	if u.Email == "" {
		return arn, nil
	}
	subscribed, err := n.subscribed(ctx, arn, u.Email)
	if err != nil || subscribed {
		return arn, err
	}
	_, err = n.SNS.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String(u.Email)})
	if err != nil {
		return "", fmt.Errorf("snsnotify: subscribe the user's email to %s: %w", name, err)
	}
	return arn, nil
}

func (n *Notifier) subscribed(ctx context.Context, arn, email string) (bool, error) {
	pages := sns.NewListSubscriptionsByTopicPaginator(n.SNS, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("snsnotify: list subscriptions: %w", err)
		}
		for _, s := range page.Subscriptions {
			if aws.ToString(s.Protocol) == "email" && aws.ToString(s.Endpoint) == email {
				return true, nil
			}
		}
	}
	return false, nil
}

// Notify publishes one notification to the recipient's topic.
func (n *Notifier) Notify(ctx context.Context, recipient imageapp.User, note imageapp.Notification) error {
	if recipient.Topic == "" {
		return fmt.Errorf("snsnotify: user %s has no topic", recipient.ID)
	}
	_, err := n.SNS.Publish(ctx, &sns.PublishInput{
		TopicArn:          aws.String(recipient.Topic),
		Subject:           aws.String(note.MailSubject()),
		Message:           aws.String(note.MailBody(n.BaseURL)),
		MessageAttributes: attributes(note),
	})
	if err != nil {
		return fmt.Errorf("snsnotify: publish to %s: %w", recipient.Topic, err)
	}
	return nil
}

// attributes names the message a single notification is about; a digest
// is about several.
func attributes(note imageapp.Notification) map[string]types.MessageAttributeValue {
	if note.IsDigest() {
		return nil
	}
	return map[string]types.MessageAttributeValue{
		"message_id": {DataType: aws.String("String"), StringValue: aws.String(note.MessageID)},
	}
}
