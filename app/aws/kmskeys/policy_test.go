package kmskeys_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"imageapp/app/aws/kmskeys"
)

const (
	appRole     = "arn:aws:iam::111122223333:role/imageapp-app"
	triggerRole = "arn:aws:iam::111122223333:role/imageapp-post-confirmation"
)

// recorder keeps what the adapter asks KMS to do.
type recorder struct {
	kmskeys.API
	mu        sync.Mutex
	creates   []*kms.CreateKeyInput
	schedules []*kms.ScheduleKeyDeletionInput
}

func (r *recorder) CreateKey(ctx context.Context, in *kms.CreateKeyInput, o ...func(*kms.Options)) (*kms.CreateKeyOutput, error) {
	r.mu.Lock()
	r.creates = append(r.creates, in)
	r.mu.Unlock()
	return r.API.CreateKey(ctx, in, o...)
}

func (r *recorder) ScheduleKeyDeletion(ctx context.Context, in *kms.ScheduleKeyDeletionInput, o ...func(*kms.Options)) (*kms.ScheduleKeyDeletionOutput, error) {
	r.mu.Lock()
	r.schedules = append(r.schedules, in)
	r.mu.Unlock()
	return r.API.ScheduleKeyDeletion(ctx, in, o...)
}

type policyDoc struct {
	Statement []struct {
		Sid       string
		Effect    string
		Principal struct{ AWS any }
		Action    any
		Resource  string
		Condition map[string]map[string]string
	}
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			out = append(out, s.(string))
		}
		slices.Sort(out)
		return out
	}
	return nil
}

// TestNewKeysGetAPolicyNamingTheAppRole: with the app's role configured,
// CreateKey carries a key policy that lets that role use the key under the
// app's encryption context from the first moment, keeps the key manageable
// by the account, and lets the creators drop an unaliased key with a 30-day
// window only. (local-kms does not enforce policies, so this checks what is
// asked of KMS; the key still works at once.)
func TestNewKeysGetAPolicyNamingTheAppRole(t *testing.T) {
	ctx := context.Background()
	_, client := newKeys(t)
	rec := &recorder{API: client}
	keys := &kmskeys.Keys{KMS: rec, AppName: "imageapp", AppRoleARN: appRole, CreatorRoleARN: triggerRole}
	keyID, err := keys.CreateUserKey(ctx, "policy-user")
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	if len(rec.creates) != 1 || rec.creates[0].Policy == nil {
		t.Fatalf("CreateKey was called %d times, without a key policy", len(rec.creates))
	}
	if !rec.creates[0].BypassPolicyLockoutSafetyCheck {
		t.Error("the lockout check would refuse a policy that does not let the app role PutKeyPolicy; it must be bypassed (the account statement keeps the key manageable)")
	}
	var doc policyDoc
	if err := json.Unmarshal([]byte(*rec.creates[0].Policy), &doc); err != nil {
		t.Fatalf("the key policy is not JSON: %v", err)
	}
	seen := map[string]bool{}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || s.Resource != "*" {
			t.Errorf("statement %s: effect %s, resource %s", s.Sid, s.Effect, s.Resource)
		}
		principals, actions := strs(s.Principal.AWS), strs(s.Action)
		switch {
		case slices.Equal(actions, []string{"kms:*"}):
			seen["admin"] = slices.Equal(principals, []string{"arn:aws:iam::111122223333:root"}) && len(s.Condition) == 0
		case slices.Contains(actions, "kms:Decrypt"):
			seen["use"] = slices.Equal(principals, []string{appRole}) &&
				slices.Equal(actions, []string{"kms:Decrypt", "kms:GenerateDataKey"}) &&
				s.Condition["StringEquals"]["kms:EncryptionContext:app"] == "imageapp"
		case slices.Equal(actions, []string{"kms:ScheduleKeyDeletion"}):
			seen["drop"] = slices.Equal(principals, []string{appRole, triggerRole}) &&
				s.Condition["Null"]["kms:ResourceAliases"] == "true" &&
				s.Condition["NumericEquals"]["kms:ScheduleKeyDeletionPendingWindowInDays"] == "30"
		default:
			t.Errorf("unexpected statement %s: %v for %v", s.Sid, actions, principals)
		}
	}
	for _, want := range []string{"admin", "use", "drop"} {
		if !seen[want] {
			t.Errorf("the %s statement is missing or wrong in %s", want, *rec.creates[0].Policy)
		}
	}
	encCtx := map[string]string{"app": "imageapp", "message_id": "m", "sender_id": "a", "recipient_id": "policy-user"}
	if _, err := keys.GenerateDataKey(ctx, keyID, encCtx); err != nil {
		t.Errorf("the new key is not usable at once: %v", err)
	}

	plain := &recorder{API: client}
	if _, err := (&kmskeys.Keys{KMS: plain, AppName: "imageapp"}).CreateUserKey(ctx, "no-role"); err != nil {
		t.Fatal(err)
	}
	if plain.creates[0].Policy != nil || plain.creates[0].BypassPolicyLockoutSafetyCheck {
		t.Error("without an app role the key must get KMS's default policy")
	}
	if _, err := kmskeys.KeyPolicy("imageapp", "arn:aws:iam::111122223333:user/bob", ""); err == nil {
		t.Error("a user ARN was taken for the app's role")
	}
}

// TestALostKeyIsDroppedWithThePolicysWindow: the race loser's key is
// scheduled for deletion with exactly the window the key policy allows.
func TestALostKeyIsDroppedWithThePolicysWindow(t *testing.T) {
	ctx := context.Background()
	_, client := newKeys(t)
	rec := &recorder{API: &racer{API: client, real: client}}
	keys := &kmskeys.Keys{KMS: rec, AppName: "imageapp", AppRoleARN: appRole}
	if _, err := keys.CreateUserKey(ctx, "racer-2"); err != nil {
		t.Fatal(err)
	}
	if len(rec.schedules) != 1 || aws.ToInt32(rec.schedules[0].PendingWindowInDays) != kmskeys.LostKeyPendingDays {
		t.Errorf("ScheduleKeyDeletion calls %+v; want one, with a %d-day window", rec.schedules, kmskeys.LostKeyPendingDays)
	}
}
