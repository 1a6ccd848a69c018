package conformance

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// mailLog records the notifications it passes on to the backend's notifier,
// and fails them while failing is set.
type mailLog struct {
	imageapp.Notifier
	mu      sync.Mutex
	got     []imageapp.Notification
	failing bool
}

func (l *mailLog) Notify(ctx context.Context, to imageapp.User, n imageapp.Notification) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failing {
		return errors.New("conformance: the mail service is down")
	}
	l.got = append(l.got, n)
	return l.Notifier.Notify(ctx, to, n)
}

func (l *mailLog) notes() []imageapp.Notification {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

func (e *env) withMailDigests(t *testing.T) *mailLog {
	t.Helper()
	if e.MailDigests == nil {
		t.Fatal("the backend has no MailDigests")
	}
	mails := &mailLog{Notifier: e.svc.Notifier}
	e.svc.Notifier, e.svc.MailDigests, e.svc.MailWindow = mails, e.MailDigests, messaging.DefaultMailWindow
	return mails
}

func (e *env) sweepDigests(t *testing.T) int {
	t.Helper()
	n, err := e.svc.SweepMailDigests(e.ctx)
	if err != nil {
		t.Fatalf("digest sweep: %v", err)
	}
	return n
}

// testABurstMailsOnceThenOneDigest: one sender's allowed burst of 30 sends
// mails the recipient once at once and once more, a digest of the other 29
// and of a second sender's images, when the window has passed; the caption
// is in neither.
func testABurstMailsOnceThenOneDigest(t *testing.T, e *env) {
	alice, carol := e.user(t, "alice"), e.user(t, "carol")
	bob := e.user(t, "bob")
	mails := e.withMailDigests(t)
	start := e.svc.Now()
	img := pngImage(t, 8, 8, 30)
	for range 30 {
		e.send(t, alice, "bob", img, "our secret caption")
	}
	e.send(t, carol, "bob", img, "")
	if took := e.svc.Now().Sub(start); took >= messaging.DefaultMailWindow {
		t.Fatalf("the burst took %v on the test clock, not within the mail window", took)
	}
	got := mails.notes()
	if len(got) != 1 || got[0].IsDigest() || got[0].SenderName != "alice" {
		t.Fatalf("31 sends in a burst mailed %+v; want one mail, at once, naming alice", got)
	}
	if n := e.sweepDigests(t); n != 0 {
		t.Fatalf("a sweep within the window mailed %d digests; want none yet", n)
	}

	e.clock.advance(messaging.DefaultMailWindow)
	if n := e.sweepDigests(t); n != 1 {
		t.Fatalf("a sweep after the window mailed %d digests; want 1", n)
	}
	got = mails.notes()
	digest := got[len(got)-1]
	if len(got) != 2 || digest.RecipientID != bob.ID || digest.Images != 30 || !slices.Equal(digest.Senders, []string{"alice", "carol"}) {
		t.Fatalf("after the window: %+v; want one digest of 30 images from alice and carol", got)
	}
	if s := digest.Summary(); s != "2 people sent you 30 images" {
		t.Errorf("the digest says %q", s)
	}
	for _, n := range got {
		if strings.Contains(n.Summary(), "secret") {
			t.Errorf("a mail carries the caption: %q", n.Summary())
		}
	}
	if n := e.sweepDigests(t); n != 0 {
		t.Errorf("a second sweep mailed %d more digests; want none", n)
	}

	// Within the window after the digest, a send waits for the next one;
	// once a window passes with nothing waiting, the next mails at once.
	e.send(t, alice, "bob", img, "")
	if got := mails.notes(); len(got) != 2 {
		t.Errorf("a send right after the digest mailed at once: %d mails; want 2", len(got))
	}
	e.clock.advance(messaging.DefaultMailWindow)
	e.sweepDigests(t)
	e.clock.advance(messaging.DefaultMailWindow)
	e.send(t, alice, "bob", img, "")
	got = mails.notes()
	if len(got) != 4 || got[2].Summary() != "alice sent you an image" || got[3].IsDigest() {
		t.Errorf("after quiet windows: %+v; want a digest of one image, then a mail at once", got)
	}
}

// testADigestSurvivesAFailedMail: a mail at once that fails joins the
// next digest; a digest whose mail fails stays due and goes at the next
// sweep (a crash before Settle is the same case); and a digest for someone
// who turned mail off since is dropped.
func testADigestSurvivesAFailedMail(t *testing.T, e *env) {
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	mails := e.withMailDigests(t)
	img := pngImage(t, 8, 8, 31)
	mails.failing = true
	for range 3 {
		e.send(t, alice, "bob", img, "")
	}
	e.clock.advance(messaging.DefaultMailWindow)
	if _, err := e.svc.SweepMailDigests(e.ctx); err == nil {
		t.Fatal("a sweep whose mail failed reported no error")
	}
	mails.failing = false
	if n := e.sweepDigests(t); n != 1 {
		t.Fatalf("the next sweep mailed %d digests; want the one that failed", n)
	}
	if got := mails.notes(); len(got) != 1 || got[0].Images != 3 {
		t.Fatalf("mails %+v; want one digest of all 3 images (the failed mail at once among them)", got)
	}

	e.send(t, alice, "bob", img, "")
	e.setPrivacy(t, bob, imageapp.Privacy{ReadReceipts: true, Listed: true}) // mail off
	e.clock.advance(messaging.DefaultMailWindow)
	if n := e.sweepDigests(t); n != 0 {
		t.Errorf("a digest for bob, who turned mail off, was mailed")
	}
	if due, err := e.MailDigests.Due(e.ctx, e.svc.Now().Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Errorf("due after the dropped digest: %+v, %v; want none", due, err)
	}
}

// testOneInstanceMailsAtOnce: instances recording a recipient's first
// notification at the same moment agree that exactly one mails.
func testOneInstanceMailsAtOnce(t *testing.T, e *env) {
	now := time.Now().UTC()
	const instances = 8
	var wg sync.WaitGroup
	results := make(chan bool, instances)
	for i := range instances {
		wg.Go(func() {
			mailNow, err := e.MailDigests.Record(e.ctx, "recipient-1", []string{"alice", "carol"}[i%2], now, time.Minute)
			if err != nil {
				t.Errorf("record: %v", err)
			}
			results <- mailNow
		})
	}
	wg.Wait()
	close(results)
	at := 0
	for r := range results {
		if r {
			at++
		}
	}
	if at != 1 {
		t.Fatalf("%d instances were told to mail at once; want 1", at)
	}
	due, err := e.MailDigests.Due(e.ctx, now.Add(time.Minute), 10)
	if err != nil || len(due) != 1 || due[0].Images != instances-1 || !slices.Equal(due[0].Senders, []string{"alice", "carol"}) {
		t.Fatalf("due a window later: %+v, %v; want one digest of %d images from alice and carol", due, err, instances-1)
	}
	if due, err := e.MailDigests.Due(e.ctx, now.Add(time.Minute-time.Nanosecond), 10); err != nil || len(due) != 0 {
		t.Errorf("due before the window ended: %+v, %v; want none", due, err)
	}
}
