package conformance

import (
	"fmt"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// testPushSubscriptions: a subscription is kept with its keys, listed
// oldest first, per user; subscribing the same endpoint again replaces its
// keys; past MaxPushSubscriptions a new one is refused but a renewal is
// not; removing one, or one that is gone, leaves the others.
func testPushSubscriptions(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	sub := func(u imageapp.User, n int, key byte, at time.Time) imageapp.PushSubscription {
		p256dh := make([]byte, 65)
		p256dh[0], p256dh[1] = 4, key
		return imageapp.PushSubscription{UserID: u.ID, Endpoint: fmt.Sprintf("https://push.example/send/%s-%02d", u.Username, n),
			P256dh: p256dh, Auth: []byte("0123456789abcdef"), Created: at}
	}
	add := func(s imageapp.PushSubscription) {
		t.Helper()
		if err := e.Push.AddPushSubscription(e.ctx, s); err != nil {
			t.Fatalf("add %s: %v", s.Endpoint, err)
		}
	}
	list := func(u imageapp.User) []imageapp.PushSubscription {
		t.Helper()
		out, err := e.Push.PushSubscriptionsOf(e.ctx, u.ID)
		if err != nil {
			t.Fatalf("subscriptions of %s: %v", u.Username, err)
		}
		return out
	}
	add(sub(alice, 1, 1, t0.Add(time.Minute)))
	add(sub(alice, 0, 1, t0))
	add(sub(bob, 0, 1, t0))
	got := list(alice)
	if len(got) != 2 || got[0].Endpoint != sub(alice, 0, 1, t0).Endpoint || got[1].P256dh[1] != 1 || string(got[1].Auth) != "0123456789abcdef" || !got[0].Created.Equal(t0) {
		t.Fatalf("alice's subscriptions = %+v; want her two, oldest first, with their keys", got)
	}
	add(sub(alice, 1, 9, t0.Add(time.Minute)))
	if got := list(alice); len(got) != 2 || got[1].P256dh[1] != 9 {
		t.Errorf("after subscribing again: %+v; want the same two, the second's keys replaced", got)
	}
	for n := 2; n < imageapp.MaxPushSubscriptions; n++ {
		add(sub(alice, n, 1, t0.Add(time.Duration(n)*time.Minute)))
	}
	wantCode(t, "one more than the most", e.Push.AddPushSubscription(e.ctx, sub(alice, 99, 1, t0)), imageapp.EFORBIDDEN)
	add(sub(alice, 5, 7, t0.Add(5*time.Minute))) // a renewal is not a new one
	if err := e.Push.RemovePushSubscription(e.ctx, alice.ID, sub(alice, 0, 1, t0).Endpoint); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if err := e.Push.RemovePushSubscription(e.ctx, alice.ID, "https://push.example/never"); err != nil {
		t.Errorf("remove one that is gone: %v", err)
	}
	if err := e.Push.RemovePushSubscription(e.ctx, alice.ID, sub(bob, 0, 1, t0).Endpoint); err != nil {
		t.Errorf("remove bob's endpoint as alice: %v", err)
	}
	if got := list(alice); len(got) != imageapp.MaxPushSubscriptions-1 {
		t.Errorf("alice has %d subscriptions; want %d", len(got), imageapp.MaxPushSubscriptions-1)
	}
	if got := list(bob); len(got) != 1 {
		t.Errorf("bob has %d subscriptions after alice's removals; want 1", len(got))
	}
}
