package snsnotifier

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"imageapp/app/imageapp"
)

// DeleteUserTopic deletes u's topic, which removes its subscriptions; SNS
// answers a deleted (or never made) topic without error, as wanted.
func (n *Notifier) DeleteUserTopic(ctx context.Context, u imageapp.User) error {
	if u.Topic == "" {
		return nil
	}
	_, err := n.SNS.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(u.Topic)})
	var nf *types.NotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("snsnotify: delete topic: %w", err)
	}
	return nil
}
