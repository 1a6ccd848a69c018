package messaging_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/local"
	"imageapp/app/messaging"
	"imageapp/app/provision"
)

// TestReadMetaLeavesTheMessageUnread: an export reads the caption and file
// name of a received message without marking it read or telling anyone's
// open pages that it was; a stranger gets the same 404 as for Open.
func TestReadMetaLeavesTheMessageUnread(t *testing.T) {
	ctx := context.Background()
	svc, events := newLocalService(t)
	alice, bob, eve := newUser(t, svc, "alice"), newUser(t, svc, "bob"), newUser(t, svc, "eve")
	m, err := svc.Send(ctx, alice, messaging.SendInput{To: "bob", Caption: "for you", Filename: "cat.png",
		Body: bytes.NewReader(imageapptest.NoisePNG(8, 8, 1))})
	if err != nil {
		t.Fatal(err)
	}
	published := events.count()

	for _, viewer := range []imageapp.User{bob, alice} {
		got, err := svc.ReadMeta(ctx, viewer, m.ID)
		if err != nil {
			t.Fatalf("%s reads the meta: %v", viewer.Username, err)
		}
		if got.Caption != "for you" || got.Filename != "cat.png" || got.ID != m.ID {
			t.Errorf("%s reads caption %q, file name %q, id %s; want for you, cat.png, %s", viewer.Username, got.Caption, got.Filename, got.ID, m.ID)
		}
	}
	stored, err := svc.Messages.Message(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.Unread() {
		t.Errorf("ReadMeta marked the message read at %v", stored.ReadAt)
	}
	if n := events.count(); n != published {
		t.Errorf("ReadMeta published %d live events; want none", n-published)
	}
	once, err := svc.Send(ctx, alice, messaging.SendInput{To: "bob", Caption: "only once", Filename: "once.png", Keep: "once",
		Body: bytes.NewReader(imageapptest.NoisePNG(8, 8, 2))})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.ReadMeta(ctx, bob, once.ID); err != nil || got.Caption != "" || got.Filename != "" {
		t.Errorf("ReadMeta of a view-once message: %+v, %v; want no caption or file name, as Open", got, err)
	}
	if _, err := svc.ReadMeta(ctx, eve, m.ID); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("a stranger reads the meta: %v; want not found", err)
	}
}

func newLocalService(t *testing.T) (*messaging.Service, *countingEvents) {
	t.Helper()
	dir := t.TempDir()
	db, err := local.OpenDB(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	master := make([]byte, 32)
	rand.Read(master)
	users := &local.Directory{DB: db}
	ports := imageapp.Ports{
		Users: users, Sessions: users,
		Messages: &local.Messages{DB: db},
		Keys:     &local.Keyring{DB: db, MasterKey: master},
		Blobs:    &local.Blobs{Dir: filepath.Join(dir, "blobs")},
		Notifier: &local.Notifier{Outbox: &local.Outbox{Dir: filepath.Join(dir, "outbox")}},
	}
	events := &countingEvents{}
	deps := provision.Deps{Keys: ports.Keys, Notifier: ports.Notifier, Users: ports.Users}
	return &messaging.Service{Stores: messaging.StoresOf(ports), Provision: provision.For(deps), Events: events,
		App: "imageapp", Log: slog.New(slog.DiscardHandler)}, events
}

func newUser(t *testing.T, svc *messaging.Service, name string) imageapp.User {
	t.Helper()
	u, err := svc.Provision(context.Background(), imageapp.User{ID: imageapp.NewID(), Username: name, Email: name + "@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// countingEvents counts what the service publishes.
type countingEvents struct {
	mu sync.Mutex
	n  int
}

func (e *countingEvents) Publish(ctx context.Context, userID string, ev imageapp.Event) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	return int64(e.n), nil
}

func (e *countingEvents) Subscribe(context.Context, string) (<-chan imageapp.Event, func(), error) {
	return nil, func() {}, nil
}

func (e *countingEvents) Last(context.Context, string) (int64, error) { return 0, nil }

func (e *countingEvents) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}
