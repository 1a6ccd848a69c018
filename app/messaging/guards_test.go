package messaging_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
)

// readsRecorder records the IDs the service asks the message store for.
type readsRecorder struct {
	imageapp.MessageStore
	mu  sync.Mutex
	ids []string
}

func (r *readsRecorder) Message(ctx context.Context, id string) (*imageapp.Message, error) {
	r.mu.Lock()
	r.ids = append(r.ids, id)
	r.mu.Unlock()
	return r.MessageStore.Message(ctx, id)
}

func (r *readsRecorder) read() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

// TestAnOverlongMessageIDIsNotFoundBeforeAnyStoreRead: an ID longer than 64
// characters (no message has one) is the usual not-found answer, and never
// reaches the store, where DynamoDB would refuse an oversized key with an
// error of its own rather than "not found".
func TestAnOverlongMessageIDIsNotFoundBeforeAnyStoreRead(t *testing.T) {
	ctx := context.Background()
	svc, _ := newLocalService(t)
	rec := &readsRecorder{MessageStore: svc.Messages}
	svc.Messages = rec
	bob := newUser(t, svc, "bob")

	for _, id := range []string{strings.Repeat("a", 65), strings.Repeat("0", 4096)} {
		if _, err := svc.Open(ctx, bob, id); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			t.Errorf("Open of a %d-character ID: %v; want not found", len(id), err)
		}
		if img, err := svc.OpenImage(ctx, bob, id); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
			if img != nil {
				img.Close()
			}
			t.Errorf("OpenImage of a %d-character ID: %v; want not found", len(id), err)
		}
	}
	if ids := rec.read(); len(ids) != 0 {
		t.Errorf("the store was asked for %d overlong IDs (the longest %d characters); want none", len(ids), len(ids[len(ids)-1]))
	}
	if _, err := svc.Open(ctx, bob, strings.Repeat("a", 64)); imageapp.ErrorCode(err) != imageapp.ENOTFOUND || len(rec.read()) != 1 {
		t.Errorf("a 64-character ID: %v after %d store reads; want not found from the store (the recorder works)", err, len(rec.read()))
	}
}

// TestABlockedSenderGetsTheSameAnswerForAFullInbox: the quota is checked
// before the block, so a blocked sender learns of a full inbox exactly as
// anyone else does, and a 201 to them never tells them they are blocked
// while others get 507.
func TestABlockedSenderGetsTheSameAnswerForAFullInbox(t *testing.T) {
	ctx := context.Background()
	svc, _ := newLocalService(t)
	alice, carol, dave := newUser(t, svc, "alice"), newUser(t, svc, "carol"), newUser(t, svc, "dave")
	bob := newUser(t, svc, "bob")
	if _, err := svc.SetBlocked(ctx, bob, "carol", true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Send(ctx, alice, messaging.SendInput{To: "bob", Body: bytes.NewReader(imageapptest.NoisePNG(16, 16, 1))}); err != nil {
		t.Fatal(err)
	}
	svc.QuotaBytes = 1 // bob's inbox is full now

	send := func(from imageapp.User) error {
		_, err := svc.Send(ctx, from, messaging.SendInput{To: "bob", Body: bytes.NewReader(imageapptest.NoisePNG(8, 8, 2))})
		return err
	}
	blocked, stranger := send(carol), send(dave)
	if imageapp.ErrorCode(stranger) != imageapp.EQUOTA {
		t.Fatalf("dave's send to a full inbox: %v; want the quota error", stranger)
	}
	if imageapp.ErrorCode(blocked) != imageapp.EQUOTA || imageapp.ErrorMessage(blocked) != imageapp.ErrorMessage(stranger) {
		t.Errorf("carol (blocked) sending to a full inbox: %v; want exactly dave's answer %q", blocked, imageapp.ErrorMessage(stranger))
	}
}
