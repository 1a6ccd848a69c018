package conformance

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// album is the Next of a send of imgs, named 1.png, 2.png, ….
func album(imgs ...[]byte) func() (string, io.Reader, error) {
	i := 0
	return func() (string, io.Reader, error) {
		if i == len(imgs) {
			return "", nil, io.EOF
		}
		i++
		return fmt.Sprintf("%d.png", i), bytes.NewReader(imgs[i-1]), nil
	}
}

// testAlbumsShareAnIDAndKeepTheirOwnKeys: the images of one send are as
// many messages, each with its own data key and blob, stored and listed
// with one album ID; the album's keep-for applies to each; the caption
// goes with the first.
func testAlbumsShareAnIDAndKeepTheirOwnKeys(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	imgs := [][]byte{pngImage(t, 8, 8, 1), pngImage(t, 9, 9, 2), pngImage(t, 10, 10, 3)}
	sent, err := e.svc.SendAlbum(e.ctx, alice, messaging.AlbumInput{To: "bob", Caption: "the beach", Keep: "1d", Next: album(imgs...)})
	if err != nil {
		t.Fatalf("send an album: %v", err)
	}
	if len(sent) != 3 || sent[0].AlbumID == "" {
		t.Fatalf("sent %d messages, album %q; want 3 with an album ID", len(sent), sent[0].AlbumID)
	}
	keys := map[string]bool{}
	for i, m := range sent {
		stored, err := e.Messages.Message(e.ctx, m.ID)
		if err != nil {
			t.Fatalf("read message %d: %v", i+1, err)
		}
		if stored.AlbumID != sent[0].AlbumID || stored.ExpiresAt.IsZero() {
			t.Errorf("message %d stored with album %q, expiry %v; want %q and the album's day", i+1, stored.AlbumID, stored.ExpiresAt, sent[0].AlbumID)
		}
		keys[string(stored.WrappedKey)] = true
		got, err := e.readImage(bob, m.ID)
		if err != nil || !bytes.Equal(got, imgs[i]) {
			t.Errorf("image %d opens as %d bytes (%v), want its own %d", i+1, len(got), err, len(imgs[i]))
		}
	}
	if len(keys) != 3 {
		t.Errorf("%d distinct data keys for 3 images", len(keys))
	}
	page, err := e.Messages.Messages(e.ctx, imageapp.MessageQuery{UserID: bob.ID, Box: imageapp.Inbox, Status: imageapp.AllMessages, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 3 {
		t.Fatalf("bob's inbox lists %d, want 3", len(page.Messages))
	}
	for _, m := range page.Messages {
		if m.AlbumID != sent[0].AlbumID {
			t.Errorf("bob's inbox lists %s with album %q, want %q", m.ID, m.AlbumID, sent[0].AlbumID)
		}
	}
	first, err := e.svc.Open(e.ctx, bob, sent[0].ID)
	if err != nil || first.Caption != "the beach" || first.Filename != "1.png" {
		t.Errorf("the first opens with %+v (%v), want the album's caption", first, err)
	}
	one := e.send(t, alice, "bob", imgs[0], "")
	if stored, err := e.Messages.Message(e.ctx, one.ID); err != nil || stored.AlbumID != "" {
		t.Errorf("an image sent alone has album %q (%v), want none", stored.AlbumID, err)
	}
}

// testARefusedAlbumImageStoresNothing: an album with one image that is
// not one (or one too many) stores no message and leaves no pending
// upload; the refusal names the image.
func testARefusedAlbumImageStoresNothing(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	good := pngImage(t, 8, 8, 1)
	_, err := e.svc.SendAlbum(e.ctx, alice, messaging.AlbumInput{To: "bob", Next: album(good, []byte("not an image"), good)})
	wantCode(t, "an album with a text file", err, imageapp.EUNSUPPORTED)
	if msg := imageapp.ErrorMessage(err); !strings.Contains(msg, "Image 2 (2.png)") {
		t.Errorf("the refusal %q does not name image 2", msg)
	}
	eleven := make([][]byte, 11)
	for i := range eleven {
		eleven[i] = good
	}
	_, err = e.svc.SendAlbum(e.ctx, alice, messaging.AlbumInput{To: "bob", Next: album(eleven...)})
	wantCode(t, "an album of eleven", err, imageapp.EINVALID)

	for _, box := range []imageapp.Box{imageapp.Inbox, imageapp.Sent} {
		who := bob
		if box == imageapp.Sent {
			who = alice
		}
		page, err := e.Messages.Messages(e.ctx, imageapp.MessageQuery{UserID: who.ID, Box: box, Status: imageapp.AllMessages, Limit: 20})
		if err != nil || len(page.Messages) != 0 {
			t.Errorf("%s lists %d messages (%v) after refused albums, want none", box, len(page.Messages), err)
		}
	}
	pending, err := e.Messages.PendingBefore(e.ctx, time.Now().Add(24*time.Hour), 100)
	if err != nil || len(pending) != 0 {
		t.Errorf("%d pending uploads (%v) after refused albums, want none", len(pending), err)
	}
}
