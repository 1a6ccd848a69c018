package sesnotifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"

	"imageapp/app/aws/sesnotifier"
	"imageapp/app/imageapp"
)

// fakeSES stands in for Amazon SES: no SES emulator exists here (the AWS
// emulators the other adapters run against have none), so this server
// speaks the SESv2 REST JSON of the two operations the adapter calls, to
// the real SDK client, and records what it got:
//
//	POST /v2/email/outbound-emails                     SendEmail
//	GET  /v2/email/suppression/addresses/{address}     GetSuppressedDestination
type fakeSES struct {
	mu         sync.Mutex
	sent       []sentMail
	suppressed map[string]string // address -> BOUNCE or COMPLAINT
	failSend   int               // HTTP status SendEmail answers instead (429, 500)
}

// sentMail is the SendEmail request body as SES receives it.
type sentMail struct {
	FromEmailAddress     string
	ConfigurationSetName string
	Destination          struct{ ToAddresses, CcAddresses, BccAddresses []string }
	Content              struct {
		Simple struct {
			Subject struct{ Data, Charset string }
			Body    struct {
				Text struct{ Data, Charset string }
				Html *struct{ Data string }
			}
		}
	}
}

func (f *fakeSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	const suppressionPath = "/v2/email/suppression/addresses/"
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2/email/outbound-emails":
		switch f.failSend {
		case http.StatusTooManyRequests:
			awsError(w, f.failSend, "TooManyRequestsException", "Maximum sending rate exceeded.")
			return
		case 0:
		default:
			awsError(w, f.failSend, "InternalFailure", "internal error")
			return
		}
		raw, err := io.ReadAll(r.Body)
		var m sentMail
		if err == nil {
			err = json.Unmarshal(raw, &m)
		}
		if err != nil {
			awsError(w, http.StatusBadRequest, "BadRequestException", "unreadable body")
			return
		}
		f.sent = append(f.sent, m)
		io.WriteString(w, `{"MessageId":"0100018f-test"}`)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, suppressionPath):
		addr := strings.TrimPrefix(r.URL.Path, suppressionPath)
		reason, ok := f.suppressed[addr]
		if !ok {
			awsError(w, http.StatusNotFound, "NotFoundException", "Email address "+addr+" does not exist on your suppression list.")
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"SuppressedDestination": map[string]any{
			"EmailAddress": addr, "Reason": reason, "LastUpdateTime": 1.7e9}})
	default:
		awsError(w, http.StatusNotFound, "UnknownOperationException", r.Method+" "+r.URL.Path)
	}
}

func awsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func newNotifier(t *testing.T, fake *fakeSES) *sesnotifier.Notifier {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := sesv2.New(sesv2.Options{
		Region:           "eu-central-1",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "not-a-secret", ""),
		RetryMaxAttempts: 1, // a failure is reported at once, not retried with backoff
	})
	return &sesnotifier.Notifier{SES: client, From: "ImageApp <no-reply@mail.img.example>",
		ConfigurationSet: "imageapp-mail", BaseURL: "https://img.example"}
}

func TestNotifyMailsTheRecipientFromTheFromAddress(t *testing.T) {
	fake := &fakeSES{}
	n := newNotifier(t, fake)
	bob := imageapp.User{ID: "user-bob", Username: "bob", Email: "bob@example.com", Topic: sesnotifier.Topic}
	note := imageapp.Notification{RecipientID: bob.ID, SenderName: "alice", MessageID: "0123456789abcdef0123456789abcdef"}
	if err := n.Notify(context.Background(), bob, note); err != nil {
		t.Fatalf("notify: %v", err)
	}
	if len(fake.sent) != 1 {
		t.Fatalf("SES got %d mails, want 1", len(fake.sent))
	}
	m := fake.sent[0]
	if got := m.Destination.ToAddresses; len(got) != 1 || got[0] != bob.Email || len(m.Destination.CcAddresses)+len(m.Destination.BccAddresses) != 0 {
		t.Errorf("destination %+v; want only %s", m.Destination, bob.Email)
	}
	if m.FromEmailAddress != n.From || m.ConfigurationSetName != "imageapp-mail" {
		t.Errorf("from %q, configuration set %q; want %q and imageapp-mail", m.FromEmailAddress, m.ConfigurationSetName, n.From)
	}
	if s := m.Content.Simple.Subject.Data; s != "New image from alice" {
		t.Errorf("subject %q", s)
	}
	// Exactly the sender and the link: a Notification has no caption to
	// leak, and nothing else may join the text.
	want := "alice sent you an image on ImageApp.\n\nOpen it: https://img.example/messages/0123456789abcdef0123456789abcdef\n"
	if b := m.Content.Simple.Body.Text; b.Data != want || b.Charset != "UTF-8" || m.Content.Simple.Body.Html != nil {
		t.Errorf("body %+v (html %v)\nwant the text %q only (sender and link)", b, m.Content.Simple.Body.Html, want)
	}
}

func TestADigestLinksTheInbox(t *testing.T) {
	fake := &fakeSES{}
	n := newNotifier(t, fake)
	dora := imageapp.User{ID: "user-dora", Email: "dora@example.com", Topic: sesnotifier.Topic}
	if err := n.Notify(context.Background(), dora, imageapp.Notification{RecipientID: dora.ID, Images: 14, Senders: []string{"alice", "bob", "carol"}}); err != nil {
		t.Fatal(err)
	}
	if len(fake.sent) != 1 {
		t.Fatalf("SES got %d mails, want 1", len(fake.sent))
	}
	m := fake.sent[0].Content.Simple
	if m.Subject.Data != "3 people sent you 14 images" {
		t.Errorf("subject %q", m.Subject.Data)
	}
	if want := "3 people sent you 14 images on ImageApp.\n\nOpen your inbox: https://img.example/inbox\n"; m.Body.Text.Data != want {
		t.Errorf("body %q\nwant %q", m.Body.Text.Data, want)
	}
}

// TestSESFailuresAreErrors: a throttle or a server error is not a mail
// sent; Notify says so (the caller logs and counts it).
func TestSESFailuresAreErrors(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		fake := &fakeSES{failSend: status}
		n := newNotifier(t, fake)
		err := n.Notify(context.Background(), imageapp.User{ID: "user-bob", Email: "bob@example.com"}, imageapp.Notification{SenderName: "alice", MessageID: "m1"})
		var ae smithy.APIError
		if err == nil || !errors.As(err, &ae) || !strings.Contains(err.Error(), "sesnotify") {
			t.Errorf("SES answering %d: %v; want the API's error, wrapped", status, err)
		}
		if strings.Contains(errText(err), "bob@example.com") {
			t.Errorf("the error names the address: %v", err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestMailStateIsTheSuppressionList(t *testing.T) {
	ctx := context.Background()
	fake := &fakeSES{suppressed: map[string]string{"bounced@example.com": "BOUNCE", "complained@example.com": "COMPLAINT"}}
	n := newNotifier(t, fake)
	for email, want := range map[string]imageapp.MailState{
		"bob@example.com":        imageapp.MailConfirmed,
		"bounced@example.com":    imageapp.MailSuppressed,
		"complained@example.com": imageapp.MailSuppressed,
		"":                       imageapp.MailGone,
	} {
		u := imageapp.User{ID: "u", Email: email, Topic: sesnotifier.Topic}
		got, err := n.MailState(ctx, u)
		if err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", email, got, err, want)
		}
		// The settings page may offer a resend for a gone address; a click
		// must never be an error, and sends nothing.
		if err := n.ResendConfirmation(ctx, u); err != nil {
			t.Errorf("%q: resend: %v", email, err)
		}
	}
	if len(fake.sent) != 0 {
		t.Errorf("reading states and resending mailed %d times", len(fake.sent))
	}
	broken := newNotifier(t, &fakeSES{})
	broken.SES = sesv2.New(sesv2.Options{Region: "eu-central-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "not-a-secret", ""), RetryMaxAttempts: 1})
	if st, err := broken.MailState(ctx, imageapp.User{ID: "u", Email: "bob@example.com"}); err == nil {
		t.Errorf("SES unreachable: %q, no error", st)
	}
}

// TestProvisioningMakesNothing: the user counts as provisioned, and
// deleting their "topic" calls nothing.
func TestProvisioningMakesNothing(t *testing.T) {
	ctx := context.Background()
	fake := &fakeSES{}
	n := newNotifier(t, fake)
	u := imageapp.User{ID: "u", Email: "bob@example.com", KeyID: "key"}
	topic, err := n.CreateUserTopic(ctx, u)
	if err != nil || topic == "" {
		t.Fatalf("CreateUserTopic: %q, %v; want a marker", topic, err)
	}
	u.Topic = topic
	if !u.Provisioned() {
		t.Error("a user with a key and the SES marker is not provisioned")
	}
	if err := n.DeleteUserTopic(ctx, u); err != nil {
		t.Error(err)
	}
}

// TestChangeEmailTellsTheOldAddress: the security notice goes to the old
// address; nothing else happens (the next mail goes to the new one).
func TestChangeEmailTellsTheOldAddress(t *testing.T) {
	fake := &fakeSES{}
	n := newNotifier(t, fake)
	u := imageapp.User{ID: "u", Email: "bob.new@example.com", Topic: sesnotifier.Topic}
	if err := n.ChangeEmail(context.Background(), u, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	subject, body := imageapp.EmailChangedNotice(u.Email)
	if len(fake.sent) != 1 || fake.sent[0].Destination.ToAddresses[0] != "bob@example.com" ||
		fake.sent[0].Content.Simple.Subject.Data != subject || fake.sent[0].Content.Simple.Body.Text.Data != body {
		t.Fatalf("SES got %+v; want the notice to the old address", fake.sent)
	}
	if err := n.Notify(context.Background(), u, imageapp.Notification{SenderName: "alice", MessageID: "m1"}); err != nil {
		t.Fatal(err)
	}
	if to := fake.sent[1].Destination.ToAddresses; to[0] != u.Email {
		t.Errorf("the next notification went to %v; want the new address", to)
	}
}
