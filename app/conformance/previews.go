package conformance

import (
	"bytes"
	"image"
	"slices"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// testDuePreviewsAreRedoneBySweep: a send whose preview was never made (its
// process died with the job queued) leaves the message marked due; the
// sweep finds it through the index of due previews and makes it, with the
// thumbnail and the caption, for both sides.
func testDuePreviewsAreRedoneBySweep(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	// A queue of one that never runs: the first job waits for ever, as after
	// a crash; the second finds the queue full.
	e.svc.Previewing = messaging.NewPreviewQueue(1, 1)
	m := e.send(t, alice, "bob", pngImage(t, 400, 200, 5), "sunset")
	full := e.send(t, alice, "bob", pngImage(t, 300, 200, 6), "dusk")
	once, err := e.svc.Send(e.ctx, alice, messaging.SendInput{To: "bob", Keep: "once", Filename: "x.png", Body: bytes.NewReader(pngImage(t, 8, 8, 1))})
	if err != nil {
		t.Fatal(err)
	}
	got := e.stored(t, m)
	if !got.PreviewDue || len(got.Preview) != 0 || len(got.SenderPreview) != 0 {
		t.Fatalf("a message whose preview is not made yet: due %v, %d+%d preview bytes; want due and none", got.PreviewDue, len(got.Preview), len(got.SenderPreview))
	}
	if e.stored(t, once).PreviewDue {
		t.Error("a view-once message is due a preview; it must never get one")
	}
	due, err := e.Messages.PreviewsDueBefore(e.ctx, time.Now().Add(time.Hour), 10)
	if err != nil || !slices.Equal(due, []string{m.ID, full.ID}) {
		t.Fatalf("PreviewsDueBefore = %v, %v; want %s and %s, oldest first", due, err, m.ID, full.ID)
	}
	if due, err := e.Messages.PreviewsDueBefore(e.ctx, m.CreatedAt, 10); err != nil || len(due) != 0 {
		t.Errorf("PreviewsDueBefore its creation = %v, %v; want none", due, err)
	}

	// Not yet: the queue may still be making it.
	if n, err := e.svc.SweepPreviews(e.ctx); err != nil || n != 0 {
		t.Fatalf("a sweep within the grace made %d previews (%v); want none", n, err)
	}
	e.clock.advance(messaging.PreviewGrace + time.Minute)
	if n, err := e.svc.SweepPreviews(e.ctx); err != nil || n != 2 {
		t.Fatalf("the sweep made %d previews (%v); want 2", n, err)
	}
	got = e.stored(t, m)
	if got.PreviewDue {
		t.Error("the message is still due a preview after the sweep made it")
	}
	for _, viewer := range []imageapp.User{e.fresh(t, alice), e.fresh(t, bob)} {
		p, ok := e.svc.Previews(e.ctx, viewer, []*imageapp.Message{got})[m.ID]
		if !ok || p.Caption != "sunset" {
			t.Fatalf("%s's preview after the sweep: %v %q; want the caption", viewer.Username, ok, p.Caption)
		}
		if _, _, err := image.DecodeConfig(bytes.NewReader(p.Thumb)); err != nil {
			t.Errorf("%s's preview after the sweep has no thumbnail: %v", viewer.Username, err)
		}
	}
	if due, err := e.Messages.PreviewsDueBefore(e.ctx, time.Now().Add(time.Hour), 10); err != nil || slices.Contains(due, m.ID) {
		t.Errorf("PreviewsDueBefore after the sweep = %v, %v; want it gone", due, err)
	}
	if n, err := e.svc.SweepPreviews(e.ctx); err != nil || n != 0 {
		t.Errorf("a second sweep made %d previews (%v); want none", n, err)
	}
}

// testSetPreviewsOfAGoneMessage: a preview made for a message deleted
// meanwhile is refused, and brings nothing back.
func testSetPreviewsOfAGoneMessage(t *testing.T, e *env) {
	alice, _ := e.user(t, "alice"), e.user(t, "bob")
	m := e.send(t, alice, "bob", pngImage(t, 8, 8, 1), "")
	if err := e.svc.Delete(e.ctx, alice, m.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "SetPreviews of a deleted message", e.Messages.SetPreviews(e.ctx, m.ID, []byte("r"), []byte("s")), imageapp.ENOTFOUND)
	if ok, err := e.Messages.MessageExists(e.ctx, m.ID); err != nil || ok {
		t.Errorf("after SetPreviews of a deleted message, MessageExists = %v, %v; want false", ok, err)
	}
	wantCode(t, "SetPreviews of an unknown message", e.Messages.SetPreviews(e.ctx, imageapp.NewID(), nil, nil), imageapp.ENOTFOUND)
}

// testAClosedImageReadsNothing: an image's stream gives its buffer back on
// Close, so reading it after must fail rather than show whatever the
// buffer holds next (another person's image); a stream written whole
// (WriteTo) gives the same bytes as one read.
func testAClosedImageReadsNothing(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	first, second := pngImage(t, 300, 200, 8), pngImage(t, 200, 300, 9)
	a := e.send(t, alice, "bob", first, "")
	b := e.send(t, alice, "bob", second, "")
	img, err := e.svc.OpenImage(e.ctx, bob, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := img.Close(); err != nil {
		t.Fatal(err)
	}
	other, err := e.svc.OpenImage(e.ctx, bob, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if n, err := img.Read(make([]byte, 1024)); n != 0 || err == nil {
		t.Errorf("a closed image read %d bytes (%v); want none and an error", n, err)
	}
	var got bytes.Buffer
	if _, err := other.WriteTo(&got); err != nil || !bytes.Equal(got.Bytes(), second) {
		t.Errorf("WriteTo gave %d bytes (%v); want the %d bytes sent", got.Len(), err, len(second))
	}
}
