package conformance

import (
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// testSendKeys: a key is claimed once; while its send runs another claim
// is a conflict; once finished a claim returns the message; a released
// claim may be claimed again, a finished one stays; keys are each
// sender's; a claim left by a send that died lapses after SendKeyClaimTTL,
// and a finished key after SendKeyTTL.
func testSendKeys(t *testing.T, e *env) {
	keys := e.SendKeys
	t0 := time.Now().UTC()
	claim := func(sender, key string, at time.Time) (string, error) {
		t.Helper()
		return keys.ClaimSendKey(e.ctx, sender, key, at)
	}
	if id, err := claim("alice-id", "k1", t0); err != nil || id != "" {
		t.Fatalf("a fresh claim: %q, %v; want it claimed", id, err)
	}
	_, err := claim("alice-id", "k1", t0.Add(time.Second))
	wantCode(t, "a claim while the send runs", err, imageapp.ECONFLICT)
	if id, err := claim("bob-id", "k1", t0); err != nil || id != "" {
		t.Errorf("bob claims alice's key: %q, %v; want his own claim", id, err)
	}
	if err := keys.FinishSendKey(e.ctx, "alice-id", "k1", "m1"); err != nil {
		t.Fatal(err)
	}
	if id, err := claim("alice-id", "k1", t0.Add(time.Minute)); err != nil || id != "m1" {
		t.Errorf("a claim of a finished key: %q, %v; want m1", id, err)
	}
	if err := keys.ReleaseSendKey(e.ctx, "alice-id", "k1"); err != nil {
		t.Fatal(err)
	}
	if id, err := claim("alice-id", "k1", t0.Add(time.Minute)); err != nil || id != "m1" {
		t.Errorf("a finished key after a release: %q, %v; want m1 still", id, err)
	}
	if id, err := claim("alice-id", "k1", t0.Add(imageapp.SendKeyTTL+time.Minute)); err != nil || id != "" {
		t.Errorf("a finished key a day later: %q, %v; want a new claim", id, err)
	}

	if _, err := claim("alice-id", "k2", t0); err != nil {
		t.Fatal(err)
	}
	if err := keys.ReleaseSendKey(e.ctx, "alice-id", "k2"); err != nil {
		t.Fatal(err)
	}
	if id, err := claim("alice-id", "k2", t0.Add(time.Second)); err != nil || id != "" {
		t.Errorf("a released key: %q, %v; want a new claim", id, err)
	}
	if id, err := claim("alice-id", "k2", t0.Add(imageapp.SendKeyClaimTTL+time.Minute)); err != nil || id != "" {
		t.Errorf("a claim left by a dead send: %q, %v; want it taken over", id, err)
	}
}
