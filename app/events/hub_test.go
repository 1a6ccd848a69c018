package events

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

var ctx = context.Background()

func recv(t *testing.T, ch <-chan imageapp.Event) imageapp.Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("the subscription ended")
		}
		return e
	case <-time.After(2 * time.Second):
		t.Fatal("no event in 2 s")
	}
	return imageapp.Event{}
}

func none(t *testing.T, ch <-chan imageapp.Event) {
	t.Helper()
	select {
	case e, ok := <-ch:
		t.Fatalf("got %+v (open %v), want nothing", e, ok)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestHubDeliversToTheUsersSubscriptionsOnly: every open page of the
// recipient gets the event, nobody else's does, and Seq grows.
func TestHubDeliversToTheUsersSubscriptionsOnly(t *testing.T) {
	h := NewHub(0, nil)
	bob1, stop1, err := h.Subscribe(ctx, "bob")
	must(t, err)
	defer stop1()
	bob2, stop2, _ := h.Subscribe(ctx, "bob")
	defer stop2()
	carol, stop3, _ := h.Subscribe(ctx, "carol")
	defer stop3()

	seq1, err := h.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage, Box: imageapp.Inbox, MessageID: "m1", From: "alice", Unread: 1})
	must(t, err)
	seq2, _ := h.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventRead, Box: imageapp.Inbox, Unread: 0})
	if seq2 <= seq1 {
		t.Errorf("Seq went from %d to %d; a user's events must be ordered", seq1, seq2)
	}
	for _, ch := range []<-chan imageapp.Event{bob1, bob2} {
		if e := recv(t, ch); e.MessageID != "m1" || e.From != "alice" || e.Unread != 1 || e.Seq != seq1 || e.Gap {
			t.Errorf("first event %+v", e)
		}
		if e := recv(t, ch); e.Kind != imageapp.EventRead || e.Seq != seq2 {
			t.Errorf("second event %+v", e)
		}
	}
	none(t, carol)
	if last, _ := h.Last(ctx, "bob"); last != seq2 {
		t.Errorf("Last(bob) = %d, want %d", last, seq2)
	}
	if last, _ := h.Last(ctx, "carol"); last != h.start {
		t.Errorf("Last(carol) = %d, want the hub's start %d (nothing is known from before)", last, h.start)
	}
}

// TestHubIsBoundedAndNeverBlocks: a subscriber that does not read costs a
// fixed buffer; publishing goes on at full speed, the oldest events go, and
// the reader learns that it missed some.
func TestHubIsBoundedAndNeverBlocks(t *testing.T) {
	h := NewHub(4, nil)
	slow, stop, _ := h.Subscribe(ctx, "bob")
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 10_000 {
			h.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage, Unread: i})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("publishing blocked on a subscriber that does not read")
	}
	if n := len(slow); n != 4 {
		t.Fatalf("the slow subscription holds %d events, want its buffer of 4", n)
	}
	var got []imageapp.Event
	for range 4 {
		got = append(got, recv(t, slow))
	}
	if got[3].Unread != 9999 {
		t.Errorf("the last event kept is %+v; the newest must survive", got[3])
	}
	gap := false
	for _, e := range got {
		gap = gap || e.Gap
	}
	if !gap {
		t.Errorf("events were dropped but none of %+v says Gap", got)
	}
	// Once it has caught up, the next event is a plain one.
	h.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventRead})
	if e := recv(t, slow); e.Gap {
		t.Errorf("after catching up: %+v, want no gap", e)
	}
}

// TestHubUnsubscribe: a subscription that ends gets nothing more, its
// channel is closed, ending twice is harmless, and the hub forgets it.
func TestHubUnsubscribe(t *testing.T) {
	h := NewHub(0, nil)
	ch, stop, _ := h.Subscribe(ctx, "bob")
	other, stopOther, _ := h.Subscribe(ctx, "bob")
	defer stopOther()
	stop()
	stop()
	if _, ok := <-ch; ok {
		t.Fatal("the ended subscription's channel is still open")
	}
	h.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage})
	recv(t, other)
	if n := h.Subscribers(); n != 1 {
		t.Errorf("%d subscriptions, want 1", n)
	}
	stopOther()
	if len(h.subs) != 0 {
		t.Errorf("the hub still holds %v after the last subscription ended", h.subs)
	}
}

// TestHubCloseEndsSubscriptions: shutdown closes every channel (so streams
// end) and refuses new subscriptions; EndAll closes them and takes new ones.
func TestHubCloseEndsSubscriptions(t *testing.T) {
	h := NewHub(0, nil)
	ch, stop, _ := h.Subscribe(ctx, "bob")
	h.EndAll()
	if _, ok := <-ch; ok {
		t.Fatal("EndAll left a channel open")
	}
	stop() // after EndAll: harmless
	ch, _, err := h.Subscribe(ctx, "bob")
	must(t, err)
	must(t, h.Close())
	if _, ok := <-ch; ok {
		t.Fatal("Close left a channel open")
	}
	if _, _, err := h.Subscribe(ctx, "bob"); err != ErrClosed {
		t.Fatalf("Subscribe after Close: %v, want ErrClosed", err)
	}
}

// TestHubLeaksNoGoroutines: many subscribers coming and going, with
// publishing in between, leave no goroutine behind (the hub starts none).
func TestHubLeaksNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	h := NewHub(0, nil)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			ch, stop, err := h.Subscribe(ctx, "bob")
			if err != nil {
				t.Error(err)
				return
			}
			h.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage, Unread: i})
			<-ch
			stop()
		})
	}
	wg.Wait()
	if n := h.Subscribers(); n != 0 {
		t.Errorf("%d subscriptions left", n)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after, %d before", n, before)
	}
}

// TestHubSeqIsTimeAndMonotonic: Seq is the time in ms, raised past the
// user's last one when several come in the same millisecond.
func TestHubSeqIsTimeAndMonotonic(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	h := NewHub(0, func() time.Time { return now })
	a, _ := h.Publish(ctx, "bob", imageapp.Event{})
	b, _ := h.Publish(ctx, "bob", imageapp.Event{})
	c, _ := h.Publish(ctx, "carol", imageapp.Event{})
	if a != 1_000_000 || b != 1_000_001 || c != 1_000_000 {
		t.Errorf("Seq %d, %d (bob), %d (carol); want 1000000, 1000001, 1000000", a, b, c)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
