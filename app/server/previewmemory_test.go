package server

import (
	"bufio"
	"bytes"
	"database/sql"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/imageapptest"
)

// rssGrowthBound is what app/README.md promises a burst of the costliest
// previews adds to the process: the preview budget of decoded bytes (64 MiB)
// and room for the runtime's own growth around it.
const rssGrowthBound = 128 << 20

// TestPreviewBombsKeepTheProcessSmall sends, four at once, the images whose
// previews used to cost the most — a 124 KB 16-bit 4000×4000 PNG decodes to
// 128 MB whole, a 16 MP progressive JPEG holds every coefficient — to the
// real server binary, and reads its resident memory from /proc while their
// previews are made: its growth stays under the bound app/README.md states.
// (A process of its own, built without the race detector, so that what is
// measured is the server's memory and nothing else's.)
func TestPreviewBombsKeepTheProcessSmall(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Fatalf("this test reads the server's memory from /proc: %v", err)
	}
	bomb := sixteenBitPNG(t, 4000, 4000)
	progressive := imageapptest.ProgressiveJPEG()

	bin := buildApp(t)
	for _, tc := range []struct {
		name string
		img  []byte
	}{{"16-bit PNG", bomb}, {"16 MP progressive JPEG", progressive}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startProcess(t, bin) // a fresh process: a heap the last case grew is not returned at once
			alice, bob := srv.signUp("alice"), srv.signUp("bob")
			send := func(img []byte, name string) {
				if r := alice.postMultipart("/api/messages", field("to", "bob"), file("image", name, img)); r.status != http.StatusCreated {
					t.Errorf("send %s: %d %s", name, r.status, r.body)
				}
			}
			send(testPNG(t, 640, 480), "warm.png") // the first send's one-time costs are not the previews'
			srv.previewsDone(t)
			before := srv.rss(t)
			srv.resetPeak()
			var peak atomic.Int64
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() { // between /proc's peak and these samples, no peak is missed
				defer close(sampled)
				for {
					if n := srv.rss(t); n > peak.Load() {
						peak.Store(n)
					}
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond):
					}
				}
			}()
			var wg sync.WaitGroup
			for i := range 4 {
				wg.Go(func() { send(tc.img, "image"+strconv.Itoa(i)) })
			}
			wg.Wait()
			srv.previewsDone(t)
			close(stop)
			<-sampled
			if hwm := srv.peakRSS(t); hwm > peak.Load() {
				peak.Store(hwm)
			}
			growth := peak.Load() - before
			t.Logf("four %s sends: RSS %d MiB before, peak %d MiB (+%d MiB)", tc.name, before>>20, peak.Load()>>20, growth>>20)
			if growth > rssGrowthBound {
				t.Errorf("four %s sends grew the server's RSS by %d MiB; app/README.md promises under %d MiB", tc.name, growth>>20, rssGrowthBound>>20)
			}
			var page struct{ Messages []struct{ Thumbnail string } }
			decode(t, bob.get("/api/messages"), &page)
			for i, m := range page.Messages {
				if m.Thumbnail == "" {
					t.Errorf("message %d of bob's inbox has no thumbnail: the bound held by refusing the preview", i)
				}
			}
		})
	}
}

// sixteenBitPNG is a flat 16-bit RGBA PNG: a few hundred bytes of file,
// 8 bytes a pixel decoded whole.
func sixteenBitPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA64(image.Rect(0, 0, w, h))
	c := color.RGBA64{R: 0x1234, G: 0x8765, B: 0x4321, A: 0xffff}
	for y := range h {
		for x := range w {
			img.SetRGBA64(x, y, c)
		}
	}
	var buf bytes.Buffer
	must(t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img))
	return buf.Bytes()
}

// process is the server binary running on the embedded backend.
type process struct {
	*testApp
	in  *instance
	pid int
	db  *sql.DB
}

// startProcess starts the server binary bin on a fresh data dir, with env
// (IMAGEAPP_*=…) added to its environment.
func startProcess(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	c := &cluster{t: t, bin: bin, env: append([]string{"IMAGEAPP_BACKEND=local"}, env...)}
	in := c.start(1)
	t.Cleanup(func() { c.stop(in) })
	dir := ""
	for _, kv := range in.cmd.Env {
		if v, ok := strings.CutPrefix(kv, "IMAGEAPP_DATA_DIR="); ok {
			dir = v
		}
	}
	app := &testApp{t: t, dir: dir, server: &httptest.Server{URL: in.url}}
	return &process{testApp: app, in: in, pid: in.cmd.Process.Pid, db: openSQLite(t, dir)}
}

// client is a browser of the process (testApp.client needs an httptest server).
func (p *process) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: p.t, app: p.testApp, http: &http.Client{Jar: jar}}
}

// signUp is testApp.signUp with the process's client.
func (p *process) signUp(name string) *client {
	p.t.Helper()
	c := p.client()
	email := name + "@example.com"
	c.postForm("/signup", map[string][]string{"username": {name}, "email": {email}, "password": {"correct horse battery"}})
	c.postForm("/verify", map[string][]string{"username": {name}, "code": {p.codeFor(email)}})
	if r := c.postForm("/login", map[string][]string{"username": {name}, "password": {"correct horse battery"}}); r.url != "/inbox" {
		p.t.Fatalf("login %s: %d at %s", name, r.status, r.url)
	}
	return c
}

// previewsDone waits until no message is due a preview, from the SQLite file.
func (p *process) previewsDone(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var due int
		must(t, p.db.QueryRow(`SELECT count(*) FROM messages WHERE preview_due = 1`).Scan(&due))
		if due == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d previews still due after two minutes", due)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rss and peakRSS read VmRSS and VmHWM of the process, in bytes.
func (p *process) rss(t *testing.T) int64     { return p.status(t, "VmRSS:") }
func (p *process) peakRSS(t *testing.T) int64 { return p.status(t, "VmHWM:") }

func (p *process) status(t *testing.T, field string) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(p.pid) + "/status")
	if err != nil {
		t.Errorf("read the server's memory: %v", err)
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	t.Errorf("no %s in the server's /proc status", field)
	return 0
}

// resetPeak starts VmHWM again from the current RSS (a kernel feature; if
// it is refused the samples still hold the peak).
func (p *process) resetPeak() {
	_ = os.WriteFile("/proc/"+strconv.Itoa(p.pid)+"/clear_refs", []byte("5"), 0)
}
