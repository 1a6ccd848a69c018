package messaging_test

import (
	"bytes"
	"context"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

func TestRequestsGetASmallAllowanceOfTheQuota(t *testing.T) {
	svc := &messaging.Service{QuotaBytes: 1 << 30}
	if got := svc.RequestAllowance(); got != 50<<20 {
		t.Errorf("the request allowance of a 1 GiB quota: %d; want 50 MiB", got)
	}
	svc.QuotaBytes = 100 << 20
	if got := svc.RequestAllowance(); got != 5<<20 {
		t.Errorf("the request allowance of a 100 MiB quota: %d; want 5 MiB (5%%)", got)
	}
	svc.QuotaBytes = 0
	if got := svc.RequestAllowance(); got != 0 {
		t.Errorf("the request allowance without a quota: %d; want none", got)
	}
}

// TestStrangersCannotFillAnInboxWithRequests: once the requests waiting for
// bob fill their allowance, a stranger's next image (a request) is refused,
// blocked or not, with the same answer; a contact's image never is, and
// bob's storage tells him when it is full.
func TestStrangersCannotFillAnInboxWithRequests(t *testing.T) {
	ctx := context.Background()
	svc, _ := newLocalService(t)
	alice, carol, dave, erin := newUser(t, svc, "alice"), newUser(t, svc, "carol"), newUser(t, svc, "dave"), newUser(t, svc, "erin")
	bob := newUser(t, svc, "bob")
	if err := svc.Users.SetPrivacy(ctx, bob.ID, imageapp.Privacy{ReadReceipts: true, Listed: true, NotifyByMail: true, MessageRequests: true}); err != nil {
		t.Fatal(err)
	}
	bob, _ = svc.Users.UserByID(ctx, bob.ID)
	send := func(from imageapp.User, to string, seed uint64) *imageapp.Message {
		t.Helper()
		m, err := svc.Send(ctx, from, messaging.SendInput{To: to, Body: bytes.NewReader(imageapptest.NoisePNG(32, 32, seed))})
		if err != nil {
			t.Fatalf("%s sends to %s: %v", from.Username, to, err)
		}
		return m
	}
	send(bob, "carol", 1) // carol is bob's contact
	req := send(alice, "bob", 2)
	if !req.Request {
		t.Fatal("alice's image to bob is not a request")
	}
	svc.QuotaBytes = 20 * req.Size // the allowance is one such image
	if _, err := svc.SetBlocked(ctx, bob, "erin", true); err != nil {
		t.Fatal(err)
	}
	bob, _ = svc.Users.UserByID(ctx, bob.ID)

	stranger := svc.CheckRequestAllowance(ctx, bob, dave)
	if imageapp.ErrorCode(stranger) != imageapp.EQUOTA {
		t.Fatalf("dave's request to bob, whose requests fill their allowance: %v; want the quota error", stranger)
	}
	if blocked := svc.CheckRequestAllowance(ctx, bob, erin); imageapp.ErrorCode(blocked) != imageapp.EQUOTA || imageapp.ErrorMessage(blocked) != imageapp.ErrorMessage(stranger) {
		t.Errorf("erin (blocked) sending to bob: %v; want dave's answer %q", blocked, imageapp.ErrorMessage(stranger))
	}
	if err := svc.CheckRequestAllowance(ctx, bob, carol); err != nil {
		t.Errorf("carol, bob's contact, is refused for his requests: %v", err)
	}
	if err := svc.CheckRequestAllowance(ctx, carol, dave); err != nil {
		t.Errorf("dave's image to carol, who takes anyone's, is refused: %v", err)
	}

	st, err := svc.StorageOf(ctx, bob)
	if err != nil || st.Full || st.Used != req.Size {
		t.Errorf("bob's storage: %+v, %v; want %d bytes used, not full", st, err, req.Size)
	}
	svc.QuotaBytes = req.Size // full now
	st, err = svc.StorageOf(ctx, bob)
	if err != nil || !st.Full || st.Requests != req.Size {
		t.Errorf("bob's full storage: %+v, %v; want full, with %d bytes of requests", st, err, req.Size)
	}
}
