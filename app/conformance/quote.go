package conformance

import (
	"bytes"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// testAReplyKeepsTheImageItQuotes: a reply stores the ID of the image it
// quotes, read back from the store by ID and in lists; a quote of an image
// the sender cannot see (someone else's, another conversation's, deleted)
// is refused and stores nothing, and a quote whose image went later is
// left out of Quoted ("Original image is gone").
func testAReplyKeepsTheImageItQuotes(t *testing.T, e *env) {
	alice, bob, carol := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol")
	orig := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "the original")
	reply, err := e.svc.Send(e.ctx, bob, messaging.SendInput{To: "alice", Caption: "re", QuoteID: orig.ID, Body: bytes.NewReader(pngImage(t, 8, 8, 2))})
	if err != nil {
		t.Fatalf("bob replies quoting alice's image: %v", err)
	}
	stored, err := e.Messages.Message(e.ctx, reply.ID)
	if err != nil || stored.QuoteID != orig.ID {
		t.Fatalf("the stored reply quotes %q (%v); want %q", stored.QuoteID, err, orig.ID)
	}
	page, err := e.svc.List(e.ctx, alice, imageapp.MessageQuery{Box: imageapp.Inbox})
	if err != nil || len(page.Messages) != 1 || page.Messages[0].QuoteID != orig.ID {
		t.Fatalf("alice's inbox: %+v (%v); want the reply quoting %s", page.Messages, err, orig.ID)
	}
	for _, viewer := range []imageapp.User{alice, bob} {
		quoted, _, err := e.svc.Quoted(e.ctx, viewer, []*imageapp.Message{stored})
		if err != nil || quoted[orig.ID] == nil {
			t.Errorf("%s's quotes: %v (%v); want the original", viewer.Username, quoted, err)
		}
	}
	other := e.send(t, carol, "bob", pngImage(t, 8, 8, 3), "carol's")
	before := len(blobKeys(t, e))
	for what, try := range map[string]struct {
		from imageapp.User
		to   string
		id   string
	}{
		"carol quotes an image of alice and bob's": {carol, "alice", orig.ID},
		"bob quotes carol's image to alice":        {bob, "alice", other.ID},
		"bob quotes an image that never was":       {bob, "alice", "no-such-message"},
	} {
		_, err := e.svc.Send(e.ctx, try.from, messaging.SendInput{To: try.to, QuoteID: try.id, Body: bytes.NewReader(pngImage(t, 8, 8, 4))})
		wantCode(t, what, err, imageapp.EINVALID)
	}
	if err := e.svc.Delete(e.ctx, alice, orig.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Send(e.ctx, bob, messaging.SendInput{To: "alice", QuoteID: orig.ID, Body: bytes.NewReader(pngImage(t, 8, 8, 5))})
	wantCode(t, "bob quotes a deleted image", err, imageapp.EINVALID)
	if after := len(blobKeys(t, e)); after != before-1 {
		t.Errorf("%d blobs after the refused replies and a delete; want %d", after, before-1)
	}
	quoted, _, err := e.svc.Quoted(e.ctx, alice, []*imageapp.Message{stored})
	if err != nil || quoted[orig.ID] != nil {
		t.Errorf("alice's quotes after the original went: %v (%v); want none", quoted, err)
	}
}
