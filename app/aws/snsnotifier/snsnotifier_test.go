package snsnotifier_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/aws/snsnotifier"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
)

var stack *awstest.Stack

func TestMain(m *testing.M) {
	os.Exit(awstest.RunMain(m, awstest.Options{Services: []awstest.Service{awstest.SNS}}, &stack))
}

func newNotifier(t *testing.T) (*snsnotifier.Notifier, *sns.Client) {
	t.Helper()
	cfg, err := awsbackend.LoadConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	client := awsbackend.NewClients(cfg).SNS
	return &snsnotifier.Notifier{SNS: client, AppName: "imageapp", BaseURL: "https://img.example"}, client
}

func TestUserTopicIsIdempotentWithOneEmailSubscription(t *testing.T) {
	ctx := context.Background()
	n, client := newNotifier(t)
	u := imageapp.User{ID: "0b5e0f4e-1111-4c1a-9d3e-2f2f2f2f2f2f", Username: "bob", Email: "bob@example.com"}
	arn, err := n.CreateUserTopic(ctx, u)
	if err != nil {
		t.Fatalf("create topic: %v", err)
	}
	if !strings.HasSuffix(arn, ":imageapp-user-"+u.ID) {
		t.Errorf("topic ARN %q does not end in the topic name imageapp-user-<id>", arn)
	}
	again, err := n.CreateUserTopic(ctx, u)
	if err != nil || again != arn {
		t.Fatalf("second create = %q, %v; want %q", again, err, arn)
	}
	subs, err := client.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Protocol) != "email" ||
		aws.ToString(subs.Subscriptions[0].Endpoint) != u.Email {
		t.Errorf("subscriptions = %+v; want exactly one email subscription for %s", subs.Subscriptions, u.Email)
	}
}

// TestNotifyIsObservedByAnHTTPSubscriber subscribes an HTTP endpoint to the
// user's topic, as a person's email would be, and reads what SNS delivers.
func TestNotifyIsObservedByAnHTTPSubscriber(t *testing.T) {
	ctx := context.Background()
	n, client := newNotifier(t)
	u := imageapp.User{ID: "user-http", Username: "carol", Email: "carol@example.com"}
	arn, err := n.CreateUserTopic(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	u.Topic = arn
	got := awstest.SubscribeHTTP(t, client, arn)

	note := imageapp.Notification{RecipientID: u.ID, SenderName: "alice", MessageID: "0123456789abcdef0123456789abcdef"}
	if err := n.Notify(ctx, u, note); err != nil {
		t.Fatalf("notify: %v", err)
	}
	msg := got.Next(t)
	if msg.Subject != "New image from alice" {
		t.Errorf("subject = %q", msg.Subject)
	}
	want := "alice sent you an image on ImageApp.\n\nOpen it: https://img.example/messages/0123456789abcdef0123456789abcdef\n"
	if msg.Message != want {
		t.Errorf("message = %q\nwant %q (sender and link only)", msg.Message, want)
	}
	if msg.TopicArn != arn {
		t.Errorf("delivered from %q, want %q", msg.TopicArn, arn)
	}

	if err := n.Notify(ctx, imageapp.User{ID: "no-topic"}, note); err == nil {
		t.Error("notifying a user without a topic succeeded")
	}
}

// TestADigestLinksTheInbox: a digest names who sent how many images and
// links the inbox; it names no message.
func TestADigestLinksTheInbox(t *testing.T) {
	ctx := context.Background()
	n, client := newNotifier(t)
	u := imageapp.User{ID: "user-digest", Username: "dora", Email: "dora@example.com"}
	arn, err := n.CreateUserTopic(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	u.Topic = arn
	got := awstest.SubscribeHTTP(t, client, arn)
	if err := n.Notify(ctx, u, imageapp.Notification{RecipientID: u.ID, Images: 14, Senders: []string{"alice", "bob", "carol"}}); err != nil {
		t.Fatalf("notify: %v", err)
	}
	msg := got.Next(t)
	if msg.Subject != "3 people sent you 14 images" {
		t.Errorf("subject = %q", msg.Subject)
	}
	if want := "3 people sent you 14 images on ImageApp.\n\nOpen your inbox: https://img.example/inbox\n"; msg.Message != want {
		t.Errorf("message = %q\nwant %q", msg.Message, want)
	}
}
