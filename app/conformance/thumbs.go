package conformance

import (
	"bytes"
	"context"
	"image"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/messaging"
	"imageapp/app/thumbnail"
)

// countingService is the app's messaging service over ports whose key
// calls are counted, with a cold thumbnail key cache.
func (e *env) countingService() (*messaging.Service, *atomic.Int64) {
	ports := e.Ports
	var decrypts atomic.Int64
	imageapptest.Wrap(&ports).Set(func(ctx context.Context, op imageapptest.Op, next func() error) error {
		if op == imageapptest.Decrypt {
			decrypts.Add(1)
		}
		return next()
	}, nil)
	return &messaging.Service{Stores: messaging.StoresOf(ports), App: "imageapp", Log: slog.New(slog.DiscardHandler), ThumbKeys: &messaging.ThumbKeyCache{}}, &decrypts
}

// stored is m as the store holds it now (with the previews made after its send).
func (e *env) stored(t *testing.T, m *imageapp.Message) *imageapp.Message {
	t.Helper()
	m, err := e.Messages.Message(e.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) fresh(t *testing.T, u imageapp.User) imageapp.User {
	t.Helper()
	u, err := e.Users.UserByID(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func testThumbnails(t *testing.T, e *env) {
	alice, bob, carol := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol")
	img := pngImage(t, 400, 200, 7)
	for range 3 {
		e.send(t, alice, "bob", img, "look")
	}
	for range 2 {
		e.send(t, carol, "bob", img, "look")
	}
	inbox := listAll(t, e, bob, imageapp.Inbox, 50)
	for _, m := range inbox {
		if len(m.Preview) == 0 || len(m.SenderPreview) == 0 {
			t.Fatalf("message %s stored %d+%d bytes of thumbnails; want both", m.ID, len(m.Preview), len(m.SenderPreview))
		}
		if bytes.HasPrefix(m.Preview, []byte{0xff, 0xd8}) || bytes.Contains(m.Preview, []byte("JFIF")) {
			t.Fatalf("message %s stores its thumbnail as a plain JPEG", m.ID)
		}
	}

	// A cold page of five costs one unwrap; of one, one too; warm, none.
	svc, decrypts := e.countingService()
	bob = e.fresh(t, bob)
	thumbs := svc.Previews(e.ctx, bob, inbox)
	if len(thumbs) != 5 || decrypts.Load() != 1 {
		t.Fatalf("a page of 5 opened %d thumbnails with %d key unwraps; want 5 with 1", len(thumbs), decrypts.Load())
	}
	for id, p := range thumbs {
		if p.Caption != "look" {
			t.Errorf("preview of %s has caption %q; want %q", id, p.Caption, "look")
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(p.Thumb))
		if err != nil || format != "jpeg" || cfg.Width != thumbnail.MaxSide || cfg.Height != thumbnail.MaxSide/2 {
			t.Fatalf("thumbnail of %s: %s %dx%d, %v; want a %dx%d JPEG", id, format, cfg.Width, cfg.Height, err, thumbnail.MaxSide, thumbnail.MaxSide/2)
		}
	}
	decrypts.Store(0)
	if n := len(svc.Previews(e.ctx, bob, inbox)); n != 5 || decrypts.Load() != 0 {
		t.Errorf("a warm page opened %d thumbnails with %d unwraps; want 5 with 0", n, decrypts.Load())
	}
	svc, decrypts = e.countingService()
	if n := len(svc.Previews(e.ctx, bob, inbox[:1])); n != 1 || decrypts.Load() != 1 {
		t.Errorf("a cold page of 1 opened %d thumbnails with %d unwraps; want 1 with 1", n, decrypts.Load())
	}

	// Each party opens only their own copy: alice her three sent ones.
	got := e.svc.Previews(e.ctx, e.fresh(t, alice), inbox)
	for _, m := range inbox {
		if _, ok := got[m.ID]; ok != (m.SenderID == alice.ID) {
			t.Errorf("alice opened the thumbnail of %s (from %s): %v", m.ID, m.SenderName, ok)
		}
	}
	// A thumbnail moved to another message does not open there.
	moved := *inbox[0]
	moved.Preview = inbox[1].Preview
	if _, ok := e.svc.Previews(e.ctx, bob, []*imageapp.Message{&moved})[moved.ID]; ok {
		t.Error("a thumbnail moved to another message opened")
	}
}

func testThumbKeyIsSetOnce(t *testing.T, e *env) {
	alice := e.user(t, "alice")
	first, err := e.Users.SetThumbKey(e.ctx, alice.ID, []byte("first wrapped key"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.Users.SetThumbKey(e.ctx, alice.ID, []byte("second wrapped key"))
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != "first wrapped key" || string(second) != "first wrapped key" {
		t.Errorf("SetThumbKey returned %q then %q; want the first key both times", first, second)
	}
	if got := e.fresh(t, alice).ThumbKey; string(got) != "first wrapped key" {
		t.Errorf("the directory holds thumbnail key %q; want the first", got)
	}
	_, err = e.Users.SetThumbKey(e.ctx, "no-such-user", []byte("k"))
	wantCode(t, "SetThumbKey of an unknown user", err, imageapp.ENOTFOUND)
}

func testCostlyImagesGoWithoutThumbnail(t *testing.T, e *env) {
	alice, _ := e.user(t, "alice"), e.user(t, "bob")
	e.svc.PreviewBudget = thumbnail.NewBudget(1) // no decode fits
	long := strings.Repeat("word ", 40)
	m := e.stored(t, e.send(t, alice, "bob", pngImage(t, 101, 100, 3), long))
	p, ok := e.svc.Previews(e.ctx, e.fresh(t, alice), []*imageapp.Message{m})[m.ID]
	if !ok || len(p.Thumb) != 0 {
		t.Fatalf("an image over the preview budget: preview %v with %d bytes of thumbnail; want a preview without one", ok, len(p.Thumb))
	}
	if r := []rune(p.Caption); len(r) != messaging.PreviewCaptionLength || !strings.HasPrefix(long, string(r[:len(r)-1])) {
		t.Errorf("preview caption %q; want the caption's first %d characters", p.Caption, messaging.PreviewCaptionLength)
	}
}

func testConversation(t *testing.T, e *env) {
	alice, bob, carol := e.user(t, "alice"), e.user(t, "bob"), e.user(t, "carol")
	img := pngImage(t, 8, 8, 1)
	a1 := e.send(t, alice, "bob", img, "")
	b1 := e.send(t, bob, "alice", img, "")
	a2 := e.send(t, alice, "bob", img, "")
	c1 := e.send(t, carol, "bob", img, "")
	e.send(t, carol, "alice", img, "")

	pages := func(viewer imageapp.User, with string) []string {
		t.Helper()
		var ids []string
		cursor := ""
		for range 10 {
			_, page, err := e.svc.Conversation(e.ctx, viewer, with, cursor, 2)
			if err != nil {
				t.Fatalf("%s's conversation with %s: %v", viewer.Username, with, err)
			}
			for _, m := range page.Messages {
				ids = append(ids, m.ID)
			}
			if cursor = page.Next; cursor == "" {
				return ids
			}
		}
		t.Fatalf("%s's conversation with %s never ends", viewer.Username, with)
		return nil
	}
	want := []string{a2.ID, b1.ID, a1.ID} // newest first, both ways
	for _, tc := range []struct {
		viewer imageapp.User
		with   string
		want   []string
	}{
		{bob, "alice", want}, {alice, "BOB", want}, {bob, "carol", []string{c1.ID}}, {carol, "bob", []string{c1.ID}},
	} {
		if got := pages(tc.viewer, tc.with); !slices.Equal(got, tc.want) {
			t.Errorf("%s's conversation with %s: %v; want %v", tc.viewer.Username, tc.with, got, tc.want)
		}
	}
	for _, with := range []string{"nobody", "alice"} {
		_, _, err := e.svc.Conversation(e.ctx, alice, with, "", 10)
		wantCode(t, "alice's conversation with "+with, err, imageapp.ENOTFOUND)
	}
}
