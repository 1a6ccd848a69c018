package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/imageapp"
)

// tester is who asks for the codes these tests send and try.
var tester = imageapp.Tool("test")

// newIdentity is an Identity on a real SQLite file in a temp dir.
func newIdentity(t *testing.T, hasher *Hasher) *Identity {
	t.Helper()
	dir := t.TempDir()
	db, err := OpenDB(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Identity{DB: db, Outbox: &Outbox{Dir: filepath.Join(dir, "outbox")}, Pepper: random(32), Hasher: hasher}
}

// confirmed signs name up and confirms it with the code from the outbox.
func confirmed(t *testing.T, id *Identity, name string) {
	t.Helper()
	ctx := context.Background()
	if err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: name, Email: name + "@example.com", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if err := id.Confirm(ctx, tester, name, lastCode(t, id, name+"@example.com")); err != nil {
		t.Fatal(err)
	}
}

func lastCode(t *testing.T, id *Identity, email string) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(id.Outbox.Dir, "*.eml"))
	slices.Sort(paths)
	for i := len(paths) - 1; i >= 0; i-- {
		raw, _ := os.ReadFile(paths[i])
		if !strings.Contains(string(raw), "To: "+email+"\r\n") {
			continue
		}
		if _, code, ok := strings.Cut(string(raw), " code is "); ok {
			return code[:6]
		}
	}
	t.Fatalf("no code mailed to %s", email)
	return ""
}

// heapBytes is the heap's objects now (runtime/metrics, no stop-the-world).
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestHashesAreBounded: a burst of logins (unknown users, so each runs the
// dummy hash) never runs more hashes at once than the Hasher's slots, the
// heap grows by about that many 19 MiB blocks and not by one per login, and
// a login that waited too long for a slot is refused with a Retry-After
// (503 in the web layer). Without the bound the same burst holds every
// login's 19 MiB at once.
func TestHashesAreBounded(t *testing.T) {
	const slots, logins = 2, 30
	id := newIdentity(t, NewHasher(slots, 300*time.Millisecond))
	runtime.GC()
	base := heapBytes()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample the heap while the burst runs
		defer close(sampled)
		for {
			if h := heapBytes(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	var wrong, busy, other atomic.Int64
	start := time.Now()
	for i := range logins {
		wg.Go(func() {
			_, err := id.Login(context.Background(), tester, "nobody"+string(rune('a'+i)), "some password")
			wait, waits := imageapp.RetryAfter(err)
			switch {
			case imageapp.ErrorCode(err) == imageapp.EUNAUTHORIZED:
				wrong.Add(1)
			case imageapp.ErrorCode(err) == imageapp.EUNAVAILABLE && waits && wait > 0:
				busy.Add(1)
			default:
				other.Add(1)
				t.Errorf("login: %v", err)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	elapsed := time.Since(start)
	st := id.HasherStats()
	grew := int64(peak.Load()) - int64(base)
	t.Logf("%d logins in %v: %d answered, %d refused busy; hashes run %d, at most %d at once; heap grew by at most %.1f MiB (one hash holds %d MiB)",
		logins, elapsed.Round(time.Millisecond), wrong.Load(), busy.Load(), st.Hashes, st.Peak, float64(grew)/(1<<20), hashBytes>>20)
	if st.Peak > slots {
		t.Errorf("%d hashes ran at once, want at most %d", st.Peak, slots)
	}
	// The slots' blocks, and as much again of finished hashes' blocks that
	// the GC has not collected yet (GOGC=100), and one more.
	if limit := int64(2*slots+1) * hashBytes; grew > limit {
		t.Errorf("the heap grew by %.1f MiB during the burst, want under %d MiB (%d slots, twice, and one)", float64(grew)/(1<<20), limit>>20, slots)
	}
	if wrong.Load() == 0 || busy.Load() == 0 || st.Refused != busy.Load() {
		t.Errorf("want some logins answered and some refused as busy: %d answered, %d busy (hasher counted %d refused)", wrong.Load(), busy.Load(), st.Refused)
	}
}

// TestLoginHashesOnceWhateverTheAccount: every login runs exactly one
// argon2id hash, for an unknown username (against the dummy hash) as for a
// wrong or a right password, so the time of the answer does not tell.
func TestLoginHashesOnceWhateverTheAccount(t *testing.T) {
	id := newIdentity(t, NewHasher(4, 0))
	confirmed(t, id, "alice")
	ctx := context.Background()
	if err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "erin", Email: "erin@example.com", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, user, pw string }{
		{"unknown username", "nobody", "correct horse battery"},
		{"wrong password", "alice", "wrong horse battery"},
		{"right password", "alice", "correct horse battery"},
		{"unconfirmed", "erin", "correct horse battery"},
	} {
		before := id.HasherStats().Hashes
		id.Login(ctx, tester, c.user, c.pw)
		if n := id.HasherStats().Hashes - before; n != 1 {
			t.Errorf("%s: %d hashes, want 1", c.name, n)
		}
	}
}

// TestCodeRequestsDoTheSameWork: asking for a code (forgot, resend) writes
// one mail whatever the account's state, a real one or a dummy that is
// discarded, and takes as long: the medians of existing and unknown
// usernames, timed interleaved in the same run, are close (they were 3.0 vs
// 1.4 ms when an unknown username skipped the code and the mail).
func TestCodeRequestsDoTheSameWork(t *testing.T) {
	id := newIdentity(t, NewHasher(4, 0))
	id.MailLimit.Burst, id.MailLimit.Every = 1000, time.Millisecond // timing many requests, not the limit
	confirmed(t, id, "alice")
	ctx := context.Background()
	if err := id.SignUp(ctx, tester, imageapp.SignUpInput{Username: "erin", Email: "erin@example.com", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	var sent, discarded atomic.Int64
	testHookMailWritten = func(real bool) {
		if real {
			sent.Add(1)
		} else {
			discarded.Add(1)
		}
	}
	t.Cleanup(func() { testHookMailWritten = nil })
	for _, c := range []struct {
		name string
		call func() error
		real bool
	}{
		{"forgot, confirmed", func() error { return id.ForgotPassword(ctx, tester, "alice") }, true},
		{"forgot, unconfirmed", func() error { return id.ForgotPassword(ctx, tester, "erin") }, true},
		{"forgot, unknown", func() error { return id.ForgotPassword(ctx, tester, "nobody") }, false},
		{"resend, unconfirmed", func() error { return id.ResendCode(ctx, tester, "erin") }, true},
		{"resend, confirmed", func() error { return id.ResendCode(ctx, tester, "alice") }, false},
		{"resend, unknown", func() error { return id.ResendCode(ctx, tester, "nobody") }, false},
	} {
		s0, d0 := sent.Load(), discarded.Load()
		c.call()
		s, d := sent.Load()-s0, discarded.Load()-d0
		if s+d != 1 || (s == 1) != c.real {
			t.Errorf("%s: %d mails sent and %d discarded, want one %s", c.name, s, d, map[bool]string{true: "sent", false: "discarded"}[c.real])
		}
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		paths, _ := filepath.Glob(filepath.Join(id.Outbox.Dir, ".discard-*"))
		if len(paths) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dummy mails left in the outbox: %v", paths)
		}
	}

	// Timed: interleaved, so the machine's load falls on both alike.
	const rounds = 40
	var known, unknown []time.Duration
	for range rounds {
		t0 := time.Now()
		must(t, id.ForgotPassword(ctx, tester, "alice"))
		t1 := time.Now()
		must(t, id.ForgotPassword(ctx, tester, "nobody"))
		known, unknown = append(known, t1.Sub(t0)), append(unknown, time.Since(t1))
	}
	mk, mu := median(known), median(unknown)
	ratio := float64(mk) / float64(mu)
	t.Logf("forgot, median of %d: existing %v, unknown %v (ratio %.2f)", rounds, mk, mu, ratio)
	if ratio > 1.6 || ratio < 1/1.6 {
		t.Errorf("forgot takes %v for an existing account and %v for an unknown one: the time tells them apart", mk, mu)
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestDatabaseFilesAreOwnerOnly: the database and its WAL and shared-memory
// files are 0600 however open the data directory and the umask are, and a
// database left 0644 by an older version is tightened.
func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	must(t, os.Chmod(dir, 0o777))
	check := func(when string) {
		t.Helper()
		for _, name := range []string{"imageapp.db", "imageapp.db-wal", "imageapp.db-shm"} {
			info, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("%s: %v", when, err)
				continue
			}
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s has mode %v, want 0600", when, name, info.Mode().Perm())
			}
		}
	}
	db, err := OpenDB(context.Background(), dir)
	must(t, err)
	check("created")
	must(t, db.Close())
	must(t, os.Chmod(filepath.Join(dir, "imageapp.db"), 0o644))
	db, err = OpenDB(context.Background(), dir)
	must(t, err)
	defer db.Close()
	check("reopened after a chmod 644")
}

// TestMissingSecretsBesideData: with data in the directory and no
// secrets.json, LoadSecrets refuses and says what to do, instead of making a
// master key that opens none of the images; with no data, or with the master
// key given by the operator, it starts.
func TestMissingSecretsBesideData(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadSecrets(dir, "")
	must(t, err) // first run
	db, err := OpenDB(context.Background(), dir)
	must(t, err)
	must(t, db.Close())
	must(t, os.Remove(filepath.Join(dir, "secrets.json")))
	_, err = LoadSecrets(dir, "")
	if err == nil || !strings.Contains(err.Error(), "secrets.json is missing") || !strings.Contains(err.Error(), "restore") {
		t.Fatalf("secrets.json gone beside a database: %v, want a refusal that says to restore it", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "secrets.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a new secrets.json was written: %v", err)
	}
	blobsOnly := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(blobsOnly, "blobs", "ab"), 0o700))
	if _, err := LoadSecrets(blobsOnly, ""); err == nil {
		t.Fatalf("secrets.json gone beside stored blobs: started")
	}
	if _, err := LoadSecrets(dir, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="); err != nil {
		t.Fatalf("with IMAGEAPP_MASTER_KEY given: %v", err)
	}
}
