package awstest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// Notification is what an HTTP subscriber of an SNS topic receives.
type Notification struct {
	Type, Subject, Message, TopicArn string
}

// Subscriber collects the notifications SNS delivers to an HTTP endpoint:
// how a test observes what a person's email subscription would get.
type Subscriber struct{ ch chan Notification }

// SubscribeHTTP subscribes a test server to the topic over HTTP.
func SubscribeHTTP(t testing.TB, client *sns.Client, topicArn string) *Subscriber {
	t.Helper()
	s := &Subscriber{ch: make(chan Notification, 64)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var n Notification
		if err := json.Unmarshal(body, &n); err == nil && n.Type == "Notification" {
			s.ch <- n
		}
	}))
	t.Cleanup(srv.Close)
	_, err := client.Subscribe(context.Background(), &sns.SubscribeInput{
		TopicArn: aws.String(topicArn), Protocol: aws.String("http"), Endpoint: aws.String(srv.URL),
	})
	if err != nil {
		t.Fatalf("subscribe over HTTP to %s: %v", topicArn, err)
	}
	return s
}

// Next waits for the next notification, failing the test after 10 s.
func (s *Subscriber) Next(t testing.TB) Notification {
	t.Helper()
	select {
	case n := <-s.ch:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no notification was delivered to the HTTP subscriber")
		return Notification{}
	}
}
