package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"syscall"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/imageapptest"
	"imageapp/app/local"
	"imageapp/app/messaging"
	"imageapp/app/ratelimit"
	"imageapp/app/server"
	"imageapp/app/web"
)

// benchEnv is one run's world: the app and the baseline server on loopback,
// the HTTP clients that drive them, the test images and the users.
type benchEnv struct {
	o       benchOptions
	dir     string
	tempDir bool
	log     *slog.Logger

	app   *server.App
	svc   *messaging.Service   // the service the app's handler runs on
	users imageapp.Users       // the app's directory, to look users up
	msgs  *local.Messages      // the app's message store, for its query plans
	prov  imageapp.Provisioner // provisions directory users that never signed up
	ports imageapp.Ports       // the adapters the app runs over (unwrapped: the served path is production's)

	appURL, baseURL string
	baseDir         string
	stopApp         func()
	baseSrv         *http.Server
	tr              *http.Transport

	sizes []sizeCase // noise PNGs: the worst case for a PNG decoder
	tiny  []byte
	// The realistic inputs (inputs.go): a photo, a screenshot, a bomb.
	photo, shot, bomb sizeCase
	smallPhoto        sizeCase       // a photo as messengers resize it, about the 100 KiB of sizes[0]
	progressive       sizeCase       // a 16 MP progressive JPEG (committed: no pure-Go encoder writes one)
	stamps            *previewStamps // when each preview was stored
	gate              *blobGate      // holds the previews' blob reads when the send phase asks

	alice, bob *hclient // sender and recipient of the send/view/memory phases
	bobUser    imageapp.User
	viewIDs    map[string]string // size label → a message to bob kept for viewing
	viewSizes  map[string]int    // size label → bytes that message serves
	reader     *hclient          // owner of the big inbox
	readerUser imageapp.User
	mmaps      [][]byte
}

type sizeCase struct {
	label    string
	png      []byte // the image (a JPEG for the photo)
	filename string
	body     []byte // multipart: to=bob, then the image
	ctype    string
}

// newBenchEnv starts both servers, makes the images and signs up alice and
// bob. On error, whatever it started is stopped again.
func newBenchEnv(ctx context.Context, o benchOptions) (*benchEnv, error) {
	e := &benchEnv{o: o, dir: o.DataDir, viewIDs: map[string]string{}, viewSizes: map[string]int{}}
	e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := e.makeDataDir(); err != nil {
		return nil, err
	}
	err := e.startApp(ctx)
	if err == nil {
		err = e.startBaseline()
	}
	if err == nil {
		e.tr = &http.Transport{
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true, // page weight asks for gzip itself and counts the compressed bytes
		}
		e.makeImages()
		err = e.signUpSenders(ctx)
	}
	if err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *benchEnv) makeDataDir() error {
	if e.dir != "" {
		return nil
	}
	d, err := os.MkdirTemp("", "imageapp-bench-*")
	if err != nil {
		return err
	}
	e.dir, e.tempDir = d, true
	return nil
}

// startApp opens the production app over the embedded backend in the data
// dir, with limits no benchmark reaches, and serves it on 127.0.0.1:0.
func (e *benchEnv) startApp(ctx context.Context) error {
	cfg, err := server.ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		return err
	}
	cfg.DataDir, cfg.ReactDir, cfg.Addr = e.dir, "", "127.0.0.1:0"
	generous := ratelimit.Rule{Burst: 1000, Every: time.Millisecond}
	cfg.Limits = web.Limits{PerIP: generous, PerUser: generous, CodeMailsPerIP: generous, CodeMails: generous}
	// The send budgets and the quota exist to stop one account filling a
	// disk; a benchmark sends far more than a person does, on purpose.
	cfg.SendPerMinute, cfg.SendBytesPerHour, cfg.QuotaBytes = 1_000_000, 1<<50, 1<<50
	app, err := server.Open(ctx, cfg, e.log)
	if err != nil {
		return err
	}
	e.app, e.svc, e.prov, e.ports = app, app.Messaging(), app.Provision(), app.Ports()
	e.users = e.ports.Users
	msgs, ok := e.ports.Messages.(*local.Messages)
	if !ok {
		return fmt.Errorf("the bench needs the embedded message store, not %T", e.ports.Messages)
	}
	e.msgs = msgs
	// Before the first request: the app's own service stores its previews
	// through this, which notes when (preview.go).
	e.stamps = &previewStamps{MessageStore: e.svc.Messages, at: map[string]time.Time{}}
	e.svc.Messages = e.stamps
	e.gate = &blobGate{Blobs: e.svc.Blobs}
	e.svc.Blobs = e.gate
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srvCtx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		app.Serve(srvCtx, ln)
		close(served)
	}()
	e.stopApp = func() { cancel(); <-served }
	e.appURL = "http://" + ln.Addr().String()
	return nil
}

// startBaseline serves the plain handlers on the same kind of listener and
// server as the app.
func (e *benchEnv) startBaseline() error {
	e.baseDir = filepath.Join(e.dir, "baseline")
	if err := os.MkdirAll(e.baseDir, 0o700); err != nil {
		return err
	}
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.baseSrv = &http.Server{
		Handler:           baselineHandler(e.baseDir),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	go e.baseSrv.Serve(bln)
	e.baseURL = "http://" + bln.Addr().String()
	return nil
}

// makeImages makes the three noise image sizes (small ones with -short),
// the realistic inputs, and the tiny image the inboxes are seeded with.
func (e *benchEnv) makeImages() {
	e.progress("generating images")
	type target struct {
		label string
		bytes int
	}
	targets := pick(e.o.Short,
		[]target{{"16 KiB", 16 << 10}, {"64 KiB", 64 << 10}, {"256 KiB", 256 << 10}},
		[]target{{"100 KiB", 100 << 10}, {"2 MiB", 2 << 20}, {"10 MiB", 10 << 20}})
	for i, t := range targets {
		img := imageapptest.NoisePNGOfSize(t.bytes, uint64(i+1))
		body, ctype := multipartSend("bob", "bench.png", img)
		// Keep the bulk bytes off the Go heap, so the heap the GC paces is
		// the server's (as in production), not the bench's own buffers.
		sc := sizeCase{label: t.label, png: e.offHeap(img), filename: "bench.png", body: e.offHeap(body), ctype: ctype}
		e.sizes = append(e.sizes, sc)
	}
	e.tiny = imageapptest.NoisePNGOfSize(300, 99)
	// -short keeps the kinds and shrinks the pixels; its bomb fits the budget.
	pw, ph := pick(e.o.Short, 800, 4000), pick(e.o.Short, 600, 3000)
	e.photo = e.sizeCaseOf(fmt.Sprintf("%.0f MP JPEG", float64(pw*ph)/1e6), "photo.jpg", photoJPEG(pw, ph, 7))
	spw, sph := pick(e.o.Short, 320, 800), pick(e.o.Short, 240, 600)
	small := photoJPEG(spw, sph, 9)
	e.smallPhoto = e.sizeCaseOf(fmt.Sprintf("%d×%d photo JPEG (%d KiB)", spw, sph, len(small)>>10), "photo.jpg", small)
	sw, sh := pick(e.o.Short, 390, 1170), pick(e.o.Short, 844, 2532)
	e.shot = e.sizeCaseOf(fmt.Sprintf("%d×%d screenshot PNG", sw, sh), "screenshot.png", screenshotPNG(sw, sh, 8))
	bs := pick(e.o.Short, 1000, 4000)
	e.bomb = e.sizeCaseOf(fmt.Sprintf("%d×%d 16-bit PNG bomb", bs, bs), "bomb.png", bombPNG(bs, bs))
	e.progressive = e.sizeCaseOf("16 MP progressive JPEG", "progressive.jpg", imageapptest.ProgressiveJPEG())
}

// sizeCaseOf is img as a send to bob, off the Go heap.
func (e *benchEnv) sizeCaseOf(label, filename string, img []byte) sizeCase {
	body, ctype := multipartSend("bob", filename, img)
	return sizeCase{label: label, png: e.offHeap(img), filename: filename, body: e.offHeap(body), ctype: ctype}
}

func (e *benchEnv) signUpSenders(ctx context.Context) error {
	e.progress("signing up users")
	var err error
	if e.alice, _, err = e.signUp(ctx, "alice"); err != nil {
		return err
	}
	e.bob, e.bobUser, err = e.signUp(ctx, "bob")
	return err
}

// close stops whatever newBenchEnv started.
func (e *benchEnv) close() {
	if e.stopApp != nil {
		e.stopApp()
	}
	if e.baseSrv != nil {
		e.baseSrv.Close()
	}
	if e.tr != nil {
		e.tr.CloseIdleConnections()
	}
	if e.app != nil {
		e.app.Close()
	}
	for _, m := range e.mmaps {
		syscall.Munmap(m)
	}
	e.removeTemp()
}

func (e *benchEnv) removeTemp() {
	if e.tempDir && !e.o.Keep {
		os.RemoveAll(e.dir)
	}
}

func (e *benchEnv) progress(format string, args ...any) {
	if e.o.Progress != nil {
		fmt.Fprintf(e.o.Progress, "bench: "+format+"\n", args...)
	}
}

// offHeap copies b into anonymous memory outside the Go heap.
func (e *benchEnv) offHeap(b []byte) []byte {
	m, err := syscall.Mmap(-1, 0, len(b), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return b
	}
	copy(m, b)
	e.mmaps = append(e.mmaps, m)
	return m
}

// describe names the Go version, the machine, the file system of the data
// dir, the mode and the date.
func (e *benchEnv) describe() string {
	cpu := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(raw); m != nil {
			cpu = string(m[1])
		}
	}
	mode := "full"
	if e.o.Short {
		mode = "short (-short: tiny sizes, timings meaningless)"
	}
	return fmt.Sprintf("%s, %s/%s, %d CPUs (%s), GOMAXPROCS=%d, data dir on %s; mode %s; %s",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, runtime.GOMAXPROCS(0), fsType(e.dir), mode,
		time.Now().UTC().Format("2006-01-02"))
}

func fsType(dir string) string {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return "unknown fs"
	}
	switch st.Type {
	case 0xEF53:
		return "ext4"
	case 0x01021994:
		return "tmpfs"
	case 0x58465342:
		return "xfs"
	case 0x794c7630:
		return "overlayfs"
	case 0x9123683E:
		return "btrfs"
	default:
		return fmt.Sprintf("fs 0x%x", st.Type)
	}
}
