package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"imageapp/app/lease"
	"imageapp/app/messaging"
)

// notificationMails reads the notification mails (not the codes) the outbox
// holds for email, oldest first.
func (a *testApp) notificationMails(email string) []string {
	a.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(a.dir, "outbox", "*.eml"))
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			a.t.Fatal(err)
		}
		if s := string(raw); strings.Contains(s, "To: "+email+"\r\n") && (strings.Contains(s, "Open your inbox") || strings.Contains(s, "Open it: ")) {
			out = append(out, s)
		}
	}
	return out
}

// TestABurstOfSendsMailsOnceThenADigest: one sender's allowed burst of 30
// sends, through the API, mails the recipient once at once and, once the
// window has passed on the app's clock, one digest from the sweep; no
// caption in either. The minute's metrics line counts it all.
func TestABurstOfSendsMailsOnceThenADigest(t *testing.T) {
	clock := &testClock{t: time.Now().UTC()}
	app := startApp(t, t.TempDir(), func(c *Config) { c.Now = clock.now })
	alice := app.signUp("alice")
	app.signUp("bob")
	img := testPNG(t, 8, 8)
	for i := range 30 {
		r := alice.postMultipart("/api/messages", field("to", "bob"), field("caption", "our secret plan"), file("image", "x.png", img))
		if r.status != http.StatusCreated && r.status != http.StatusOK {
			t.Fatalf("send %d: %d %s", i+1, r.status, r.body)
		}
	}
	app.backend.notifying.Wait()
	if mails := app.notificationMails("bob@example.com"); len(mails) != 1 {
		t.Fatalf("30 sends in a burst mailed bob %d times; want 1 at once", len(mails))
	}
	ctx := context.Background()
	leases := lease.NewLocal(nil)
	app.app.runOnce(ctx, leases, app.app.digestSweep())
	if mails := app.notificationMails("bob@example.com"); len(mails) != 1 {
		t.Fatalf("a sweep within the window mailed: %d mails; want still 1", len(mails))
	}

	clock.advance(messaging.DefaultMailWindow)
	if !app.app.runOnce(ctx, leases, app.app.digestSweep()) {
		t.Fatal("the digest sweep did not run with its lease free")
	}
	mails := app.notificationMails("bob@example.com")
	if len(mails) != 2 || !strings.Contains(mails[1], "Subject: alice sent you 29 images") {
		t.Fatalf("after the window: %d mails, the last:\n%s\nwant a digest of 29 images from alice", len(mails), mails[len(mails)-1])
	}
	for _, m := range mails {
		if strings.Contains(m, "secret") {
			t.Errorf("a mail carries the caption:\n%s", m)
		}
	}

	var line bytes.Buffer
	if err := app.app.Metrics().Write(&line, clock.now()); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(line.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, line.String())
	}
	for name, want := range map[string]float64{"Sends": 30, "MailsSent": 1, "MailsCoalesced": 29, "DigestsSent": 1} {
		if got[name] != want {
			t.Errorf("metrics: %s = %v; want %v", name, got[name], want)
		}
	}
	if _, ok := got["PreviewQueueDepth"]; !ok {
		t.Errorf("metrics line has no PreviewQueueDepth: %s", line.String())
	}
}
