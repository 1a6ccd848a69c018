package conformance

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/decryptlog"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// recordKey signs the heads of the records in these tests.
var recordKey = ed25519.NewKeyFromSeed([]byte("conformance decrypt record key!!"))

// countedKeys counts the key unwraps that reach the key port.
type countedKeys struct {
	imageapp.Keys
	unwraps atomic.Int64
}

func (k *countedKeys) Decrypt(ctx context.Context, keyID string, ciphertext []byte, encCtx map[string]string) ([]byte, error) {
	k.unwraps.Add(1)
	return k.Keys.Decrypt(ctx, keyID, ciphertext, encCtx)
}

// recording wires a decrypt recorder into e's service, writing each entry
// at once (no Run), and counts the unwraps.
func (e *env) recording(t *testing.T) (*decryptlog.Recorder, *countedKeys) {
	t.Helper()
	if e.Records == nil {
		t.Fatal("the backend has no decrypt record store")
	}
	rec := decryptlog.NewRecorder(e.Records, recordKey, nil, slog.New(slog.DiscardHandler))
	keys := &countedKeys{Keys: e.svc.Keys}
	e.svc.Keys, e.svc.Record = keys, rec
	return rec, keys
}

// record reads u's whole record, newest first, and checks its chain.
func (e *env) record(t *testing.T, u imageapp.User) []imageapp.DecryptEntry {
	t.Helper()
	head, err := e.Records.RecordHead(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := e.Records.RecordEntries(e.ctx, u.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := decryptlog.Verify(recordKey.Public().(ed25519.PublicKey), head, entries); err != nil {
		t.Fatalf("%s's record does not verify: %v", u.Username, err)
	}
	return entries
}

type wantEntry struct {
	message string
	purpose imageapp.DecryptPurpose
	by      string // user ID, or the job
	session string
}

func entryOf(e imageapp.DecryptEntry) wantEntry {
	by := e.By.UserID
	if e.By.Job != "" {
		by = e.By.Job
	}
	return wantEntry{e.MessageID, e.Purpose, by, e.By.Session}
}

// testEveryDecryptIsRecorded walks every path that decrypts and finds its
// entry, in the record of the user whose key it used; the unwraps that reach
// the key port are as many as the entries that say they unwrapped.
func testEveryDecryptIsRecorded(t *testing.T, e *env) {
	_, keys := e.recording(t)
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	m := e.send(t, alice, "bob", pngImage(t, 64, 48, 1), "beach") // the preview is made in the send: no queue
	alice, bob = e.fresh(t, alice), e.fresh(t, bob)
	session := imageapp.Asker{Session: "session-of-bob", Device: "Firefox on Linux"}
	as := func(p imageapp.DecryptPurpose) messaging.Access { return messaging.Access{By: session, Purpose: p} }

	if _, err := e.svc.Open(e.ctx, bob, m.ID, as("")); err != nil {
		t.Fatalf("open page: %v", err)
	}
	for _, p := range []imageapp.DecryptPurpose{imageapp.PurposeView, imageapp.PurposeDownload, imageapp.PurposeExport} {
		img, err := e.svc.OpenImage(e.ctx, bob, m.ID, as(p))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		io.Copy(io.Discard, img)
		img.Close()
	}
	if _, err := e.svc.ReadMeta(e.ctx, bob, m.ID, as(imageapp.PurposeExport)); err != nil {
		t.Fatalf("export meta: %v", err)
	}
	if _, err := e.readImage(alice, m.ID); err != nil { // the sender's view unwraps with bob's key
		t.Fatalf("sender's view: %v", err)
	}
	e.svc.ThumbKeys = &messaging.ThumbKeyCache{} // a cold cache: the page unwraps the thumbnail key
	if got := e.svc.Previews(e.ctx, bob, []*imageapp.Message{e.stored(t, m)}, as("")); len(got) != 1 {
		t.Fatalf("previews: %d; want 1", len(got))
	}
	once := e.sendKeep(t, alice, "bob", "once", "", pngImage(t, 8, 8, 2))
	_, img, err := e.svc.ViewOnce(e.ctx, bob, once.ID, as(""))
	if err != nil {
		t.Fatalf("view once: %v", err)
	}
	img.Close()
	// A preview left due (its queue never runs) is redone by the sweep, which
	// unwraps the data key again, and alice's thumbnail key (a cold cache).
	e.svc.Previewing = messaging.NewPreviewQueue(1, 1)
	due := e.send(t, alice, "bob", pngImage(t, 32, 32, 3), "")
	e.clock.advance(messaging.PreviewGrace + time.Minute)
	if n, err := e.svc.SweepPreviews(e.ctx); err != nil || n != 1 {
		t.Fatalf("sweep made %d previews (%v); want 1", n, err)
	}

	want := []wantEntry{
		{m.ID, imageapp.PurposePreview, imageapp.JobPreview, ""},
		{m.ID, imageapp.PurposeOpenPage, bob.ID, session.Session},
		{m.ID, imageapp.PurposeView, bob.ID, session.Session},
		{m.ID, imageapp.PurposeDownload, bob.ID, session.Session},
		{m.ID, imageapp.PurposeExport, bob.ID, session.Session},
		{m.ID, imageapp.PurposeExport, bob.ID, session.Session},
		{m.ID, imageapp.PurposeView, alice.ID, ""},
		{imageapp.RecordPreviews, imageapp.PurposePreviewKey, bob.ID, session.Session},
		{once.ID, imageapp.PurposeViewOnce, bob.ID, session.Session},
		{due.ID, imageapp.PurposePreview, imageapp.JobSweep, ""},
	}
	got := e.record(t, bob)
	if len(got) != len(want) {
		t.Fatalf("bob's record has %d entries; want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[len(got)-1-i] // the record reads newest first
		if entryOf(g) != w {
			t.Errorf("bob's entry %d = %+v; want %+v", i+1, entryOf(g), w)
		}
	}
	aliceGot := e.record(t, alice)
	if len(aliceGot) != 1 || entryOf(aliceGot[0]) != (wantEntry{imageapp.RecordPreviews, imageapp.PurposePreviewKey, imageapp.JobSweep, ""}) {
		t.Errorf("alice's record = %+v; want the sweep's unwrap of her thumbnail key", aliceGot)
	}
	wantCtx := map[string]string{"app": e.svc.App, "message_id": m.ID, "sender_id": alice.ID, "recipient_id": bob.ID}
	if c := got[len(got)-3].Context; !maps.Equal(c, wantCtx) {
		t.Errorf("a view's entry has context %v; want the message's encryption context %v (what CloudTrail shows)", c, wantCtx)
	}
	if c := aliceGot[0].Context; c["user_id"] != alice.ID || c["purpose"] != "thumbnails" {
		t.Errorf("a thumbnail key's entry has context %v; want the thumbnail key's", c)
	}
	// Every unwrap is an entry; the preview worker's one entry used the
	// send's key and unwrapped nothing.
	if n := keys.unwraps.Load(); n != int64(len(got)+len(aliceGot)-1) {
		t.Errorf("%d key unwraps reached the key port, %d entries say they unwrapped: a decrypting path is not recorded", n, len(got)+len(aliceGot)-1)
	}

	days := decryptlog.Days(bob.ID, got, map[string]string{m.ID: "'photo.png'"}, time.UTC)
	var phrases []string
	for _, d := range days {
		for _, l := range d.Lines {
			phrases = append(phrases, l.Phrase)
		}
	}
	all := strings.Join(phrases, "\n")
	for _, p := range []string{"You, Firefox on Linux, viewed 'photo.png'", "Export by you", "Preview made for your inbox", "alice viewed 'photo.png'"} {
		if !strings.Contains(all, p) {
			t.Errorf("the record's words lack %q:\n%s", p, all)
		}
	}

	// The settings page's service: words with the images named as bob
	// knows them, and a signed page that verifies; the export's file too.
	page, err := e.svc.DecryptRecord(e.ctx, bob, 0, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(page.Days), "You, Firefox on Linux, viewed the image from alice") {
		t.Errorf("the record page's words = %+v; want the view named by its sender", page.Days)
	}
	key, _ := page.Page.Key()
	head, entries, err := page.Page.Decode()
	if err == nil {
		err = decryptlog.Verify(key, head, entries)
	}
	if err != nil || len(entries) != len(want) || page.Before != 0 {
		t.Errorf("the record page: %d entries, %v, next %d; want %d that verify, and no next page", len(entries), err, page.Before, len(want))
	}
	file, err := e.svc.DecryptRecordFile(e.ctx, bob)
	if err != nil || len(file.Entries) != len(want) || file.Head.Seq != int64(len(want)) {
		t.Errorf("the export's record: %d entries, head %d, %v; want %d", len(file.Entries), file.Head.Seq, err, len(want))
	}
}

// testARecordThatCannotBeWrittenRefusesTheDecrypt: no entry, no unwrap.
func testARecordThatCannotBeWrittenRefusesTheDecrypt(t *testing.T, e *env) {
	_, keys := e.recording(t)
	alice, bob := e.user(t, "alice"), e.user(t, "bob")
	m := e.send(t, alice, "bob", pngImage(t, 16, 16, 1), "")
	before := keys.unwraps.Load()
	e.svc.Record = decryptlog.NewRecorder(failingRecord{e.Records}, recordKey, nil, slog.New(slog.DiscardHandler))
	if _, err := e.svc.OpenImage(e.ctx, e.fresh(t, bob), m.ID); imageapp.ErrorCode(err) != imageapp.EUNAVAILABLE {
		t.Fatalf("a view whose record cannot be written: %v; want EUNAVAILABLE", err)
	}
	if keys.unwraps.Load() != before {
		t.Error("the key was unwrapped although its record could not be written")
	}
}

type failingRecord struct{ imageapp.DecryptRecord }

func (failingRecord) AppendRecord(context.Context, string, imageapp.DecryptHead, []imageapp.DecryptEntry, imageapp.DecryptHead) error {
	return errors.New("injected: the record store is down")
}

// testConcurrentAppendsKeepOneChain: writers on several instances append to
// one record at once; the chain never forks and loses nothing.
func testConcurrentAppendsKeepOneChain(t *testing.T, e *env) {
	const instances, each = 4, 10
	u := imageapp.User{ID: imageapp.NewID(), Username: "carol"}
	var wg sync.WaitGroup
	errs := make(chan error, instances*each)
	for i := range instances {
		rec := decryptlog.NewRecorder(e.Records, recordKey, nil, slog.New(slog.DiscardHandler))
		wg.Go(func() {
			for j := range each {
				errs <- rec.Record(e.ctx, u.ID, imageapp.DecryptEntry{MessageID: fmt.Sprintf("m-%d-%d", i, j), Purpose: imageapp.PurposeView})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := e.record(t, u)
	seen := map[string]bool{}
	for _, g := range got {
		seen[g.MessageID] = true
	}
	if len(got) != instances*each || len(seen) != instances*each || got[0].Seq != instances*each {
		t.Fatalf("%d entries (%d distinct, newest %d); want %d, one chain", len(got), len(seen), got[0].Seq, instances*each)
	}
}

// testRecordGoesWithTheAccount: purging a deleted account's messages takes
// its record, and expired entries go on the next append.
func testRecordGoesWithTheAccountAndExpires(t *testing.T, e *env) {
	u := imageapp.User{ID: imageapp.NewID(), Username: "dave"}
	longAgo := func() time.Time { return time.Now().Add(-imageapp.RecordRetention - time.Hour) }
	old := decryptlog.NewRecorder(e.Records, recordKey, longAgo, slog.New(slog.DiscardHandler))
	for range 2 {
		if err := old.Record(e.ctx, u.ID, imageapp.DecryptEntry{MessageID: "old", Purpose: imageapp.PurposeView}); err != nil {
			t.Fatal(err)
		}
	}
	rec, _ := e.recording(t)
	if err := rec.Record(e.ctx, u.ID, imageapp.DecryptEntry{MessageID: "new", Purpose: imageapp.PurposeView}); err != nil {
		t.Fatal(err)
	}
	if got := e.record(t, u); len(got) != 1 || got[0].MessageID != "new" || got[0].Seq != 3 {
		t.Fatalf("after an append the record holds %+v; want only the entry younger than the retention (seq 3)", got)
	}
	if _, err := e.svc.PurgeReceived(e.ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	head, err := e.Records.RecordHead(e.ctx, u.ID)
	entries, err2 := e.Records.RecordEntries(e.ctx, u.ID, 0, 10)
	if err != nil || err2 != nil || head.Seq != 0 || len(entries) != 0 {
		t.Fatalf("after the account's purge: head %d, %d entries (%v, %v); want none", head.Seq, len(entries), err, err2)
	}
}
