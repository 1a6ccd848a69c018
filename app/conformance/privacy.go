package conformance

import (
	"context"
	"slices"
	"sync"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/provision"
)

// setPrivacy stores p for u and returns u as the directory has it now.
func (e *env) setPrivacy(t *testing.T, u imageapp.User, p imageapp.Privacy) imageapp.User {
	t.Helper()
	if err := e.Users.SetPrivacy(e.ctx, u.ID, p); err != nil {
		t.Fatalf("SetPrivacy(%s, %+v): %v", u.Username, p, err)
	}
	got, err := e.Users.UserByID(e.ctx, u.ID)
	if err != nil {
		t.Fatalf("UserByID(%s): %v", u.Username, err)
	}
	if imageapp.PrivacyOf(got) != p {
		t.Fatalf("after SetPrivacy(%s, %+v) the directory says %+v", u.Username, p, imageapp.PrivacyOf(got))
	}
	return got
}

// testPrivacyRoundTrips: a new user has receipts on and is listed; each
// setting is stored and read back by ID and by username, on its own.
func testPrivacyRoundTrips(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	if p := imageapp.PrivacyOf(alice); p != (imageapp.Privacy{ReadReceipts: true, Listed: true, NotifyByMail: true}) {
		t.Errorf("a new user's privacy = %+v; want receipts on, listed and mailed", p)
	}
	for i := range 16 {
		p := imageapp.Privacy{ReadReceipts: i&1 != 0, Listed: i&2 != 0, NotifyByMail: i&4 != 0, MessageRequests: i&8 != 0}
		e.setPrivacy(t, alice, p)
		byName, err := e.Users.UserByUsername(e.ctx, "ALICE")
		if err != nil || imageapp.PrivacyOf(byName) != p {
			t.Errorf("UserByUsername after SetPrivacy(%+v) = %+v, %v", p, imageapp.PrivacyOf(byName), err)
		}
	}
	wantCode(t, "SetPrivacy of an unknown user", e.Users.SetPrivacy(e.ctx, "no-such-id", imageapp.Privacy{}), imageapp.ENOTFOUND)
}

// testHiddenUsersLeaveTheDirectory: a hidden user is in no directory page
// or search, but their exact username still finds them and they still
// receive; provisioning again (PutUser) keeps them hidden; showing them
// lists them again.
func testHiddenUsersLeaveTheDirectory(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	e.user(t, "bobby")
	bob = e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true})
	wantListed := func(when string, want ...string) {
		t.Helper()
		for _, search := range []string{"", "BO"} {
			got := searchAll(t, e, search, 50)
			var listed []string
			for _, name := range []string{"alice", "bob", "bobby"} {
				if slices.Contains(got, name) {
					listed = append(listed, name)
				}
			}
			if search == "BO" {
				want = slices.DeleteFunc(slices.Clone(want), func(n string) bool { return n == "alice" })
			}
			if !slices.Equal(listed, want) {
				t.Errorf("%s: search %q lists %v; want %v", when, search, listed, want)
			}
		}
	}
	wantListed("bob hidden", "alice", "bobby")
	if u, err := e.Users.UserByUsername(e.ctx, "Bob"); err != nil || u.ID != bob.ID || !u.Hidden {
		t.Errorf("UserByUsername(Bob) of a hidden user = %+v, %v; want bob, hidden", u, err)
	}
	m := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "")
	if m.RecipientID != bob.ID {
		t.Errorf("a send to a hidden user went to %s", m.RecipientID)
	}

	// Provisioning runs again at a login whose trigger failed, and a
	// directory write must not list the user again.
	if _, err := provision.User(e.ctx, e.deps, imageapp.User{ID: bob.ID, Username: bob.Username, Email: bob.Email}); err != nil {
		t.Fatal(err)
	}
	again := bob
	again.Hidden, again.NoReadReceipts = false, false
	if err := e.Users.PutUser(e.ctx, again); err != nil {
		t.Fatal(err)
	}
	wantListed("bob hidden, provisioned again", "alice", "bobby")
	if u, _ := e.Users.UserByID(e.ctx, bob.ID); !u.Hidden {
		t.Errorf("PutUser unhid bob: %+v", imageapp.PrivacyOf(u))
	}

	e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true, Listed: true})
	wantListed("bob listed again", "alice", "bob", "bobby")
}

// readState is what viewer sees of message id's read state in every place
// that shows it: their box (sent or inbox), the conversation with other,
// and the message itself.
func (e *env) readState(t *testing.T, viewer imageapp.User, box imageapp.Box, other string, id string) (list, conv, open bool) {
	t.Helper()
	page, err := e.svc.List(e.ctx, viewer, imageapp.MessageQuery{Box: box})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Messages {
		if m.ID == id {
			list = !m.ReadAt.IsZero()
		}
	}
	_, cpage, err := e.svc.Conversation(e.ctx, viewer, other, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cpage.Messages {
		if m.ID == id {
			conv = !m.ReadAt.IsZero()
		}
	}
	o, err := e.svc.Open(e.ctx, viewer, id)
	if err != nil {
		t.Fatal(err)
	}
	return list, conv, !o.ReadAt.IsZero()
}

// sentReadIDs is the sent box filtered to read messages.
func (e *env) sentReadIDs(t *testing.T, viewer imageapp.User) []string {
	t.Helper()
	return e.sentIDs(t, viewer, imageapp.ReadMessages)
}

// sentIDs is the sent box filtered by status.
func (e *env) sentIDs(t *testing.T, viewer imageapp.User, status imageapp.Status) []string {
	t.Helper()
	page, err := e.svc.List(e.ctx, viewer, imageapp.MessageQuery{Box: imageapp.Sent, Status: status})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Messages {
		ids = append(ids, m.ID)
	}
	return ids
}

// testReadReceiptsOff: with the recipient's receipts off, the sender never
// sees that an image was opened (sent box, its read filter, conversation,
// message, live event), while the recipient's own read state works as
// ever; with the sender's own receipts off, they do not see others' either;
// turning receipts back on shows the read state again (the current
// settings decide, as in Signal).
func testReadReceiptsOff(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	events := &recordedEvents{}
	e.svc.Events = events
	m := e.send(t, alice, "bob", pngImage(t, 8, 8, 2), "")
	bob = e.setPrivacy(t, bob, imageapp.Privacy{Listed: true})
	if _, err := e.svc.Open(e.ctx, bob, m.ID); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(events.kinds(alice.ID), imageapp.EventOpened) {
		t.Errorf("alice got an opened event though bob has read receipts off: %v", events.kinds(alice.ID))
	}
	if !slices.Contains(events.kinds(bob.ID), imageapp.EventRead) {
		t.Errorf("bob's own pages got no read event: %v", events.kinds(bob.ID))
	}
	if l, c, o := e.readState(t, alice, imageapp.Sent, "bob", m.ID); l || c || o {
		t.Errorf("bob has receipts off; alice sees it read in sent box %v, conversation %v, message %v; want nowhere", l, c, o)
	}
	if ids := e.sentReadIDs(t, alice); len(ids) != 0 {
		t.Errorf("alice's sent box filtered to read lists %v though bob has receipts off", ids)
	}
	if ids := e.sentIDs(t, alice, imageapp.UnreadMessages); !slices.Equal(ids, []string{m.ID}) {
		t.Errorf("alice's sent box filtered to unread = %v; want [%s]: leaving it out would tell her bob opened it", ids, m.ID)
	}
	if l, c, o := e.readState(t, bob, imageapp.Inbox, "alice", m.ID); !l || !c || !o {
		t.Errorf("bob's own read state: inbox %v, conversation %v, message %v; want read everywhere", l, c, o)
	}
	if n, err := e.svc.UnreadCount(e.ctx, bob); err != nil || n != 0 {
		t.Errorf("bob's unread count = %d, %v; want 0", n, err)
	}

	bob = e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true, Listed: true})
	if l, c, o := e.readState(t, alice, imageapp.Sent, "bob", m.ID); !l || !c || !o {
		t.Errorf("both have receipts on; alice sees it read in sent box %v, conversation %v, message %v; want everywhere", l, c, o)
	}
	if ids := e.sentReadIDs(t, alice); !slices.Equal(ids, []string{m.ID}) {
		t.Errorf("alice's sent box filtered to read = %v; want [%s]", ids, m.ID)
	}

	// The viewer's own setting: alice turns hers off and sees bob's no more.
	m2 := e.send(t, alice, "bob", pngImage(t, 8, 8, 3), "")
	alice = e.setPrivacy(t, alice, imageapp.Privacy{Listed: true})
	events.reset()
	if _, err := e.svc.Open(e.ctx, bob, m2.ID); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(events.kinds(alice.ID), imageapp.EventOpened) {
		t.Errorf("alice has receipts off and still got an opened event")
	}
	for _, id := range []string{m.ID, m2.ID} {
		if l, c, o := e.readState(t, alice, imageapp.Sent, "bob", id); l || c || o {
			t.Errorf("alice has receipts off; she sees %s read in sent box %v, conversation %v, message %v", id, l, c, o)
		}
	}
}

// testOpenedEventWithReceiptsOn: with both on, the sender hears of the
// open (the rule above must not silence it).
func testOpenedEventWithReceiptsOn(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	events := &recordedEvents{}
	e.svc.Events = events
	m := e.send(t, alice, "bob", pngImage(t, 8, 8, 4), "")
	if _, err := e.svc.Open(e.ctx, bob, m.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(events.kinds(alice.ID), imageapp.EventOpened) {
		t.Errorf("alice got no opened event with both receipts on: %v", events.kinds(alice.ID))
	}
}

// recordedEvents is an imageapp.Events that remembers what was published.
type recordedEvents struct {
	mu  sync.Mutex
	got map[string][]imageapp.EventKind
}

func (r *recordedEvents) Publish(_ context.Context, userID string, ev imageapp.Event) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[string][]imageapp.EventKind{}
	}
	r.got[userID] = append(r.got[userID], ev.Kind)
	return 1, nil
}

func (r *recordedEvents) Subscribe(context.Context, string) (<-chan imageapp.Event, func(), error) {
	return nil, func() {}, nil
}

func (r *recordedEvents) Last(context.Context, string) (int64, error) { return 0, nil }

func (r *recordedEvents) kinds(userID string) []imageapp.EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got[userID])
}

func (r *recordedEvents) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = nil
}
