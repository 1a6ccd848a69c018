package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"imageapp/app/imageapp"
)

// trigger handles the user pool's events. Only a confirmed sign-up is acted
// on; every event goes back to Cognito byte for byte, as it came.
type trigger struct {
	provision imageapp.Provisioner
	log       *slog.Logger
}

const postConfirmSignUp = "PostConfirmation_ConfirmSignUp"

func (t *trigger) handle(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
	var ev events.CognitoEventUserPoolsPostConfirmation
	if err := json.Unmarshal(raw, &ev); err != nil {
		return raw, fmt.Errorf("trigger: decode event: %w", err)
	}
	if ev.TriggerSource != postConfirmSignUp {
		t.log.Info("event passed through", "trigger_source", ev.TriggerSource)
		return raw, nil
	}
	u := userOf(ev)
	if u.ID == "" || u.Username == "" {
		return raw, fmt.Errorf("trigger: the event has no sub or userName")
	}
	if _, err := t.provision(ctx, u); err != nil {
		// Cognito reports the failure to the caller of ConfirmSignUp; the app
		// provisions lazily at the user's first login anyway.
		t.log.Error("provisioning failed", "user_id", u.ID, "err", err)
		return raw, fmt.Errorf("trigger: provision user %s: %w", u.ID, err)
	}
	t.log.Info("user provisioned", "user_id", u.ID)
	return raw, nil
}

// userOf reads the new user from the event. The pool's username is the
// lowercased name (see app/aws/cognitoidentity); the name as typed is
// preferred_username.
func userOf(ev events.CognitoEventUserPoolsPostConfirmation) imageapp.User {
	attrs := ev.Request.UserAttributes
	name := ev.UserName
	if p := attrs["preferred_username"]; strings.EqualFold(p, name) {
		name = p
	}
	return imageapp.User{ID: attrs["sub"], Username: name, Email: attrs["email"]}
}
