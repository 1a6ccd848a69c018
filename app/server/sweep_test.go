package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/lease"
	"imageapp/app/valkey/valkeytest"
)

// testClock is a clock a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestSweepOrphans: the app's sweep removes the blob of a send that crashed
// between its upload and its message (a pending marker and a blob, no
// message) once the marker is older than the grace; a young one, maybe a
// send in flight, stays, and so do delivered messages.
func TestSweepOrphans(t *testing.T) {
	clock := &testClock{t: time.Now().UTC()}
	app := startApp(t, t.TempDir(), func(c *Config) { c.Now = clock.now })
	alice := app.signUp("alice")
	app.signUp("bob")
	id := sendAPI(t, alice, "bob", testPNG(t, 10, 10))
	ctx := context.Background()
	crash := func(key string) {
		must(t, app.backend.Messages.PutPending(ctx, key, clock.now()))
		must(t, app.backend.Blobs.PutBlob(ctx, key, strings.NewReader("ciphertext of a crashed send")))
	}
	old, young := strings.Repeat("ab", 16), strings.Repeat("cd", 16)
	crash(old)
	clock.advance(app.app.Messaging().SweepGrace() + time.Minute)
	crash(young)

	if !app.app.runOnce(ctx, lease.NewLocal(nil), app.app.orphanSweep()) {
		t.Fatal("the sweep did not run with the lease free")
	}
	if _, err := app.backend.Blobs.Blob(ctx, old); imageapp.ErrorCode(err) != imageapp.ENOTFOUND {
		t.Errorf("the old orphan is still there")
	}
	if _, err := app.backend.Blobs.Blob(ctx, young); err != nil {
		t.Errorf("a young orphan (maybe a send in flight) was removed")
	}
	if !strings.Contains(app.logText(), "removed=1") {
		t.Errorf("the sweep did not log what it removed:\n%s", app.logText())
	}
	bob := app.client()
	bob.postJSON("/api/login", map[string]string{"username": "bob", "password": "correct horse battery"})
	if r := bob.get("/api/messages/" + id + "/image"); r.status != http.StatusOK {
		t.Errorf("the sweep removed a live message's blob: %d", r.status)
	}
}

// TestSweepRemovesUploadsKilledMidway: sends killed (kill -9) mid-upload
// leave a pending marker and a temp file, no blob; once older than the
// grace the sweep removes the temp files (also those older versions left
// beside the blobs) and counts those files, not the markers, as removed.
func TestSweepRemovesUploadsKilledMidway(t *testing.T) {
	clock := &testClock{t: time.Now().UTC()}
	app := startApp(t, t.TempDir(), func(c *Config) { c.Now = clock.now })
	ctx := context.Background()
	blobs := filepath.Join(app.dir, "blobs")
	leave := func(dir string, size int) string {
		must(t, os.MkdirAll(dir, 0o700))
		f, err := os.CreateTemp(dir, ".tmp-"+imageapp.NewID()+"-*")
		must(t, err)
		_, err = f.Write(make([]byte, size))
		must(t, err)
		must(t, f.Close())
		return f.Name()
	}
	var killed []string
	for range 3 {
		must(t, app.backend.Messages.PutPending(ctx, imageapp.NewID(), clock.now()))
		killed = append(killed, leave(filepath.Join(blobs, ".tmp"), 4096))
	}
	must(t, app.backend.Messages.PutPending(ctx, imageapp.NewID(), clock.now())) // killed before its temp file
	killed = append(killed, leave(filepath.Join(blobs, "ab"), 1024))             // an older version's, beside the blobs
	clock.advance(app.app.Messaging().SweepGrace() + time.Minute)

	if !app.app.runOnce(ctx, lease.NewLocal(nil), app.app.orphanSweep()) {
		t.Fatal("the sweep did not run with the lease free")
	}
	for _, p := range killed {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("the temp file of a killed upload is still there: %s", p)
		}
	}
	logs := app.logText()
	if !strings.Contains(logs, "removed=4") || !strings.Contains(logs, "files=4 bytes=13312") {
		t.Errorf("the sweep's log does not say it removed the 4 temp files (13312 bytes), and only those:\n%s", logs)
	}
	if strings.Contains(logs, "removed orphan blob") {
		t.Errorf("the sweep logged removing a blob that was never stored:\n%s", logs)
	}
}

// slowSweep makes the sweeper's read of the markers take a while and
// records how many sweeps read at once.
type slowSweep struct {
	imageapp.MessageStore
	active, most, reads *atomic.Int32
}

func (s slowSweep) PendingBefore(ctx context.Context, cutoff time.Time, limit int) ([]imageapp.Pending, error) {
	n := s.active.Add(1)
	defer s.active.Add(-1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	s.reads.Add(1)
	time.Sleep(30 * time.Millisecond)
	return s.MessageStore.PendingBefore(ctx, cutoff, limit)
}

// TestOneSweeperPerCluster: two instances on one shared store whose sweep
// timers fire together, again and again, never sweep at the same time.
func TestOneSweeperPerCluster(t *testing.T) {
	store := valkeytest.Start(t)
	var active, most, reads atomic.Int32
	slow := func(p *imageapp.Ports) { p.Messages = slowSweep{p.Messages, &active, &most, &reads} }
	shared := func(c *Config) { c.ValkeyURL = store.URL }
	apps := []*testApp{startAppWrapped(t, t.TempDir(), slow, shared), startAppWrapped(t, t.TempDir(), slow, shared)}
	var swept atomic.Int32
	for range 5 {
		var wg sync.WaitGroup
		for _, a := range apps {
			for range 3 { // the ticks of several instances at once
				wg.Go(func() {
					if a.app.runOnce(context.Background(), a.app.leases(), a.app.orphanSweep()) {
						swept.Add(1)
					}
				})
			}
		}
		wg.Wait()
	}
	if most.Load() != 1 {
		t.Errorf("%d sweeps ran at once across the instances; want one at a time", most.Load())
	}
	if swept.Load() < 5 || reads.Load() != swept.Load() {
		t.Errorf("%d sweeps ran (%d reads of the markers) in 5 rounds of 6 ticks; want at least one a round", swept.Load(), reads.Load())
	}
	for _, a := range apps {
		if strings.Contains(a.logText(), "orphan sweep failed") {
			t.Errorf("a sweep failed:\n%s", a.logText())
		}
	}
}
