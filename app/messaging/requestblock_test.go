package messaging_test

import (
	"bytes"
	"context"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

// TestBlockRequestsBlocksThenDeletes: blocking a stranger from bob's
// requests blocks them and deletes what they sent; an unknown name blocks
// nobody and deletes nothing.
func TestBlockRequestsBlocksThenDeletes(t *testing.T) {
	ctx := context.Background()
	svc, _ := newLocalService(t)
	bob, eve := newUser(t, svc, "bob"), newUser(t, svc, "eve")
	if err := svc.Users.SetPrivacy(ctx, bob.ID, imageapp.Privacy{ReadReceipts: true, Listed: true, NotifyByMail: true, MessageRequests: true}); err != nil {
		t.Fatal(err)
	}
	bob, err := svc.Users.UserByID(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := svc.Send(ctx, eve, messaging.SendInput{To: "bob", Filename: "x.png", Body: bytes.NewReader(imageapptest.NoisePNG(8, 8, uint64(i)))}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := svc.RequestsWaiting(ctx, bob); err != nil || n != 1 {
		t.Fatalf("requests waiting: %d, %v; want eve's", n, err)
	}

	who, deleted, err := svc.BlockRequests(ctx, bob, "eve")
	if err != nil || who.ID != eve.ID || deleted != 2 {
		t.Fatalf("BlockRequests = %s, %d, %v; want eve, 2", who.Username, deleted, err)
	}
	if blocked, err := svc.IsBlocked(ctx, bob, eve); err != nil || !blocked {
		t.Errorf("eve blocked: %v, %v", blocked, err)
	}
	if n, err := svc.RequestsWaiting(ctx, bob); err != nil || n != 0 {
		t.Errorf("requests waiting after: %d, %v; want none", n, err)
	}
	if _, _, err := svc.BlockRequests(ctx, bob, "nobody"); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("an unknown name: %v, want ENOTFOUND", err)
	}
}
