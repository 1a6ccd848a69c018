package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"imageapp/app/imageapp"
)

func newTestTrigger(fn func(context.Context, imageapp.User) (imageapp.User, error)) (*trigger, *[]imageapp.User) {
	var calls []imageapp.User
	return &trigger{
		provision: func(ctx context.Context, u imageapp.User) (imageapp.User, error) {
			calls = append(calls, u)
			return fn(ctx, u)
		},
		log: slog.New(slog.DiscardHandler),
	}, &calls
}

func ok(_ context.Context, u imageapp.User) (imageapp.User, error) { return u, nil }

const confirmEvent = `{"version":"1","triggerSource":"PostConfirmation_ConfirmSignUp","region":"eu-west-1",
 "userPoolId":"eu-west-1_abc","userName":"alice","callerContext":{"awsSdkVersion":"x","clientId":"c"},
 "request":{"userAttributes":{"sub":"2b1c0a9e-0000-4000-8000-000000000001","email":"alice@example.com",
 "preferred_username":"Alice","cognito:user_status":"CONFIRMED"}},"response":{}}`

func TestConfirmSignUpProvisionsTheUser(t *testing.T) {
	tr, calls := newTestTrigger(ok)
	out, err := tr.handle(context.Background(), json.RawMessage(confirmEvent))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != confirmEvent {
		t.Errorf("the event came back changed:\n%s", out)
	}
	want := imageapp.User{ID: "2b1c0a9e-0000-4000-8000-000000000001", Username: "Alice", Email: "alice@example.com"}
	if len(*calls) != 1 || !reflect.DeepEqual((*calls)[0], want) {
		t.Errorf("provisioned %+v; want %+v", *calls, want)
	}
}

func TestOtherTriggersPassThroughUntouched(t *testing.T) {
	tr, calls := newTestTrigger(ok)
	for _, ev := range []string{
		`{"triggerSource":"PostConfirmation_ConfirmForgotPassword","userName":"alice","request":{"userAttributes":{"sub":"x"}},"response":{}}`,
		`{"triggerSource":"PreSignUp_SignUp","userName":"bob","request":{"userAttributes":{}},"response":{"autoConfirmUser":false,"autoVerifyEmail":false}}`,
	} {
		out, err := tr.handle(context.Background(), json.RawMessage(ev))
		if err != nil || string(out) != ev {
			t.Errorf("event %s came back as %s, %v; want it untouched", ev, out, err)
		}
	}
	if len(*calls) != 0 {
		t.Errorf("other triggers provisioned %v", *calls)
	}
}

func TestFailedProvisioningIsReportedToCognito(t *testing.T) {
	tr, _ := newTestTrigger(func(context.Context, imageapp.User) (imageapp.User, error) {
		return imageapp.User{}, errors.New("KMS is down")
	})
	out, err := tr.handle(context.Background(), json.RawMessage(confirmEvent))
	if err == nil {
		t.Fatal("a failed provisioning returned no error, so Cognito would not report it")
	}
	if string(out) != confirmEvent {
		t.Errorf("the event must still come back, got %s", out)
	}
}

func TestAPreferredUsernameOfAnotherNameIsIgnored(t *testing.T) {
	tr, calls := newTestTrigger(ok)
	ev := `{"triggerSource":"PostConfirmation_ConfirmSignUp","userName":"alice",
	 "request":{"userAttributes":{"sub":"s","email":"a@example.com","preferred_username":"root"}},"response":{}}`
	if _, err := tr.handle(context.Background(), json.RawMessage(ev)); err != nil {
		t.Fatal(err)
	}
	if got := (*calls)[0].Username; got != "alice" {
		t.Errorf("username = %q; the directory name must be the pool's username, only its case may differ", got)
	}
}

func TestNewTriggerNeedsTheUsersTable(t *testing.T) {
	if _, err := newTrigger(context.Background(), func(string) string { return "" }, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("started without IMAGEAPP_USERS_TABLE")
	}
}

func TestNewTriggerRefusesARoleARNThatIsNone(t *testing.T) {
	env := map[string]string{"IMAGEAPP_USERS_TABLE": "users", "IMAGEAPP_APP_ROLE_ARN": "imageapp-app"}
	if _, err := newTrigger(context.Background(), func(k string) string { return env[k] }, slog.New(slog.DiscardHandler)); err == nil ||
		!strings.Contains(err.Error(), "IMAGEAPP_APP_ROLE_ARN") {
		t.Errorf("a bare role name was taken for IMAGEAPP_APP_ROLE_ARN: %v", err)
	}
}

func TestNewTriggerNeedsTheRootKeyInHierarchyMode(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	env := map[string]string{"IMAGEAPP_USERS_TABLE": "users"}
	getenv := func(k string) string { return env[k] }
	if _, err := newTrigger(context.Background(), getenv, slog.New(slog.DiscardHandler)); err == nil ||
		!strings.Contains(err.Error(), "IMAGEAPP_ROOT_KEY_ID") {
		t.Errorf("started in the default key mode without a root key: %v; want an error naming IMAGEAPP_ROOT_KEY_ID", err)
	}
	env["IMAGEAPP_ROOT_KEY_ID"] = "alias/imageapp/root"
	if _, err := newTrigger(context.Background(), getenv, slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("hierarchy mode with a root key: %v", err)
	}
	env["IMAGEAPP_KEY_MODE"], env["IMAGEAPP_ROOT_KEY_ID"] = "per-user-kms", ""
	if _, err := newTrigger(context.Background(), getenv, slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("per-user-kms mode: %v", err)
	}
}

// TestNewTriggerTakesTheMailMode: in ses mode the trigger starts without a
// From address (it only provisions, and makes no topic); an unknown mode
// stops it, naming IMAGEAPP_MAIL.
func TestNewTriggerTakesTheMailMode(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	env := map[string]string{"IMAGEAPP_USERS_TABLE": "users", "IMAGEAPP_ROOT_KEY_ID": "alias/imageapp/root", "IMAGEAPP_MAIL": "ses"}
	getenv := func(k string) string { return env[k] }
	if _, err := newTrigger(context.Background(), getenv, slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("ses mode: %v", err)
	}
	env["IMAGEAPP_MAIL"] = "smtp"
	if _, err := newTrigger(context.Background(), getenv, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_MAIL") {
		t.Errorf("IMAGEAPP_MAIL=smtp: %v; want an error naming it", err)
	}
}
