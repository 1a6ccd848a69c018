package snsnotifier_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"imageapp/app/aws/snsnotifier"
	"imageapp/app/imageapp"
)

// TestMailStateMapping: what SNS says of a subscription, as the user's state.
func TestMailStateMapping(t *testing.T) {
	arn := "arn:aws:sns:eu-central-1:123456789012:imageapp-user-1:8a21d249-4329-4871-acc6-7be709c6ea7f"
	for _, tc := range []struct {
		what string
		subs []snsnotifier.Subscription
		want imageapp.MailState
	}{
		{"none at all", nil, imageapp.MailGone},
		{"listed as pending", []snsnotifier.Subscription{{ListedARN: "PendingConfirmation"}}, imageapp.MailPending},
		{"listed as deleted", []snsnotifier.Subscription{{ListedARN: "Deleted"}}, imageapp.MailGone},
		{"an ARN, attributes say confirmed", []snsnotifier.Subscription{{ListedARN: arn, Attributes: map[string]string{"PendingConfirmation": "false"}}}, imageapp.MailConfirmed},
		{"an ARN, attributes say pending", []snsnotifier.Subscription{{ListedARN: arn, Attributes: map[string]string{"PendingConfirmation": "true"}}}, imageapp.MailPending},
		{"an ARN, attributes unreadable", []snsnotifier.Subscription{{ListedARN: arn}}, imageapp.MailConfirmed},
		{"an ARN that is gone", []snsnotifier.Subscription{{ListedARN: arn, NotFound: true}}, imageapp.MailGone},
		{"a pending and a confirmed one", []snsnotifier.Subscription{{ListedARN: "PendingConfirmation"}, {ListedARN: arn}}, imageapp.MailConfirmed},
		{"a deleted and a pending one", []snsnotifier.Subscription{{ListedARN: "Deleted"}, {ListedARN: "PendingConfirmation"}}, imageapp.MailPending},
	} {
		if got := snsnotifier.Best(tc.subs); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.what, got, tc.want)
		}
	}
	for st, resend := range map[imageapp.MailState]bool{imageapp.MailConfirmed: false, imageapp.MailPending: true, imageapp.MailGone: true, imageapp.MailOutbox: false} {
		if st.CanResend() != resend {
			t.Errorf("%s: CanResend %v, want %v", st, !resend, resend)
		}
	}
}

// fakeSNS answers the calls of the state read with what real SNS answers
// for an address that has not confirmed yet (the emulator confirms at once).
type fakeSNS struct {
	snsnotifier.API
	listed     []types.Subscription
	attrs      map[string]map[string]string
	attrsErr   error
	subscribes int
}

func (f *fakeSNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	return &sns.ListSubscriptionsByTopicOutput{Subscriptions: f.listed}, nil
}

func (f *fakeSNS) GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, _ ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	if f.attrsErr != nil {
		return nil, f.attrsErr
	}
	a, ok := f.attrs[aws.ToString(in.SubscriptionArn)]
	if !ok {
		return nil, &types.NotFoundException{Message: aws.String("Subscription does not exist")}
	}
	return &sns.GetSubscriptionAttributesOutput{Attributes: a}, nil
}

func (f *fakeSNS) Subscribe(ctx context.Context, in *sns.SubscribeInput, _ ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	f.subscribes++
	return &sns.SubscribeOutput{SubscriptionArn: aws.String("pending confirmation")}, nil
}

func TestMailStateReadsTheListThenTheAttributes(t *testing.T) {
	ctx := context.Background()
	topic := "arn:aws:sns:eu-central-1:123456789012:imageapp-user-1"
	sub := topic + ":8a21d249-4329-4871-acc6-7be709c6ea7f"
	u := imageapp.User{ID: "1", Email: "erin@example.com", Topic: topic}
	email := func(arn, endpoint string) types.Subscription {
		return types.Subscription{SubscriptionArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String(endpoint), TopicArn: aws.String(topic)}
	}
	for _, tc := range []struct {
		what   string
		fake   *fakeSNS
		want   imageapp.MailState
		resend int
	}{
		{"pending, as listed", &fakeSNS{listed: []types.Subscription{email("PendingConfirmation", u.Email)}}, imageapp.MailPending, 1},
		{"pending, by its attribute", &fakeSNS{listed: []types.Subscription{email(sub, u.Email)},
			attrs: map[string]map[string]string{sub: {"PendingConfirmation": "true"}}}, imageapp.MailPending, 1},
		{"confirmed", &fakeSNS{listed: []types.Subscription{email(sub, u.Email)},
			attrs: map[string]map[string]string{sub: {"PendingConfirmation": "false", "ConfirmationWasAuthenticated": "true"}}}, imageapp.MailConfirmed, 0},
		{"confirmed, attributes not readable", &fakeSNS{listed: []types.Subscription{email(sub, u.Email)},
			attrsErr: &smithy.GenericAPIError{Code: "AuthorizationError", Message: "not authorized"}}, imageapp.MailConfirmed, 0},
		{"gone between list and read", &fakeSNS{listed: []types.Subscription{email(sub, u.Email)}}, imageapp.MailGone, 1},
		{"only another address", &fakeSNS{listed: []types.Subscription{email(sub, "someone@example.com")},
			attrs: map[string]map[string]string{sub: {"PendingConfirmation": "false"}}}, imageapp.MailGone, 1},
	} {
		n := &snsnotifier.Notifier{SNS: tc.fake, AppName: "imageapp"}
		got, err := n.MailState(ctx, u)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.what, got, err, tc.want)
		}
		if err := n.ResendConfirmation(ctx, u); err != nil || tc.fake.subscribes != tc.resend {
			t.Errorf("%s: resend subscribed %d times (%v), want %d", tc.what, tc.fake.subscribes, err, tc.resend)
		}
	}
	if st, err := (&snsnotifier.Notifier{SNS: &fakeSNS{}}).MailState(ctx, imageapp.User{ID: "2"}); err != nil || st != imageapp.MailGone {
		t.Errorf("a user without a topic: %q, %v; want gone", st, err)
	}
}

// TestMailStateOnTheEmulator runs the state read against what the SDK
// returns from the SNS emulator, which confirms email subscriptions at
// once: confirmed after provisioning, gone after an unsubscribe, and
// confirmed again after "send the confirmation again", with one
// subscription for the address throughout.
func TestMailStateOnTheEmulator(t *testing.T) {
	ctx := context.Background()
	n, client := newNotifier(t)
	u := imageapp.User{ID: "user-state", Username: "erin", Email: "erin@example.com"}
	arn, err := n.CreateUserTopic(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	u.Topic = arn
	if st, err := n.MailState(ctx, u); err != nil || st != imageapp.MailConfirmed {
		t.Fatalf("after provisioning: %q, %v; want confirmed (the emulator confirms at once)", st, err)
	}
	if err := n.ResendConfirmation(ctx, u); err != nil {
		t.Fatal(err)
	}
	subs := emailSubscriptions(t, client, arn, u.Email)
	if len(subs) != 1 {
		t.Fatalf("a resend for a confirmed address subscribed again: %+v", subs)
	}
	if _, err := client.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: subs[0].SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	if st, err := n.MailState(ctx, u); err != nil || st != imageapp.MailGone {
		t.Fatalf("after unsubscribing: %q, %v; want gone", st, err)
	}
	if err := n.ResendConfirmation(ctx, u); err != nil {
		t.Fatal(err)
	}
	if st, err := n.MailState(ctx, u); err != nil || st != imageapp.MailConfirmed {
		t.Errorf("after sending the confirmation again: %q, %v; want confirmed", st, err)
	}
	if subs := emailSubscriptions(t, client, arn, u.Email); len(subs) != 1 {
		t.Errorf("subscriptions of the address: %+v; want one", subs)
	}
}

func emailSubscriptions(t *testing.T, client *sns.Client, topic, email string) []types.Subscription {
	t.Helper()
	out, err := client.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil {
		t.Fatal(err)
	}
	var subs []types.Subscription
	for _, s := range out.Subscriptions {
		if aws.ToString(s.Protocol) == "email" && aws.ToString(s.Endpoint) == email {
			subs = append(subs, s)
		}
	}
	return subs
}
