package conformance

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

func (e *env) sendKeep(t *testing.T, from imageapp.User, to, keep, caption string, img []byte) *imageapp.Message {
	t.Helper()
	m, err := e.svc.Send(e.ctx, from, messaging.SendInput{To: to, Caption: caption, Keep: keep, Filename: "p.png", Body: bytes.NewReader(img)})
	if err != nil {
		t.Fatalf("send (keep %s): %v", keep, err)
	}
	return m
}

// opensWithAnyKey reports whether blob, the ciphertext of message id, opens
// with the data key of any message the store still holds for users.
func (e *env) opensWithAnyKey(t *testing.T, blob []byte, gone *imageapp.Message, users ...imageapp.User) bool {
	t.Helper()
	for _, u := range users {
		for _, box := range []imageapp.Box{imageapp.Inbox, imageapp.Sent} {
			for _, m := range listAll(t, e, u, box, 50) {
				dek, err := e.Keys.Decrypt(e.ctx, m.KeyID, m.WrappedKey, e.svc.ContextOf(m).Map())
				if err != nil {
					continue
				}
				r, err := envelope.NewReader(bytes.NewReader(blob), dek, e.svc.ContextOf(gone), envelope.PurposeImage)
				if err == nil {
					_, err = io.ReadAll(r)
				}
				if err == nil {
					return true
				}
			}
		}
	}
	if stored, err := e.Messages.Message(e.ctx, gone.ID); err == nil {
		dek, err := e.Keys.Decrypt(e.ctx, stored.KeyID, stored.WrappedKey, e.svc.ContextOf(stored).Map())
		if err == nil {
			if r, err := envelope.NewReader(bytes.NewReader(blob), dek, e.svc.ContextOf(gone), envelope.PurposeImage); err == nil {
				if _, err := io.ReadAll(r); err == nil {
					return true
				}
			}
		}
	}
	return false
}

func testExpiry(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	img := pngImage(t, 32, 32, 5)
	touched := e.sendKeep(t, alice, "bob", "1h", "soon gone", img)
	swept := e.sendKeep(t, alice, "bob", "1d", "", img)
	kept := e.sendKeep(t, alice, "bob", "keep", "", img)
	if want := touched.CreatedAt.Add(time.Hour).Truncate(time.Second); touched.ExpiresAt.Before(want) || touched.ExpiresAt.After(want.Add(time.Second)) {
		t.Errorf("1h message expires at %v; want within a second after %v", touched.ExpiresAt, want)
	}
	stored, err := e.Messages.Message(e.ctx, swept.ID)
	if err != nil || !stored.ExpiresAt.Equal(swept.ExpiresAt) || !kept.ExpiresAt.IsZero() {
		t.Fatalf("stored expiry %v (%v); want %v, and none on a kept message", stored.ExpiresAt, err, swept.ExpiresAt)
	}
	if _, err := e.svc.Open(e.ctx, bob, touched.ID); err != nil {
		t.Fatalf("before its hour, bob opens it: %v", err)
	}
	blob := readBlob(t, e, swept.ID)
	if !e.opensWithAnyKey(t, blob, swept, alice, bob) {
		t.Fatal("before expiry the blob must open with its own key (or this test proves nothing)")
	}

	// One hour on, the first is gone for every reader at once.
	e.clock.advance(time.Hour)
	for _, viewer := range []imageapp.User{bob, alice} {
		_, err := e.svc.Open(e.ctx, viewer, touched.ID)
		wantCode(t, viewer.Username+" opens an expired message", err, imageapp.EEXPIRED)
		_, err = e.svc.OpenImage(e.ctx, viewer, touched.ID)
		wantCode(t, viewer.Username+" reads an expired image", err, imageapp.EEXPIRED)
	}
	if ids := sorted(idsOf(listAll(t, e, bob, imageapp.Inbox, 50))...); len(ids) != 2 {
		t.Errorf("bob's inbox after an hour lists %d messages; want the 2 not expired", len(ids))
	}
	if exists, _ := e.Messages.MessageExists(e.ctx, touched.ID); exists {
		t.Error("a message found expired on reading was not shredded there and then")
	}

	// A day on, the sweep shreds the other: row (with its key) and blob.
	e.clock.advance(24 * time.Hour)
	n, err := e.svc.SweepExpired(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("SweepExpired shredded %d (%v); want 1", n, err)
	}
	if exists, _ := e.Messages.MessageExists(e.ctx, swept.ID); exists {
		t.Error("the swept message's row is still there")
	}
	for _, k := range blobKeys(t, e) {
		if k == swept.ID || k == touched.ID {
			t.Errorf("blob %s of an expired message is still stored", k)
		}
	}
	if e.opensWithAnyKey(t, blob, swept, alice, bob) {
		t.Error("the expired message's ciphertext still opens with a key the system holds")
	}
	if _, err := e.svc.Open(e.ctx, bob, kept.ID); err != nil {
		t.Errorf("a kept message is gone with the expired ones: %v", err)
	}
	if n, err := e.svc.SweepExpired(e.ctx); err != nil || n != 0 {
		t.Errorf("a second sweep shredded %d (%v); want 0", n, err)
	}
	_, err = e.svc.Send(e.ctx, alice, messaging.SendInput{To: "bob", Keep: "forever", Body: bytes.NewReader(img)})
	wantCode(t, "keep=forever", err, imageapp.EINVALID)
}

func testViewOnce(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	img := pngImage(t, 40, 30, 9)
	m := e.sendKeep(t, alice, "bob", "once", "for your eyes", img)
	if !m.ViewOnce || len(m.Preview) != 0 || len(m.SenderPreview) != 0 {
		t.Fatalf("view-once message: ViewOnce %v, previews %d+%d bytes; want true and none", m.ViewOnce, len(m.Preview), len(m.SenderPreview))
	}
	blob := readBlob(t, e, m.ID)

	// Looking at it is not viewing it: no caption, still unread, no image.
	opened, err := e.svc.Open(e.ctx, bob, m.ID)
	if err != nil || opened.Caption != "" || !opened.Unread() {
		t.Fatalf("bob's Open: caption %q, unread %v, %v; want no caption and still unread", opened.Caption, opened.Unread(), err)
	}
	_, err = e.svc.OpenImage(e.ctx, bob, m.ID)
	wantCode(t, "a plain read of a view-once image", err, imageapp.ECONFLICT)
	_, _, err = e.svc.ViewOnce(e.ctx, alice, m.ID)
	wantCode(t, "the sender views it", err, imageapp.ENOTFOUND)

	// Five views race; one sees the image.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			o, img2, err := e.svc.ViewOnce(e.ctx, bob, m.ID)
			if err != nil {
				if imageapp.ErrorCode(err) != imageapp.EVIEWEDONCE {
					t.Errorf("a losing view: %v; want EVIEWEDONCE", err)
				}
				return
			}
			wins.Add(1)
			got, err := io.ReadAll(img2)
			img2.Close()
			if err != nil || !bytes.Equal(got, img) || o.Caption != "for your eyes" {
				t.Errorf("the view: %d bytes, caption %q, %v; want the image and its caption", len(got), o.Caption, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d of 5 racing views saw the image; want exactly 1", wins.Load())
	}
	if exists, _ := e.Messages.MessageExists(e.ctx, m.ID); exists {
		t.Error("a viewed-once message's row is still stored")
	}
	for _, k := range blobKeys(t, e) {
		if k == m.ID {
			t.Error("a viewed-once message's blob is still stored")
		}
	}
	if e.opensWithAnyKey(t, blob, m, alice, bob) {
		t.Error("the viewed-once ciphertext still opens with a key the system holds")
	}
	_, _, err = e.svc.ViewOnce(e.ctx, bob, m.ID)
	wantCode(t, "a second view", err, imageapp.EVIEWEDONCE)
}

func idsOf(ms []*imageapp.Message) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// testExpiringStreamIsCut: an image whose stream opened before its message
// expired stops at the expiry; what it gives past it is an error, never
// more of the image.
func testExpiringStreamIsCut(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	m := e.sendKeep(t, alice, "bob", "1h", "", pngImage(t, 64, 64, 7))
	img, err := e.svc.OpenImage(e.ctx, bob, m.ID)
	if err != nil {
		t.Fatalf("bob opens the image before its hour: %v", err)
	}
	defer img.Close()
	if _, err := io.ReadFull(img, make([]byte, 8)); err != nil {
		t.Fatalf("the first bytes: %v", err)
	}
	e.clock.advance(time.Hour)
	rest, err := io.ReadAll(img)
	if !errors.Is(err, messaging.ErrExpiredMidStream) || len(rest) > 0 {
		t.Errorf("reading on past the expiry: %d more bytes, %v; want none and ErrExpiredMidStream", len(rest), err)
	}
}
