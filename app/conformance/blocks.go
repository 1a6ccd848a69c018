package conformance

import (
	"testing"

	"imageapp/app/imageapp"
)

func testBlocking(t *testing.T, e *env) {
	alice, bob, carol := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol")
	img := pngImage(t, 16, 16, 4)
	if _, err := e.svc.SetBlocked(e.ctx, bob, "ALICE", true); err != nil {
		t.Fatalf("bob blocks alice: %v", err)
	}
	if people, err := e.svc.BlockedPeople(e.ctx, bob); err != nil || len(people) != 1 || people[0].ID != alice.ID {
		t.Fatalf("bob's blocked people: %v, %v; want alice", people, err)
	}

	// alice's send goes as any other: no error, in her Sent box, openable by her.
	withheld := e.send(t, alice, "bob", img, "hello?")
	if got := idsOf(listAll(t, e, alice, imageapp.Sent, 50)); len(got) != 1 || got[0] != withheld.ID {
		t.Errorf("alice's sent box: %v; want the withheld message", got)
	}
	if _, err := e.svc.Open(e.ctx, alice, withheld.ID); err != nil {
		t.Errorf("alice opens her own withheld message: %v", err)
	}
	if _, page, err := e.svc.Conversation(e.ctx, alice, "bob", "", 10); err != nil || len(page.Messages) != 1 {
		t.Errorf("alice's conversation with bob: %d messages, %v; want her message", len(page.Messages), err)
	}
	// bob never sees it, counts it, or pays for it.
	fromCarol := e.send(t, carol, "bob", img, "")
	if got := idsOf(listAll(t, e, bob, imageapp.Inbox, 50)); len(got) != 1 || got[0] != fromCarol.ID {
		t.Errorf("bob's inbox: %v; want carol's message only", got)
	}
	for _, status := range []imageapp.Status{imageapp.UnreadMessages, imageapp.ReadMessages} {
		page, err := e.svc.List(e.ctx, bob, imageapp.MessageQuery{Box: imageapp.Inbox, Status: status})
		for _, m := range page.Messages {
			if m.ID == withheld.ID || err != nil {
				t.Errorf("bob's %s inbox lists the withheld message (%v)", status, err)
			}
		}
	}
	if n, err := e.svc.UnreadCount(e.ctx, bob); err != nil || n != 1 {
		t.Errorf("bob's unread count: %d, %v; want 1 (carol's)", n, err)
	}
	if used, err := e.Messages.StoredBytes(e.ctx, bob.ID); err != nil || used != fromCarol.Size {
		t.Errorf("bob's stored bytes: %d, %v; want only carol's %d", used, err, fromCarol.Size)
	}
	_, err := e.svc.Open(e.ctx, bob, withheld.ID)
	wantCode(t, "bob opens the withheld message", err, imageapp.ENOTFOUND)
	if _, page, err := e.svc.Conversation(e.ctx, bob, "alice", "", 10); err != nil || len(page.Messages) != 0 {
		t.Errorf("bob's conversation with alice: %d messages, %v; want none", len(page.Messages), err)
	}

	// Unblocked, alice's next image arrives; the withheld one stays withheld.
	if _, err := e.svc.SetBlocked(e.ctx, bob, "alice", false); err != nil {
		t.Fatal(err)
	}
	after := e.send(t, alice, "bob", img, "")
	if got := idsOf(listAll(t, e, bob, imageapp.Inbox, 50)); len(got) != 2 || got[0] != after.ID {
		t.Errorf("bob's inbox after unblocking: %v; want alice's new message and carol's", got)
	}
	_, err = e.svc.SetBlocked(e.ctx, bob, "bob", true)
	wantCode(t, "bob blocks himself", err, imageapp.EINVALID)
	_, err = e.svc.SetBlocked(e.ctx, bob, "nobody", true)
	wantCode(t, "bob blocks nobody", err, imageapp.ENOTFOUND)
}
