package conformance

import (
	"slices"
	"testing"

	"imageapp/app/imageapp"
)

// testMessageRequests: with message requests on, a stranger's image waits
// apart — out of the inbox, its count and mail, showing and opening
// nothing — until accepted; a person one sent to, or accepted, gets
// through; deleting requests removes them for good; a block still wins.
func testMessageRequests(t *testing.T, e *env) {
	alice, bob, carol, dave := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol"), e.user(t, "dave")
	notes := &countedNotifier{Notifier: e.svc.Notifier}
	e.svc.Notifier = notes
	events := &recordedEvents{}
	e.svc.Events = events
	bob = e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true, Listed: true, NotifyByMail: true, MessageRequests: true})
	img := pngImage(t, 16, 16, 11)

	// bob sent to carol once: carol is known, her image arrives as usual.
	e.send(t, bob, "carol", img, "hi carol")
	fromCarol := e.send(t, carol, "bob", img, "hi bob")
	if fromCarol.Request {
		t.Error("carol's image to bob, who sent to her, came as a request")
	}
	// alice is a stranger: a request.
	mailed := notes.n.Load()
	req := e.send(t, alice, "BOB", img, "secret caption")
	if !req.Request {
		t.Fatal("a stranger's image to bob, who has requests on, is not a request")
	}
	if n := notes.n.Load(); n != mailed {
		t.Errorf("the request was mailed: %d notifications, %d before it", n, mailed)
	}
	if got := events.kinds(bob.ID); !slices.Contains(got, imageapp.EventRequest) {
		t.Errorf("bob's live events %v; want a request event", got)
	}
	for _, status := range []imageapp.Status{imageapp.AllMessages, imageapp.UnreadMessages, imageapp.ReadMessages} {
		page, err := e.svc.List(e.ctx, bob, imageapp.MessageQuery{Box: imageapp.Inbox, Status: status})
		if err != nil || slices.Contains(idsOf(page.Messages), req.ID) {
			t.Errorf("bob's %s inbox lists the request (%v)", status, err)
		}
	}
	if n, err := e.svc.UnreadCount(e.ctx, bob); err != nil || n != 1 {
		t.Errorf("bob's unread count: %d, %v; want 1 (carol's only)", n, err)
	}
	if used, err := e.Messages.StoredBytes(e.ctx, bob.ID); err != nil || used != fromCarol.Size+req.Size {
		t.Errorf("bob's stored bytes: %d, %v; want %d (a request is his to store)", used, err, fromCarol.Size+req.Size)
	}
	if n, err := e.svc.RequestsWaiting(e.ctx, bob); err != nil || n != 1 {
		t.Errorf("people whose requests wait for bob: %d, %v; want 1", n, err)
	}
	reqs, err := e.svc.Requests(e.ctx, bob)
	if err != nil || len(reqs) != 1 || reqs[0].From.ID != alice.ID || reqs[0].From.Username != "alice" || reqs[0].Count != 1 {
		t.Fatalf("bob's requests: %+v, %v; want one from alice", reqs, err)
	}
	// Nothing of it opens or shows for bob; alice has hers as usual.
	_, err = e.svc.Open(e.ctx, bob, req.ID)
	wantCode(t, "bob opens the request", err, imageapp.EFORBIDDEN)
	_, err = e.readImage(bob, req.ID)
	wantCode(t, "bob opens the request's image", err, imageapp.EFORBIDDEN)
	_, err = e.svc.ReadMeta(e.ctx, bob, req.ID)
	wantCode(t, "bob reads the request's caption", err, imageapp.EFORBIDDEN)
	if _, err := e.svc.Open(e.ctx, alice, req.ID); err != nil {
		t.Errorf("alice opens the image she sent: %v", err)
	}
	_, page, err := e.svc.Conversation(e.ctx, bob, "alice", "", 10)
	if err != nil || len(page.Messages) != 1 || !page.Messages[0].Request {
		t.Fatalf("bob's conversation with alice: %d messages, %v; want the request, marked", len(page.Messages), err)
	}
	if p := e.svc.Previews(e.ctx, bob, page.Messages); len(p) != 0 {
		t.Errorf("bob's previews of the request: %+v; want none before he accepts", p)
	}
	if p := e.svc.Previews(e.ctx, alice, page.Messages); p[req.ID].Caption != "secret caption" {
		t.Errorf("alice's preview of her image: %+v", p[req.ID])
	}
	if m, err := e.Messages.Message(e.ctx, req.ID); err != nil || !m.Request || m.RecipientID != bob.ID {
		t.Errorf("the stored request: %+v, %v; want Request with bob as recipient", m, err)
	}

	// Accepting moves it into the inbox, unread, and opens it; alice's next
	// image arrives as any other.
	who, n, err := e.svc.AcceptRequests(e.ctx, bob, "Alice")
	if err != nil || n != 1 || who.ID != alice.ID {
		t.Fatalf("bob accepts alice: %d, %v; want 1 image moved", n, err)
	}
	if got := idsOf(listAll(t, e, bob, imageapp.Inbox, 50)); !slices.Contains(got, req.ID) {
		t.Errorf("bob's inbox after accepting: %v; want alice's image", got)
	}
	if n, err := e.svc.UnreadCount(e.ctx, bob); err != nil || n != 2 {
		t.Errorf("bob's unread count after accepting: %d, %v; want 2", n, err)
	}
	if o, err := e.svc.Open(e.ctx, bob, req.ID); err != nil || o.Caption != "secret caption" {
		t.Errorf("bob opens the accepted image: %+v, %v", o, err)
	}
	if reqs, err := e.svc.Requests(e.ctx, bob); err != nil || len(reqs) != 0 {
		t.Errorf("bob's requests after accepting: %+v, %v; want none", reqs, err)
	}
	if n, err := e.svc.RequestsWaiting(e.ctx, bob); err != nil || n != 0 {
		t.Errorf("people whose requests wait for bob after accepting: %d, %v; want 0", n, err)
	}
	if later := e.send(t, alice, "bob", img, ""); later.Request {
		t.Error("alice's image after bob accepted her came as a request")
	}
	if _, n, err := e.svc.AcceptRequests(e.ctx, bob, "alice"); err != nil || n != 0 {
		t.Errorf("accepting alice again: %d, %v; want 0 and no error", n, err)
	}

	// A reply accepts: bob sends to harry, whose request waits; it opens.
	harry := e.user(t, "harry")
	fromHarry := e.send(t, harry, "bob", img, "")
	e.send(t, bob, "harry", img, "")
	if _, err := e.svc.Open(e.ctx, bob, fromHarry.ID); err != nil {
		t.Errorf("bob opens harry's image after replying to him: %v", err)
	}

	// dave's two requests, deleted: gone for both, and from bob's storage.
	before, _ := e.Messages.StoredBytes(e.ctx, bob.ID)
	d1, d2 := e.send(t, dave, "bob", img, ""), e.send(t, dave, "bob", img, "")
	if reqs, err := e.svc.Requests(e.ctx, bob); err != nil || len(reqs) != 1 || reqs[0].Count != 2 {
		t.Errorf("bob's requests: %+v, %v; want dave's two", reqs, err)
	}
	if who, n, err := e.svc.RequestsFrom(e.ctx, bob, "DAVE"); err != nil || n != 2 || who.ID != dave.ID {
		t.Errorf("dave's requests to bob: %d, %v; want 2", n, err)
	}
	if _, n, err := e.svc.DeleteRequests(e.ctx, bob, "dave"); err != nil || n != 2 {
		t.Fatalf("bob deletes dave's requests: %d, %v; want 2", n, err)
	}
	for _, m := range []*imageapp.Message{d1, d2} {
		if ok, err := e.Messages.MessageExists(e.ctx, m.ID); ok || err != nil {
			t.Errorf("dave's deleted request %s still exists (%v)", m.ID, err)
		}
	}
	if after, _ := e.Messages.StoredBytes(e.ctx, bob.ID); after != before {
		t.Errorf("bob's stored bytes after deleting requests: %d; want %d", after, before)
	}

	// A block wins over a request: withheld, never a request.
	if _, err := e.svc.SetBlocked(e.ctx, bob, "dave", true); err != nil {
		t.Fatal(err)
	}
	if m := e.send(t, dave, "bob", img, ""); !m.Withheld || m.Request {
		t.Errorf("dave's image to bob who blocks him: withheld %v, request %v; want withheld only", m.Withheld, m.Request)
	}
	if reqs, _ := e.svc.Requests(e.ctx, bob); len(reqs) != 0 {
		t.Errorf("bob's requests list a blocked sender: %+v", reqs)
	}

	// Accepting before anything came makes them known; turning the setting
	// off lets strangers through again.
	erin := e.user(t, "erin")
	if _, n, err := e.svc.AcceptRequests(e.ctx, bob, "erin"); err != nil || n != 0 {
		t.Errorf("bob accepts erin before she sent: %d, %v", n, err)
	}
	if m := e.send(t, erin, "bob", img, ""); m.Request {
		t.Error("erin, accepted ahead, sent a request")
	}
	frank := e.user(t, "frank")
	pending := e.send(t, frank, "bob", img, "")
	bob = e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true, Listed: true, NotifyByMail: true})
	if m := e.send(t, e.user(t, "gina"), "bob", img, ""); m.Request {
		t.Error("with requests off, a stranger's image came as a request")
	}
	if reqs, _ := e.svc.Requests(e.ctx, bob); len(reqs) != 1 || reqs[0].From.ID != frank.ID {
		t.Errorf("requests waiting when the setting went off: %+v; want frank's still waiting", reqs)
	}

	// A deleted account's requests go with its inbox.
	purged, err := e.svc.PurgeReceived(e.ctx, bob.ID)
	if err != nil || purged == 0 {
		t.Fatalf("purge bob's messages: %d, %v", purged, err)
	}
	if ok, _ := e.Messages.MessageExists(e.ctx, pending.ID); ok {
		t.Error("a request to bob survived the purge of his messages")
	}

	for _, name := range []string{"nobody", "bob"} {
		_, _, err := e.svc.AcceptRequests(e.ctx, bob, name)
		wantCode(t, "accept "+name, err, imageapp.ENOTFOUND)
		_, _, err = e.svc.DeleteRequests(e.ctx, bob, name)
		wantCode(t, "delete the requests of "+name, err, imageapp.ENOTFOUND)
		_, _, err = e.svc.RequestsFrom(e.ctx, bob, name)
		wantCode(t, "count the requests of "+name, err, imageapp.ENOTFOUND)
	}
}

// testRequestBytes: RequestBytes sums the sizes of the requests waiting
// for a recipient, and only those: not the images of contacts, not what
// others received; an accepted or deleted request stops counting; a sum
// asked to stop at a bound is at least that bound once it is reached.
func testRequestBytes(t *testing.T, e *env) {
	alice, bob, carol, dave := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol"), e.user(t, "dave")
	bob = e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true, Listed: true, NotifyByMail: true, MessageRequests: true})
	requestBytes := func(upTo int64) int64 {
		t.Helper()
		n, err := e.Messages.RequestBytes(e.ctx, bob.ID, upTo)
		if err != nil {
			t.Fatalf("RequestBytes(bob): %v", err)
		}
		return n
	}
	if n := requestBytes(1 << 30); n != 0 {
		t.Errorf("bob's request bytes before any image: %d; want 0", n)
	}
	e.send(t, bob, "carol", pngImage(t, 8, 8, 1), "")
	fromCarol := e.send(t, carol, "bob", pngImage(t, 16, 16, 2), "") // a contact: no request
	fromAlice := e.send(t, alice, "bob", pngImage(t, 16, 16, 3), "")
	fromDave := e.send(t, dave, "bob", pngImage(t, 24, 24, 4), "")
	e.send(t, dave, "alice", pngImage(t, 16, 16, 5), "") // alice takes anyone's: no request, and not bob's
	if fromCarol.Request || !fromAlice.Request || !fromDave.Request {
		t.Fatalf("requests: carol's %v, alice's %v, dave's %v; want only alice's and dave's", fromCarol.Request, fromAlice.Request, fromDave.Request)
	}
	if got, want := requestBytes(1<<30), fromAlice.Size+fromDave.Size; got != want {
		t.Errorf("bob's request bytes: %d; want %d (alice's %d + dave's %d, not carol's)", got, want, fromAlice.Size, fromDave.Size)
	}
	if got := requestBytes(1); got < 1 {
		t.Errorf("bob's request bytes up to 1: %d; want at least 1", got)
	}
	if _, _, err := e.svc.AcceptRequests(e.ctx, bob, "alice"); err != nil {
		t.Fatal(err)
	}
	if got := requestBytes(1 << 30); got != fromDave.Size {
		t.Errorf("after accepting alice, bob's request bytes: %d; want dave's %d", got, fromDave.Size)
	}
	if _, _, err := e.svc.DeleteRequests(e.ctx, bob, "dave"); err != nil {
		t.Fatal(err)
	}
	if got := requestBytes(1 << 30); got != 0 {
		t.Errorf("after deleting dave's requests, bob's request bytes: %d; want 0", got)
	}
}
