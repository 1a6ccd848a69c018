package main

// go run ./app bench [-short] [-out FILE] [flags]
//
// One benchmark of the embedded backend over a real server on loopback: the
// production `serve` (newHandler over openLocal) on a net.Listener at
// 127.0.0.1:0, driven by a real HTTP client in the same process. Every timed
// measure runs next to a plain baseline in the same process, on the same kind
// of listener, interleaved round by round (the order rotates each round), and
// is reported as a ratio: absolute times on shared machines are noise.
//
// It prints one Markdown table (and notes: query plans, seeding time, the
// static assets) and, with -out, writes the same Markdown to a file.

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/local"
	"imageapp/app/messaging"
	"imageapp/app/ratelimit"
	"imageapp/app/web"
)

// benchOptions are the bench subcommand's flags.
type benchOptions struct {
	Short      bool
	Out        string        // also write the Markdown here
	DataDir    string        // "" = a fresh temp dir, removed afterwards
	Keep       bool          // keep a temp data dir
	N          int           // timed rounds per measure (after warm-up)
	Requests   int           // requests per latency percentile in the inbox phase
	InboxSize  int           // messages seeded into one inbox
	Duration   time.Duration // throughput window per round
	Only       string        // comma-separated phases; "" = all
	MemProfile string        // heap profile taken half-way through the concurrent uploads
	Progress   io.Writer     // progress lines; nil = none
}

func (o *benchOptions) defaults() {
	if o.N <= 0 {
		o.N = 15
		if o.Short {
			o.N = 3
		}
	}
	if o.Requests <= 0 {
		o.Requests = 200
		if o.Short {
			o.Requests = 20
		}
	}
	if o.InboxSize <= 0 {
		o.InboxSize = 10_000
		if o.Short {
			o.InboxSize = 300
		}
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
		if o.Short {
			o.Duration = time.Second
		}
	}
}

var benchPhases = []string{"send", "view", "memory", "inbox", "throughput", "aws", "pages"}

func (o *benchOptions) runs(phase string) bool {
	if o.Only == "" {
		return true
	}
	return slices.Contains(strings.Split(o.Only, ","), phase)
}

// benchRow is one line of the table. Values are the raw numbers behind the
// cells (all must be > 0 when the row was measured); Skip marks a row that
// only says where something is measured instead.
type benchRow struct {
	Measure  string
	Subject  string
	Baseline string
	Ratio    string
	Ratio2   string // send only: against the baseline without fsync
	Target   string
	Met      string
	Values   []float64
	Skip     bool
	Err      error
}

type benchReport struct {
	Rows      []benchRow
	Notes     []string // Markdown paragraphs and code blocks under the table
	Env       string
	LoadStart string
	LoadEnd   string
	Phases    []string
	Elapsed   time.Duration
}

// machineLoad is the load average and the CPU pressure (PSI: share of time
// some runnable task waited for a CPU), to tell a quiet run from a busy one.
func machineLoad() string {
	out := "load average"
	if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(raw)); len(f) >= 3 {
			out += " " + strings.Join(f[:3], " ")
		}
	}
	if raw, err := os.ReadFile("/proc/pressure/cpu"); err == nil {
		if m := regexp.MustCompile(`some avg10=([0-9.]+) avg60=([0-9.]+)`).FindSubmatch(raw); m != nil {
			out += fmt.Sprintf(", CPU pressure %s%% (10 s) %s%% (60 s)", m[1], m[2])
		}
	}
	return out
}

func benchMain(args []string) int {
	var o benchOptions
	var cpuProfile string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.BoolVar(&o.Short, "short", false, "tiny sizes and iterations (CI): checks that everything runs, asserts no time")
	fs.StringVar(&o.Out, "out", "", "also write the table as Markdown to this file")
	fs.StringVar(&o.DataDir, "data", "", "data directory (default: a fresh temp dir, removed afterwards)")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temp data directory")
	fs.IntVar(&o.N, "n", 0, "timed rounds per measure (default 15, -short 3)")
	fs.IntVar(&o.Requests, "requests", 0, "requests per inbox latency measure (default 200, -short 20)")
	fs.IntVar(&o.InboxSize, "inbox", 0, "messages seeded into one inbox (default 10000, -short 300)")
	fs.DurationVar(&o.Duration, "duration", 0, "throughput window per round (default 5s, -short 1s)")
	fs.StringVar(&o.Only, "only", "", "run only these phases, comma-separated: "+strings.Join(benchPhases, ","))
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run here")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write heap profiles (after a GC, half-way through the concurrent uploads; .view for views) here")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o.Progress = os.Stderr
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := runBench(context.Background(), o)
	if rep != nil {
		md := rep.Markdown()
		fmt.Print(md)
		if o.Out != "" {
			if werr := os.WriteFile(o.Out, []byte(md), 0o644); werr != nil {
				fmt.Fprintln(os.Stderr, werr)
				return 1
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	for _, r := range rep.Rows {
		if r.Err != nil {
			return 1
		}
	}
	return 0
}

// runBench runs every phase o selects. A phase that fails adds a row with
// its error and the others still run; err is only for a bench that could
// not start at all.
func runBench(ctx context.Context, o benchOptions) (*benchReport, error) {
	o.defaults()
	start := time.Now()
	e, err := newBenchEnv(ctx, o)
	if err != nil {
		return nil, err
	}
	defer e.close()
	rep := &benchReport{Env: e.describe(), LoadStart: machineLoad()}
	phases := []struct {
		name string
		run  func(context.Context, *benchReport) error
	}{
		{"send", e.phaseSend},
		{"view", e.phaseView},
		{"memory", e.phaseMemory},
		{"inbox", e.phaseInbox},
		{"throughput", e.phaseThroughput},
		{"aws", e.phaseAWS},
		{"pages", e.phasePages},
	}
	for _, p := range phases {
		if !o.runs(p.name) {
			continue
		}
		e.progress("== %s", p.name)
		t0 := time.Now()
		if err := p.run(ctx, rep); err != nil {
			rep.Rows = append(rep.Rows, benchRow{Measure: p.name, Err: err})
			e.progress("%s failed: %v", p.name, err)
		}
		took := time.Since(t0).Round(100 * time.Millisecond)
		e.progress("   %s took %s", p.name, took)
		rep.Phases = append(rep.Phases, fmt.Sprintf("%s %s", p.name, took))
	}
	rep.Elapsed = time.Since(start)
	rep.LoadEnd = machineLoad()
	return rep, nil
}

// --- environment: the real server, the baseline server, clients ---

type benchEnv struct {
	o       benchOptions
	dir     string
	tempDir bool
	cfg     Config
	b       *backend
	log     *slog.Logger
	svc     *messaging.Service

	appURL, baseURL string
	baseDir         string
	stopApp         func()
	baseSrv         *http.Server
	tr              *http.Transport

	sizes []sizeCase
	tiny  []byte

	alice, bob *hclient // sender and recipient of the send/view/memory phases
	bobUser    imageapp.User
	viewIDs    map[string]string // size label → a message to bob kept for viewing
	viewSizes  map[string]int    // size label → bytes that message serves
	reader     *hclient          // owner of the big inbox
	readerUser imageapp.User
	mmaps      [][]byte
}

type sizeCase struct {
	label string
	png   []byte
	body  []byte // multipart: to=bob, then the image
	ctype string
}

func newBenchEnv(ctx context.Context, o benchOptions) (*benchEnv, error) {
	e := &benchEnv{o: o, dir: o.DataDir, viewIDs: map[string]string{}, viewSizes: map[string]int{}}
	if e.dir == "" {
		d, err := os.MkdirTemp("", "imageapp-bench-*")
		if err != nil {
			return nil, err
		}
		e.dir, e.tempDir = d, true
	}
	cfg, err := configFromEnv(func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	cfg.DataDir = e.dir
	cfg.ReactDir = ""
	cfg.Addr = "127.0.0.1:0"
	generous := ratelimit.Rule{Burst: 1000, Every: time.Millisecond}
	cfg.Limits = web.Limits{PerIP: generous, PerUser: generous}
	e.cfg = cfg
	e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if e.b, err = openLocal(ctx, cfg, e.log); err != nil {
		e.removeTemp()
		return nil, err
	}
	e.svc = newService(cfg, e.b, e.log)

	// The application: the production serve() on a loopback listener.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.b.Close()
		e.removeTemp()
		return nil, err
	}
	srvCtx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		serve(srvCtx, ln, cfg, e.b, e.log)
		close(served)
	}()
	e.stopApp = func() { cancel(); <-served }
	e.appURL = "http://" + ln.Addr().String()

	// The baseline: plain handlers on the same kind of listener and server.
	e.baseDir = filepath.Join(e.dir, "baseline")
	if err := os.MkdirAll(e.baseDir, 0o700); err != nil {
		return nil, err
	}
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e.baseSrv = &http.Server{
		Handler:           baselineHandler(e.baseDir),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
	}
	go e.baseSrv.Serve(bln)
	e.baseURL = "http://" + bln.Addr().String()

	e.tr = &http.Transport{
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // page weight asks for gzip itself and counts the compressed bytes
	}

	e.progress("generating images")
	targets := []struct {
		label string
		bytes int
	}{{"100 KiB", 100 << 10}, {"2 MiB", 2 << 20}, {"10 MiB", 10 << 20}}
	if o.Short {
		targets = []struct {
			label string
			bytes int
		}{{"16 KiB", 16 << 10}, {"64 KiB", 64 << 10}, {"256 KiB", 256 << 10}}
	}
	for i, t := range targets {
		img, err := noisePNG(t.bytes, uint64(i+1))
		if err != nil {
			return nil, err
		}
		body, ctype := multipartSend("bob", "bench.png", img)
		// Keep the bulk bytes off the Go heap, so the heap the GC paces is
		// the server's (as in production), not the bench's own buffers.
		sc := sizeCase{label: t.label, png: e.offHeap(img), body: e.offHeap(body), ctype: ctype}
		e.sizes = append(e.sizes, sc)
	}
	if e.tiny, err = noisePNG(300, 99); err != nil {
		return nil, err
	}

	e.progress("signing up users")
	if e.alice, _, err = e.signUp(ctx, "alice"); err != nil {
		return nil, err
	}
	if e.bob, e.bobUser, err = e.signUp(ctx, "bob"); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *benchEnv) close() {
	e.stopApp()
	e.baseSrv.Close()
	e.tr.CloseIdleConnections()
	e.b.Close()
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

func (e *benchEnv) describe() string {
	cpu := "unknown CPU"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(raw); m != nil {
			cpu = string(m[1])
		}
	}
	fsType := "unknown fs"
	var st syscall.Statfs_t
	if syscall.Statfs(e.dir, &st) == nil {
		switch st.Type {
		case 0xEF53:
			fsType = "ext4"
		case 0x01021994:
			fsType = "tmpfs"
		case 0x58465342:
			fsType = "xfs"
		case 0x794c7630:
			fsType = "overlayfs"
		case 0x9123683E:
			fsType = "btrfs"
		default:
			fsType = fmt.Sprintf("fs 0x%x", st.Type)
		}
	}
	mode := "full"
	if e.o.Short {
		mode = "short (-short: tiny sizes, timings meaningless)"
	}
	return fmt.Sprintf("%s, %s/%s, %d CPUs (%s), GOMAXPROCS=%d, data dir on %s; mode %s; %s",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, runtime.GOMAXPROCS(0), fsType, mode,
		time.Now().UTC().Format("2006-01-02"))
}

// hclient is one logged-in browser or script: a cookie jar over the shared transport.
type hclient struct {
	base string
	hc   *http.Client
}

func (e *benchEnv) client(base string) *hclient {
	jar, _ := cookiejar.New(nil)
	return &hclient{base: base, hc: &http.Client{Transport: e.tr, Jar: jar, Timeout: 5 * time.Minute}}
}

func (c *hclient) newRequest(method, path string, body io.Reader, ctype string) *http.Request {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		panic(err) // only our own paths
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req
}

// call sends req and returns the whole body; a status other than want is an error.
func (c *hclient) call(req *http.Request, want int) ([]byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return body, fmt.Errorf("%s %s: status %d, want %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, want, body)
	}
	return body, nil
}

// drain sends req and discards the body, returning its length.
func (c *hclient) drain(req *http.Request, want int) (int64, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return n, err
	}
	if resp.StatusCode != want {
		return n, fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
	}
	return n, nil
}

func (c *hclient) postJSON(path string, v any, want int) ([]byte, error) {
	raw, _ := json.Marshal(v)
	return c.call(c.newRequest(http.MethodPost, path, bytes.NewReader(raw), "application/json"), want)
}

const benchPassword = "correct horse battery"

// signUp walks sign-up, email confirmation (the code from the outbox) and
// login through the JSON API and returns the logged-in client.
func (e *benchEnv) signUp(ctx context.Context, username string) (*hclient, imageapp.User, error) {
	c := e.client(e.appURL)
	email := username + "@bench.example"
	if _, err := c.postJSON("/api/signup", map[string]string{"username": username, "email": email, "password": benchPassword}, http.StatusCreated); err != nil {
		return nil, imageapp.User{}, err
	}
	code, err := e.codeFor(email)
	if err != nil {
		return nil, imageapp.User{}, err
	}
	if _, err := c.postJSON("/api/verify", map[string]string{"username": username, "code": code}, http.StatusOK); err != nil {
		return nil, imageapp.User{}, err
	}
	if _, err := c.postJSON("/api/login", map[string]string{"username": username, "password": benchPassword}, http.StatusOK); err != nil {
		return nil, imageapp.User{}, err
	}
	u, err := e.b.Users.UserByUsername(ctx, username)
	return c, u, err
}

var benchCode = regexp.MustCompile(`code is (\d{6})`)

func (e *benchEnv) codeFor(email string) (string, error) {
	paths, _ := filepath.Glob(filepath.Join(e.dir, "outbox", "*.eml"))
	sort.Strings(paths)
	for i := len(paths) - 1; i >= 0; i-- {
		raw, err := os.ReadFile(paths[i])
		if err != nil {
			return "", err
		}
		if !bytes.Contains(raw, []byte("To: "+email+"\r\n")) {
			continue
		}
		if m := benchCode.FindSubmatch(raw); m != nil {
			return string(m[1]), nil
		}
	}
	return "", fmt.Errorf("no code mailed to %s", email)
}

// sendVia posts a prepared multipart send and returns the new message's ID.
func (c *hclient) send(body []byte, ctype string) (string, error) {
	raw, err := c.call(c.newRequest(http.MethodPost, "/api/messages", bytes.NewReader(body), ctype), http.StatusCreated)
	if err != nil {
		return "", err
	}
	var out struct {
		Message struct {
			ID string `json:"id"`
		} `json:"message"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Message.ID == "" {
		return "", fmt.Errorf("send: unexpected answer %.200s", raw)
	}
	return out.Message.ID, nil
}

func (c *hclient) deleteMessage(id string) error {
	_, err := c.call(c.newRequest(http.MethodDelete, "/api/messages/"+id, nil, ""), http.StatusNoContent)
	return err
}

// --- the baseline server ---

// baselineHandler is what "just store the upload" and "just serve the file"
// cost on the same stack: POST /upload streams the multipart file part
// (r.MultipartReader, like the app) into a temp file in the data dir, fsyncs
// it (unless ?sync=0) and renames it into place, the same durable write the
// blob store does; GET /file/{name} is http.ServeFile of a plaintext file.
func baselineHandler(dir string) http.Handler {
	var seq atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		durable := r.URL.Query().Get("sync") != "0"
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		name := ""
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if part.FormName() != "image" {
				io.Copy(io.Discard, io.LimitReader(part, 4<<10))
				continue
			}
			name = fmt.Sprintf("upload-%d", seq.Add(1))
			if err := storeDurably(dir, name, part, durable); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"name":%q}`, name)
	})
	mux.HandleFunc("GET /file/{name}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(dir, filepath.Base(r.PathValue("name"))))
	})
	return mux
}

func storeDurably(dir, name string, r io.Reader, durable bool) error {
	f, err := os.CreateTemp(dir, ".tmp-"+name+"-*")
	if err != nil {
		return err
	}
	// 64 KiB writes, as the blob store gets them (one encrypted segment per
	// write): copying a multipart part straight into the file would write
	// in the part's 4 KiB reads and make the baseline needlessly slow.
	bw := bufio.NewWriterSize(f, 64<<10)
	_, err = io.Copy(struct{ io.Writer }{bw}, r) // no ReadFrom: bufio would hand the copy to the file
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func (e *benchEnv) baselineUpload(c *hclient, sc sizeCase, durable bool) (string, error) {
	path := "/upload?sync=1"
	if !durable {
		path = "/upload?sync=0"
	}
	raw, err := c.call(c.newRequest(http.MethodPost, path, bytes.NewReader(sc.body), sc.ctype), http.StatusCreated)
	if err != nil {
		return "", err
	}
	var out struct{ Name string }
	if err := json.Unmarshal(raw, &out); err != nil || out.Name == "" {
		return "", fmt.Errorf("baseline upload: unexpected answer %.200s", raw)
	}
	return out.Name, nil
}

// --- test data ---

// noisePNG is a real, opaque RGB PNG of about target bytes whose pixels are
// random, so it does not compress.
func noisePNG(target int, seed uint64) ([]byte, error) {
	side := max(1, int(math.Sqrt(float64(target)/3)))
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15))
	for i := 0; i < len(img.Pix); i += 4 {
		v := rng.Uint32()
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = byte(v), byte(v>>8), byte(v>>16), 0xff
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// multipartSend is a send form as browsers build it: "to" before the file.
func multipartSend(to, filename string, img []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("to", to)
	w, _ := mw.CreateFormFile("image", filename)
	w.Write(img)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// --- measuring ---

// sample is one timed run: wall time, and the CPU time (user + system) the
// whole process spent meanwhile — client, server and runtime. CPU time does
// not grow when other work on the machine delays us, so it is the steadier
// of the two on a shared machine.
type sample struct{ wall, cpu time.Duration }

type timedFn func() (sample, error)

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timeIt times fn; untimed work (cleanup) belongs after it returns.
func timeIt(fn func() error) (sample, error) {
	c0, t0 := processCPU(), time.Now()
	err := fn()
	return sample{wall: time.Since(t0), cpu: processCPU() - c0}, err
}

// interleave runs warm untimed rounds, then n timed rounds of every fn,
// rotating which goes first each round so drift and the garbage of one run
// fall on all alike. A GC between runs keeps one run's garbage off the next.
func interleave(n, warm int, fns ...timedFn) ([][]sample, error) {
	out := make([][]sample, len(fns))
	for round := 0; round < warm+n; round++ {
		for j := range fns {
			k := (round + j) % len(fns)
			runtime.GC()
			d, err := fns[k]()
			if err != nil {
				return nil, err
			}
			if round >= warm {
				out[k] = append(out[k], d)
			}
		}
	}
	return out, nil
}

func walls(ss []sample) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = s.wall
	}
	return out
}

// cpuPerOp is the mean CPU time per run (CPU accounting is precise but one
// run's share of background work is not, so the mean, not the median).
func cpuPerOp(ss []sample) time.Duration {
	var sum time.Duration
	for _, s := range ss {
		sum += s.cpu
	}
	return sum / time.Duration(max(len(ss), 1))
}

// rounds is N for the largest images and 2N for the others, which are cheap
// and whose medians need more runs on a noisy machine.
func (e *benchEnv) rounds(sc sizeCase) int {
	if len(sc.png) > 4<<20 {
		return e.o.N
	}
	return 2 * e.o.N
}

func (e *benchEnv) warm() int {
	if e.o.Short {
		return 1
	}
	return 2
}

func median(ds []time.Duration) time.Duration { return percentile(ds, 50) }

// percentile is the nearest-rank percentile.
func percentile[T cmp.Ordered](ds []T, p float64) T {
	if len(ds) == 0 {
		var zero T
		return zero
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

func fmtDur(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f ms", ms)
	}
}

func fmtRatio(r float64) string { return fmt.Sprintf("%.2f×", r) }

func fmtBytes(n float64) string {
	switch {
	case math.Abs(n) >= 1<<20:
		return fmt.Sprintf("%.2f MiB", n/(1<<20))
	case math.Abs(n) >= 1<<10:
		return fmt.Sprintf("%.1f KiB", n/(1<<10))
	default:
		return fmt.Sprintf("%.0f B", n)
	}
}

func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

// roundSpread is the middle half of the per-round ratios of a to b: each
// round times both back to back, so this shows how much the machine moved
// the ratio during the run, which one median of each hides.
func roundSpread(a, b []sample) string {
	rs := make([]float64, min(len(a), len(b)))
	for i := range rs {
		rs[i] = ratio(a[i].wall, b[i].wall)
	}
	return fmt.Sprintf("rounds %.2f–%.2f×", percentile(rs, 25), percentile(rs, 75))
}

func durs(ds ...time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d)
	}
	return out
}

// --- 1. send ---

func (e *benchEnv) phaseSend(ctx context.Context, rep *benchReport) error {
	base := e.client(e.baseURL)
	for i, sc := range e.sizes {
		e.progress("send %s (%d B image, %d B request): %d rounds", sc.label, len(sc.png), len(sc.body), e.rounds(sc))
		subject := func() (sample, error) {
			var id string
			d, err := timeIt(func() (err error) {
				id, err = e.alice.send(sc.body, sc.ctype)
				return err
			})
			if err != nil {
				return d, err
			}
			return d, e.alice.deleteMessage(id)
		}
		baseline := func(durable bool) timedFn {
			return func() (sample, error) {
				var name string
				d, err := timeIt(func() (err error) {
					name, err = e.baselineUpload(base, sc, durable)
					return err
				})
				if err != nil {
					return d, err
				}
				return d, os.Remove(filepath.Join(e.baseDir, name))
			}
		}
		res, err := interleave(e.rounds(sc), e.warm(), subject, baseline(true), baseline(false))
		if err != nil {
			return fmt.Errorf("send %s: %w", sc.label, err)
		}
		s, b, b2 := median(walls(res[0])), median(walls(res[1])), median(walls(res[2]))
		sc0, bc, bc2 := cpuPerOp(res[0]), cpuPerOp(res[1]), cpuPerOp(res[2])
		row := benchRow{
			Measure:  fmt.Sprintf("Send %s (`POST /api/messages`)", sc.label),
			Subject:  fmtDur(s) + " · CPU " + fmtDur(sc0),
			Baseline: fmtDur(b) + " · CPU " + fmtDur(bc) + " (no fsync: " + fmtDur(b2) + " · CPU " + fmtDur(bc2) + ")",
			Ratio:    fmtRatio(ratio(s, b)) + " (CPU " + fmtRatio(ratio(sc0, bc)) + "; " + roundSpread(res[0], res[1]) + ")",
			Ratio2:   fmtRatio(ratio(s, b2)) + " (CPU " + fmtRatio(ratio(sc0, bc2)) + ")",
			Values:   durs(s, b, b2, sc0, bc, bc2),
		}
		if i == 0 {
			row.Target, row.Met = "≤ 1.3× at ≥ 2 MiB", "(info)"
		} else {
			row.Target, row.Met = "≤ 1.3×", verdict(ratio(s, b) <= 1.3)
		}
		rep.Rows = append(rep.Rows, row)
	}
	rep.Notes = append(rep.Notes, "**Send baseline**: a handler in the same process, on its own `http.Server` on "+
		"127.0.0.1:0, reads the same multipart request with `r.MultipartReader()` (4 KiB reads off the connection; the app reads 64 KiB) and streams the file part into a "+
		"temp file in the same data dir in 64 KiB writes (as the blob store gets them), **fsyncs it and renames it "+
		"into place** — the same durable write the blob store does (the second ratio is against the same handler without the fsync). The app additionally does "+
		"whatever its send path does at the time of the run — today: sniff and check the image, strip its metadata "+
		"(`app/metastrip`, streaming), encrypt it (AES-GCM-HKDF streaming), store the row in SQLite, answer, and then "+
		"write the notification mail to the outbox (also fsynced) in the background. Each run deletes what it stored, untimed. "+
		"Rounds: 2N for the two smaller sizes, N for the largest, after warm-up rounds.")
	return e.sendBreakdown(ctx, rep)
}

// --- 2. view ---

func (e *benchEnv) ensureViewMessages() error {
	for _, sc := range e.sizes {
		if e.viewIDs[sc.label] != "" {
			continue
		}
		id, err := e.alice.send(sc.body, sc.ctype)
		if err != nil {
			return err
		}
		e.viewIDs[sc.label] = id
		// What is served is what was sent, less any metadata the send path
		// strips: the same image, of the same dimensions. The baseline
		// serves exactly those bytes.
		got, err := e.bob.call(e.bob.newRequest(http.MethodGet, "/api/messages/"+id+"/image", nil, ""), http.StatusOK)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, sc.png) {
			sent, _, err1 := image.DecodeConfig(bytes.NewReader(sc.png))
			served, _, err2 := image.DecodeConfig(bytes.NewReader(got))
			if err1 != nil || err2 != nil || sent != served {
				return fmt.Errorf("view %s: the served image is not the sent one (%d bytes sent, %d served)", sc.label, len(sc.png), len(got))
			}
		}
		e.viewSizes[sc.label] = len(got)
		if err := os.WriteFile(filepath.Join(e.baseDir, plainName(sc)), got, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func plainName(sc sizeCase) string {
	return "plain-" + strings.ReplaceAll(sc.label, " ", "") + ".png"
}

func (e *benchEnv) phaseView(ctx context.Context, rep *benchReport) error {
	if err := e.ensureViewMessages(); err != nil {
		return err
	}
	base := e.client(e.baseURL)
	var floors []string
	for _, sc := range e.sizes {
		e.progress("view %s: %d rounds", sc.label, e.rounds(sc))
		id := e.viewIDs[sc.label]
		get := func(c *hclient, path string) timedFn {
			return func() (sample, error) {
				var n int64
				d, err := timeIt(func() (err error) {
					n, err = c.drain(c.newRequest(http.MethodGet, path, nil, ""), http.StatusOK)
					return err
				})
				if want := e.viewSizes[sc.label]; err == nil && n != int64(want) {
					err = fmt.Errorf("GET %s: %d bytes, want %d", path, n, want)
				}
				return d, err
			}
		}
		floor := func() (sample, error) {
			return timeIt(func() error {
				_, err := e.bob.drain(e.bob.newRequest(http.MethodGet, "/api/me", nil, ""), http.StatusOK)
				return err
			})
		}
		// No forced GC between views, unlike sends: a view makes little garbage,
		// and a GC before each request empties the pools and hands pages back to
		// the OS, so every request would start on a cold heap, as no server does.
		res, err := interleaveNoGC(3*e.rounds(sc), e.warm(),
			get(e.bob, "/api/messages/"+id+"/image"),
			get(base, "/file/"+plainName(sc)),
			floor)
		if err != nil {
			return fmt.Errorf("view %s: %w", sc.label, err)
		}
		s, b := median(walls(res[0])), median(walls(res[1]))
		sc0, bc := cpuPerOp(res[0]), cpuPerOp(res[1])
		fl := median(walls(res[2]))
		floors = append(floors, fmt.Sprintf("%s · CPU %s in the %s rounds, where the view less that floor is %s of the baseline",
			fmtDur(fl), fmtDur(cpuPerOp(res[2])), sc.label, fmtRatio(ratio(s-fl, b))))
		rep.Rows = append(rep.Rows, benchRow{
			Measure:  fmt.Sprintf("View %s (`GET /api/messages/{id}/image`)", sc.label),
			Subject:  fmtDur(s) + " · CPU " + fmtDur(sc0),
			Baseline: fmtDur(b) + " · CPU " + fmtDur(bc),
			Ratio:    fmtRatio(ratio(s, b)) + " (CPU " + fmtRatio(ratio(sc0, bc)) + "; " + roundSpread(res[0], res[1]) + ")",
			Target:   "≤ 1.3×",
			Met:      verdict(ratio(s, b) <= 1.3),
			Values:   durs(s, b, sc0, bc),
		})
	}
	rep.Notes = append(rep.Notes, "**View baseline**: `http.ServeFile` of the plaintext image in the same data dir, "+
		"no session, on the same kind of server (it can use sendfile(2); the app reads the session cookie, loads the "+
		"user and the message row, unwraps the data key and decrypts 64 KiB segments). For scale, the cheapest "+
		"authenticated request, `GET /api/me` (session cookie, user row, unread count), took a median of "+
		strings.Join(floors, "; ")+" (interleaved with the views): the fixed cost every view pays before its first byte, "+
		"which a file server without sessions does not.")
	return e.viewBreakdown(ctx, rep)
}

// --- 3. memory ---

type memSample struct {
	heap, live, rss, allocs float64
}

var memMetrics = []string{
	"/memory/classes/heap/objects:bytes", // + unused = MemStats.HeapInuse
	"/memory/classes/heap/unused:bytes",
	"/gc/heap/live:bytes", // live heap as of the last GC
	"/gc/heap/allocs:bytes",
}

type memReader struct {
	samples []metrics.Sample
	status  *os.File
	buf     []byte
}

func newMemReader() *memReader {
	m := &memReader{buf: make([]byte, 4096)}
	for _, n := range memMetrics {
		m.samples = append(m.samples, metrics.Sample{Name: n})
	}
	m.status, _ = os.Open("/proc/self/status")
	return m
}

func (m *memReader) read() memSample {
	metrics.Read(m.samples)
	v := func(i int) float64 {
		if m.samples[i].Value.Kind() == metrics.KindUint64 {
			return float64(m.samples[i].Value.Uint64())
		}
		return 0
	}
	s := memSample{heap: v(0) + v(1), live: v(2), allocs: v(3)}
	if m.status != nil {
		if n, _ := m.status.ReadAt(m.buf, 0); n > 0 {
			if i := bytes.Index(m.buf[:n], []byte("VmRSS:")); i >= 0 {
				f := strings.Fields(string(m.buf[i+6 : i+6+bytes.IndexByte(m.buf[i+6:n], '\n')]))
				if len(f) > 0 {
					kb, _ := strconv.ParseFloat(f[0], 64)
					s.rss = kb * 1024
				}
			}
		}
	}
	return s
}

// measureMem runs fn while sampling every millisecond, and returns the peak
// growth over the level before it of the heap in use, the live heap (as of
// each GC), and RSS, and the bytes allocated meanwhile.
func measureMem(fn func() error) (memSample, error) {
	mr := newMemReader()
	if mr.status != nil {
		defer mr.status.Close()
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := mr.read()
	peak := before
	stop, done := make(chan struct{}), make(chan struct{})
	take := func() {
		s := mr.read()
		peak.heap, peak.live, peak.rss = max(peak.heap, s.heap), max(peak.live, s.live), max(peak.rss, s.rss)
		peak.allocs = s.allocs
	}
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				take()
				return
			case <-t.C:
				take()
			}
		}
	}()
	err := fn()
	close(stop)
	<-done
	return memSample{heap: peak.heap - before.heap, live: peak.live - before.live, rss: peak.rss - before.rss, allocs: peak.allocs - before.allocs}, err
}

// concurrently runs fn(i) for i < n at once and returns the first error.
func concurrently(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	startGate := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			errs[i] = fn(i)
		}()
	}
	close(startGate)
	wg.Wait()
	return errors.Join(errs...)
}

// countingReader tells when half of all concurrent uploads went out, for a
// heap profile in mid-flight.
type countingReader struct {
	r    io.Reader
	sent *atomic.Int64
	at   int64
	once *sync.Once
	fire func()
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.sent.Add(int64(n)) >= c.at {
		c.once.Do(func() { go c.fire() })
	}
	return n, err
}

func heapProfileTo(path string) func() {
	return func() {
		runtime.GC()
		f, err := os.Create(path)
		if err != nil {
			return
		}
		defer f.Close()
		pprof.Lookup("heap").WriteTo(f, 0)
	}
}

func (e *benchEnv) phaseMemory(ctx context.Context, rep *benchReport) error {
	const conc = 10
	if err := e.ensureViewMessages(); err != nil {
		return err
	}
	big := e.sizes[len(e.sizes)-1]
	base := e.client(e.baseURL)
	reps := 3
	if e.o.Short {
		reps = 1
	}

	// body returns the request body of upload i; with -memprofile the
	// subject's uploads also trigger a heap profile half-way.
	body := func(profile string) func(int) io.Reader {
		if profile == "" {
			return func(int) io.Reader { return bytes.NewReader(big.body) }
		}
		var sent atomic.Int64
		var once sync.Once
		return func(int) io.Reader {
			return &countingReader{r: bytes.NewReader(big.body), sent: &sent, at: int64(conc * len(big.body) / 2), once: &once, fire: heapProfileTo(profile)}
		}
	}
	var uploadIDs []string
	var mu sync.Mutex
	uploads := func(profile string) func() error {
		return func() error {
			mk := body(profile)
			return concurrently(conc, func(i int) error {
				raw, err := e.alice.call(e.alice.newRequest(http.MethodPost, "/api/messages", mk(i), big.ctype), http.StatusCreated)
				if err != nil {
					return err
				}
				var out struct{ Message struct{ ID string } }
				json.Unmarshal(raw, &out)
				mu.Lock()
				uploadIDs = append(uploadIDs, out.Message.ID)
				mu.Unlock()
				return nil
			})
		}
	}
	baseUploads := func() error {
		return concurrently(conc, func(i int) error {
			_, err := e.baselineUpload(base, big, true)
			return err
		})
	}
	views := func() error {
		return concurrently(conc, func(i int) error {
			_, err := e.bob.drain(e.bob.newRequest(http.MethodGet, "/api/messages/"+e.viewIDs[big.label]+"/image", nil, ""), http.StatusOK)
			return err
		})
	}
	baseViews := func() error {
		return concurrently(conc, func(i int) error {
			_, err := base.drain(base.newRequest(http.MethodGet, "/file/"+plainName(big), nil, ""), http.StatusOK)
			return err
		})
	}
	cleanup := func() {
		for _, id := range uploadIDs {
			e.alice.deleteMessage(id)
		}
		uploadIDs = nil
		olds, _ := filepath.Glob(filepath.Join(e.baseDir, "upload-*"))
		for _, p := range olds {
			os.Remove(p)
		}
	}

	type pair struct {
		name                  string
		subject, baseline     func() error
		subjectProf, baseProf string
	}
	profUp, profView := "", ""
	if e.o.MemProfile != "" {
		profUp, profView = e.o.MemProfile, e.o.MemProfile+".view"
	}
	pairs := []pair{
		{name: "upload", subject: uploads(""), baseline: baseUploads},
		{name: "view", subject: views, baseline: baseViews},
	}
	for _, p := range pairs {
		e.progress("memory: %d concurrent %s %ss × %d", conc, big.label, p.name, reps)
		var subj, basel []memSample
		for r := 0; r < reps; r++ {
			s, err := measureMem(p.subject)
			cleanup()
			if err != nil {
				return fmt.Errorf("memory %s: %w", p.name, err)
			}
			b, err := measureMem(p.baseline)
			cleanup()
			if err != nil {
				return fmt.Errorf("memory %s baseline: %w", p.name, err)
			}
			subj, basel = append(subj, s), append(basel, b)
		}
		s, b := medianMem(subj), medianMem(basel)
		per := func(v float64) float64 { return v / conc }
		cell := func(m memSample) string {
			return fmt.Sprintf("heap +%s, RSS +%s per op (live heap +%s; %s allocated)",
				fmtBytes(per(m.heap)), fmtBytes(per(m.rss)), fmtBytes(per(m.live)), fmtBytes(per(m.allocs)))
		}
		worst := max(per(s.heap), per(s.rss))
		rep.Rows = append(rep.Rows, benchRow{
			Measure:  fmt.Sprintf("Memory: %d concurrent %s %ss, peak growth per op", conc, big.label, p.name),
			Subject:  cell(s),
			Baseline: cell(b),
			Ratio:    "—",
			Target:   "< 2 MiB per op",
			Met:      verdict(worst < 2<<20),
			// Growth can be ≤ 0 in a sample (memory reused); allocation cannot.
			Values: []float64{s.allocs, b.allocs, math.Max(s.heap, 1), math.Max(s.rss, 1)},
		})
	}
	if profUp != "" {
		e.progress("memory: heap profiles → %s, %s", profUp, profView)
		for _, p := range []struct {
			path string
			run  func() error
		}{{profUp, uploads(profUp)}, {profView, func() error {
			var sent atomic.Int64
			var once sync.Once
			fire := heapProfileTo(profView)
			return concurrently(conc, func(i int) error {
				resp, err := e.bob.hc.Do(e.bob.newRequest(http.MethodGet, "/api/messages/"+e.viewIDs[big.label]+"/image", nil, ""))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				_, err = io.Copy(io.Discard, &countingReader{r: resp.Body, sent: &sent, at: int64(conc * len(big.png) / 2), once: &once, fire: fire})
				return err
			})
		}}} {
			if err := p.run(); err != nil {
				return err
			}
			cleanup()
		}
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("**Memory**: %d operations at once, sampled every ~1 ms in a goroutine: "+
		"heap = `/memory/classes/heap/objects + unused` (= MemStats.HeapInuse, includes garbage not yet collected), "+
		"live heap = `/gc/heap/live` (what survived each GC), RSS = VmRSS of /proc/self/status; peak minus the level "+
		"before (after a GC and FreeOSMemory), divided by %d, median of %d repetitions. The client runs in the same "+
		"process with its request bodies outside the Go heap; its own buffers are in both columns, so the baseline "+
		"column (plain upload / ServeFile) is the floor.", conc, conc, reps))
	return nil
}

func medianMem(ms []memSample) memSample {
	pick := func(f func(memSample) float64) float64 {
		v := make([]float64, len(ms))
		for i, m := range ms {
			v[i] = f(m)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return memSample{
		heap:   pick(func(m memSample) float64 { return m.heap }),
		live:   pick(func(m memSample) float64 { return m.live }),
		rss:    pick(func(m memSample) float64 { return m.rss }),
		allocs: pick(func(m memSample) float64 { return m.allocs }),
	}
}

// --- 4. inbox at scale ---

func (e *benchEnv) phaseInbox(ctx context.Context, rep *benchReport) error {
	var err error
	if e.reader, e.readerUser, err = e.signUp(ctx, "reader"); err != nil {
		return err
	}
	seedTime, err := e.seedInbox(ctx, "reader", e.o.InboxSize)
	if err != nil {
		return err
	}
	rep.Rows = append(rep.Rows, benchRow{
		Measure: fmt.Sprintf("Seed %d messages into one inbox (`Service.Send`, 4 senders, 8 at a time)", e.o.InboxSize),
		Subject: fmt.Sprintf("%s (%.0f sends/s)", seedTime.Round(100*time.Millisecond),
			float64(e.o.InboxSize)/seedTime.Seconds()),
		Baseline: "—", Ratio: "—", Target: "(info)", Met: "—",
		Values: durs(seedTime),
	})

	// Walk the cursors once to ~90% deep.
	depth := e.o.InboxSize * 9 / 10
	cursor, seen := "", 0
	for seen < depth {
		path := fmt.Sprintf("/api/messages?box=inbox&limit=%d", min(messaging.MaxPageSize, depth-seen))
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		raw, err := e.reader.call(e.reader.newRequest(http.MethodGet, path, nil, ""), http.StatusOK)
		if err != nil {
			return err
		}
		var page struct {
			Messages []json.RawMessage `json:"messages"`
			Next     string            `json:"next_cursor"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return err
		}
		seen += len(page.Messages)
		if page.Next == "" {
			return fmt.Errorf("inbox: ran out of pages at %d of %d", seen, depth)
		}
		cursor = page.Next
	}

	get := func(path string, hdr ...string) timedFn {
		return func() (sample, error) {
			req := e.reader.newRequest(http.MethodGet, path, nil, "")
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			return timeIt(func() error {
				_, err := e.reader.drain(req, http.StatusOK)
				return err
			})
		}
	}
	measures := []struct {
		name string
		fn   timedFn
	}{
		{"Inbox first page (`GET /api/messages?box=inbox`)", get("/api/messages?box=inbox")},
		{fmt.Sprintf("Inbox page %d deep (`…&cursor=`)", seen), get("/api/messages?box=inbox&cursor=" + url.QueryEscape(cursor))},
		{"Unread count (`GET /api/me`)", get("/api/me")},
		{"Inbox HTML page (`GET /inbox`, gzip)", get("/inbox", "Accept-Encoding", "gzip")},
		{"noise floor", get("/healthz")},
	}
	fns := make([]timedFn, len(measures))
	for i, m := range measures {
		fns[i] = m.fn
	}
	e.progress("inbox: %d requests each of %d kinds", e.o.Requests, len(fns))
	runtime.GC()
	res, err := interleaveNoGC(e.o.Requests, 5, fns...)
	if err != nil {
		return err
	}
	floor := res[len(res)-1]
	f50, f99 := percentile(walls(floor), 50), percentile(walls(floor), 99)
	for i, m := range measures[:len(measures)-1] {
		p50, p99 := percentile(walls(res[i]), 50), percentile(walls(res[i]), 99)
		row := benchRow{
			Measure:  m.name,
			Subject:  fmt.Sprintf("p50 %s, p99 %s · CPU %s", fmtDur(p50), fmtDur(p99), fmtDur(cpuPerOp(res[i]))),
			Baseline: fmt.Sprintf("`GET /healthz` p50 %s, p99 %s · CPU %s", fmtDur(f50), fmtDur(f99), fmtDur(cpuPerOp(floor))),
			Ratio:    "—",
			Target:   "p99 < 20 ms",
			Met:      verdict(p99 < 20*time.Millisecond),
			Values:   durs(p50, p99, f50, f99),
		}
		if i == 3 {
			row.Target, row.Met = "(info)", "—"
			row.Measure += fmt.Sprintf(", all %d unread", e.o.InboxSize)
		}
		rep.Rows = append(rep.Rows, row)
	}

	plans, err := e.queryPlans(ctx, cursor)
	if err != nil {
		return err
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("**Inbox at scale**: %d messages to one user, seeded through "+
		"`newService(...).Send` (tiny PNGs, from 4 senders, 8 sends at a time; every send is a full send: data key, "+
		"encrypted blob fsynced, row, notification mail fsynced), all unread. %d requests of each kind, interleaved, "+
		"one at a time, with `GET /healthz` interleaved as the noise floor (the baseline column: what the machine and "+
		"the HTTP stack alone cost at that moment; a high p99 there means the machine, not the query, was slow). The deep page is %d messages deep (the cursor was reached by following `next_cursor`). "+
		"The HTML inbox row is the page a browser gets (every unread message, up to 200, plus the first page of read "+
		"ones). `EXPLAIN QUERY PLAN` of the queries of `app/local/messages.go` on this database:\n\n```\n%s```",
		e.o.InboxSize, e.o.Requests, seen, plans))
	return nil
}

// interleaveNoGC is interleave for short requests: no GC between runs, a few warm-up rounds.
func interleaveNoGC(n, warm int, fns ...timedFn) ([][]sample, error) {
	out := make([][]sample, len(fns))
	for round := 0; round < warm+n; round++ {
		for j := range fns {
			k := (round + j) % len(fns)
			d, err := fns[k]()
			if err != nil {
				return nil, err
			}
			if round >= warm {
				out[k] = append(out[k], d)
			}
		}
	}
	return out, nil
}

// seedInbox sends n tiny images to username through the service, from four
// directory users, eight sends at a time.
func (e *benchEnv) seedInbox(ctx context.Context, username string, n int) (time.Duration, error) {
	const senders, workers = 4, 8
	from := make([]imageapp.User, senders)
	for i := range from {
		u, err := provisioner(e.b)(ctx, imageapp.User{
			ID: fmt.Sprintf("bench-sender-%s-%d", username, i), Username: fmt.Sprintf("%ss%d", username, i),
			Email: fmt.Sprintf("%s-sender%d@bench.example", username, i),
		})
		if err != nil {
			return 0, err
		}
		from[i] = u
	}
	e.progress("seeding %d messages into %s's inbox", n, username)
	var next atomic.Int64
	t0 := time.Now()
	lastReport := time.Now()
	var reportMu sync.Mutex
	err := concurrently(workers, func(w int) error {
		for {
			i := next.Add(1) - 1
			if i >= int64(n) {
				return nil
			}
			_, err := e.svc.Send(ctx, from[int(i)%senders], messaging.SendInput{
				To: username, Filename: "tiny.png", Body: bytes.NewReader(e.tiny),
			})
			if err != nil {
				return fmt.Errorf("seed message %d: %w", i, err)
			}
			reportMu.Lock()
			if time.Since(lastReport) > 10*time.Second {
				lastReport = time.Now()
				e.progress("  seeded %d/%d", i, n)
			}
			reportMu.Unlock()
		}
	})
	return time.Since(t0), err
}

// queryPlans explains the queries local.Messages runs, as it builds them.
func (e *benchEnv) queryPlans(ctx context.Context, cursor string) (string, error) {
	db := e.b.Messages.(*local.Messages).DB.SQL()
	const cols = `id, sender_id, sender_name, recipient_id, recipient_name, created_at, read_at,
	content_type, size, key_id, wrapped_key, sealed_meta`
	created, cid := decodeBenchCursor(cursor)
	uid := e.readerUser.ID
	queries := []struct {
		what, sql string
		args      []any
	}{
		{"inbox, first page (Messages, box=inbox)", `SELECT ` + cols + ` FROM messages WHERE recipient_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, []any{uid, 51}},
		{"inbox, deep page (Messages, box=inbox, cursor)", `SELECT ` + cols + ` FROM messages WHERE recipient_id = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`, []any{uid, created, cid, 51}},
		{"inbox, unread (Messages, status=unread)", `SELECT ` + cols + ` FROM messages WHERE recipient_id = ? AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ?`, []any{uid, 201}},
		{"inbox, read (Messages, status=read; the HTML inbox's second list)", `SELECT ` + cols + ` FROM messages WHERE recipient_id = ? AND read_at IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT ?`, []any{uid, 51}},
		{"sent (Messages, box=sent, cursor; one of the 4 senders)", `SELECT ` + cols + ` FROM messages WHERE sender_id = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`, []any{"bench-sender-reader-0", created, cid, 51}},
		{"unread count (CountUnread)", `SELECT count(*) FROM messages WHERE recipient_id = ? AND read_at IS NULL`, []any{uid}},
		{"one message (Message)", `SELECT ` + cols + ` FROM messages WHERE id = ?`, []any{cid}},
	}
	var out strings.Builder
	for _, q := range queries {
		fmt.Fprintf(&out, "%s\n", q.what)
		lines, err := explain(ctx, db, q.sql, q.args...)
		if err != nil {
			return "", fmt.Errorf("explain %s: %w", q.what, err)
		}
		for _, l := range lines {
			fmt.Fprintf(&out, "  %s\n", l)
		}
		med, rows, err := timeQuery(ctx, db, 31, q.sql, q.args...)
		if err != nil {
			return "", fmt.Errorf("time %s: %w", q.what, err)
		}
		fmt.Fprintf(&out, "  → %d rows, median %s (SQL alone, 31 runs)\n", rows, fmtDur(med))
	}
	return out.String(), nil
}

// timeQuery runs a query n times, reading every row, and returns the median time.
func timeQuery(ctx context.Context, db *sql.DB, n int, query string, args ...any) (time.Duration, int, error) {
	var ds []time.Duration
	count := 0
	for i := 0; i < n; i++ {
		t0 := time.Now()
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			return 0, 0, err
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		for j := range vals {
			vals[j] = new(any)
		}
		count = 0
		for rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				rows.Close()
				return 0, 0, err
			}
			count++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return 0, 0, err
		}
		ds = append(ds, time.Since(t0))
	}
	return median(ds), count, nil
}

func explain(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	depth := map[int]int{}
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		depth[id] = depth[parent] + 1
		out = append(out, strings.Repeat("  ", depth[id]-1)+detail)
	}
	return out, rows.Err()
}

// decodeBenchCursor reads the (created_at, id) a page cursor carries; the
// format is local's (base64url of "<unix nanos>:<id>").
func decodeBenchCursor(c string) (int64, string) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, ""
	}
	ts, id, _ := strings.Cut(string(raw), ":")
	n, _ := strconv.ParseInt(ts, 10, 64)
	return n, id
}

// --- 5. throughput ---

func (e *benchEnv) phaseThroughput(ctx context.Context, rep *benchReport) error {
	const workers = 16
	small := e.sizes[0]
	// A separate recipient, so the inbox measures are not disturbed.
	if _, err := provisioner(e.b)(ctx, imageapp.User{ID: "bench-throughput-recipient", Username: "tpdave", Email: "tpdave@bench.example"}); err != nil {
		return err
	}
	body, ctype := multipartSend("tpdave", "bench.png", small.png)
	base := e.client(e.baseURL)
	rounds := 3
	if e.o.Short {
		rounds = 1
	}
	run := func(op func() error) (float64, error) {
		var ops atomic.Int64
		deadline := time.Now().Add(e.o.Duration)
		t0 := time.Now()
		err := concurrently(workers, func(int) error {
			for time.Now().Before(deadline) {
				if err := op(); err != nil {
					return err
				}
				ops.Add(1)
			}
			return nil
		})
		return float64(ops.Load()) / time.Since(t0).Seconds(), err
	}
	subject := func() error {
		_, err := e.alice.call(e.alice.newRequest(http.MethodPost, "/api/messages", bytes.NewReader(body), ctype), http.StatusCreated)
		return err
	}
	baseline := func() error {
		_, err := base.call(base.newRequest(http.MethodPost, "/upload?sync=1", bytes.NewReader(body), ctype), http.StatusCreated)
		return err
	}
	var subj, basel []float64
	for r := 0; r < rounds; r++ {
		e.progress("throughput round %d/%d: %d clients × %s each side", r+1, rounds, workers, e.o.Duration)
		for k := 0; k < 2; k++ {
			runtime.GC()
			if (r+k)%2 == 0 {
				rate, err := run(subject)
				if err != nil {
					return err
				}
				subj = append(subj, rate)
			} else {
				rate, err := run(baseline)
				if err != nil {
					return err
				}
				basel = append(basel, rate)
			}
		}
		olds, _ := filepath.Glob(filepath.Join(e.baseDir, "upload-*"))
		for _, p := range olds {
			os.Remove(p)
		}
	}
	sort.Float64s(subj)
	sort.Float64s(basel)
	s, b := subj[len(subj)/2], basel[len(basel)/2]
	rep.Rows = append(rep.Rows, benchRow{
		Measure:  fmt.Sprintf("Throughput: %s sends, %d concurrent clients, %s windows", small.label, workers, e.o.Duration),
		Subject:  fmt.Sprintf("%.0f sends/s", s),
		Baseline: fmt.Sprintf("%.0f uploads/s (fsync)", b),
		Ratio:    fmtRatio(s/b) + " of baseline rate",
		Target:   "(report)",
		Met:      "—",
		Values:   []float64{s, b},
	})
	return nil
}

// --- 6. AWS calls ---

func (e *benchEnv) phaseAWS(ctx context.Context, rep *benchReport) error {
	rep.Rows = append(rep.Rows, benchRow{
		Measure: "AWS calls per operation",
		Subject: "counted on the emulators by `go test ./app -run TestAWSCallsPerOperation -v` (SDK middleware in every " +
			"client; it needs the emulators, so it is a test, not part of this run): table in the README",
		Baseline: "—", Ratio: "—",
		Target: "1 GenerateDataKey per send, 1 Decrypt per view, no call that grows with the inbox",
		Met:    "asserted by the test",
		Skip:   true,
	})
	return nil
}

// --- 7. page weight ---

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)
var hashedName = regexp.MustCompile(`^/static/[A-Za-z0-9_-]+(\.min)?\.[0-9a-f]{10}\.(css|js)$`)

func (e *benchEnv) phasePages(ctx context.Context, rep *benchReport) error {
	// A user with an ordinary inbox: ten messages, five of them read.
	carol, carolUser, err := e.signUp(ctx, "carol")
	if err != nil {
		return err
	}
	if _, err := e.seedInbox(ctx, "carol", 10); err != nil {
		return err
	}
	page, err := e.svc.List(ctx, carolUser, imageapp.MessageQuery{Box: imageapp.Inbox, Limit: 5})
	if err != nil {
		return err
	}
	for _, m := range page.Messages {
		if _, err := e.svc.Open(ctx, carolUser, m.ID); err != nil {
			return err
		}
	}
	users := []struct {
		who string
		c   *hclient
	}{{"10 messages (5 unread)", carol}}
	if e.reader != nil {
		users = append(users, struct {
			who string
			c   *hclient
		}{fmt.Sprintf("%d unread (page lists 200)", e.o.InboxSize), e.reader})
	}
	var assetNotes []string
	for ui, u := range users {
		wire := func(req *http.Request) (body, header int, resp *http.Response, raw []byte, err error) {
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err = u.c.hc.Do(req)
			if err != nil {
				return 0, 0, nil, nil, err
			}
			defer resp.Body.Close()
			raw, err = io.ReadAll(resp.Body)
			if err != nil {
				return 0, 0, nil, nil, err
			}
			if resp.StatusCode != http.StatusOK {
				return 0, 0, nil, nil, fmt.Errorf("GET %s: status %d", req.URL.Path, resp.StatusCode)
			}
			var hb bytes.Buffer
			fmt.Fprintf(&hb, "HTTP/1.1 %s\r\n", resp.Status)
			resp.Header.Write(&hb)
			hb.WriteString("\r\n")
			return len(raw), hb.Len(), resp, raw, nil
		}
		htmlBody, htmlHdr, resp, raw, err := wire(u.c.newRequest(http.MethodGet, "/inbox", nil, ""))
		if err != nil {
			return err
		}
		gz := resp.Header.Get("Content-Encoding") == "gzip"
		html := raw
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				return err
			}
			if html, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
		totalBody, totalHdr := htmlBody, htmlHdr
		allGz, allImmutable, allHashed := gz, true, true
		var parts []string
		parts = append(parts, fmt.Sprintf("HTML %s (%s raw)", fmtBytes(float64(htmlBody)), fmtBytes(float64(len(html)))))
		refs := assetRef.FindAllSubmatch(html, -1)
		if len(refs) == 0 {
			return errors.New("pages: /inbox references no /static/ asset")
		}
		for _, m := range refs {
			path := string(m[1])
			b, h, aresp, _, err := wire(u.c.newRequest(http.MethodGet, path, nil, ""))
			if err != nil {
				return err
			}
			totalBody += b
			totalHdr += h
			cc := aresp.Header.Get("Cache-Control")
			isGz := aresp.Header.Get("Content-Encoding") == "gzip"
			immutable := strings.Contains(cc, "immutable") && strings.Contains(cc, "max-age=31536000")
			hashed := hashedName.MatchString(path)
			allGz, allImmutable, allHashed = allGz && isGz, allImmutable && immutable, allHashed && hashed
			parts = append(parts, fmt.Sprintf("%s %s", filepath.Base(path), fmtBytes(float64(b))))
			if ui == 0 {
				assetNotes = append(assetNotes, fmt.Sprintf("| `%s` | %s | %v | `%s` | %v |", path, fmtBytes(float64(b)), isGz, cc, hashed))
			}
		}
		total := totalBody + totalHdr
		rep.Rows = append(rep.Rows, benchRow{
			Measure:  fmt.Sprintf("Page weight: first visit to `/inbox`, %s", u.who),
			Subject:  fmt.Sprintf("%s on the wire (%s bodies + %s headers): %s", fmtBytes(float64(total)), fmtBytes(float64(totalBody)), fmtBytes(float64(totalHdr)), strings.Join(parts, ", ")),
			Baseline: "—", Ratio: "—",
			Target: "≤ 30 KiB",
			Met:    verdict(total <= 30<<10),
			Values: []float64{float64(total), float64(len(html))},
		})
		req := u.c.newRequest(http.MethodGet, "/inbox", nil, "")
		req.Header.Set("HX-Request", "true")
		hxBody, hxHdr, _, _, err := wire(req)
		if err != nil {
			return err
		}
		rep.Rows = append(rep.Rows, benchRow{
			Measure:  fmt.Sprintf("Page weight: htmx inbox refresh (`GET /inbox`, `HX-Request: true`), %s", u.who),
			Subject:  fmt.Sprintf("%s on the wire (%s body + %s headers)", fmtBytes(float64(hxBody+hxHdr)), fmtBytes(float64(hxBody)), fmtBytes(float64(hxHdr))),
			Baseline: "—", Ratio: "—", Target: "(info)", Met: "—",
			Values: []float64{float64(hxBody + hxHdr)},
		})
		if ui == 0 {
			rep.Rows = append(rep.Rows, benchRow{
				Measure:  "Static assets: gzip, `immutable` 1-year cache, content-hashed names",
				Subject:  fmt.Sprintf("gzip %v, immutable %v, hashed %v (%d assets)", allGz, allImmutable, allHashed, len(refs)),
				Baseline: "—", Ratio: "—", Target: "all three",
				Met:    verdict(allGz && allImmutable && allHashed),
				Values: []float64{float64(len(refs))},
			})
		}
	}
	rep.Notes = append(rep.Notes, "**Page weight**: bytes as served with `Accept-Encoding: gzip` (compressed bodies "+
		"plus the response headers as written), logged in, no cache. Assets the inbox references:\n\n"+
		"| asset | gzip bytes | gzip | Cache-Control | hashed name |\n|---|---|---|---|---|\n"+strings.Join(assetNotes, "\n"))
	return nil
}

// --- output ---

// Markdown is the table and its notes, ready for the README.
func (r *benchReport) Markdown() string {
	var b strings.Builder
	b.WriteString("Measured with `go run ./app bench -out FILE` (embedded backend, real server on 127.0.0.1, baselines " +
		"interleaved in the same run; see the notes below the table).\n\n")
	b.WriteString("| # | Measure | ImageApp | Baseline | Ratio | Ratio vs baseline without fsync | Target | Met |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	cell := func(s string) string {
		if s == "" {
			return "—"
		}
		return strings.ReplaceAll(s, "|", "\\|")
	}
	for i, row := range r.Rows {
		if row.Err != nil {
			fmt.Fprintf(&b, "| %d | %s | **error**: %s | | | | | |\n", i+1, cell(row.Measure), cell(row.Err.Error()))
			continue
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", i+1, cell(row.Measure), cell(row.Subject), cell(row.Baseline),
			cell(row.Ratio), cell(row.Ratio2), cell(row.Target), cell(row.Met))
	}
	fmt.Fprintf(&b, "\n%s. Machine at start: %s; at end: %s. Run took %s (%s).\n", r.Env, r.LoadStart, r.LoadEnd,
		r.Elapsed.Round(time.Second), strings.Join(r.Phases, ", "))
	b.WriteString("\nImageApp and baseline cells: median wall time · mean CPU time (user + system of the whole process, " +
		"client included) per operation; ratios are ImageApp ÷ baseline of those. \"rounds\" is the middle half " +
		"(25th–75th percentile) of the ratios of single rounds, each of which runs both back to back.\n")
	for _, n := range r.Notes {
		b.WriteString("\n" + n + "\n")
	}
	return b.String()
}

// --- where the time goes (service level, no HTTP) ---

type timedBlobs struct {
	imageapp.Blobs
	put, get *time.Duration
}

func (b timedBlobs) PutBlob(ctx context.Context, key string, r io.Reader) error {
	t0 := time.Now()
	err := b.Blobs.PutBlob(ctx, key, r)
	*b.put += time.Since(t0)
	return err
}

type timedNotifier struct {
	imageapp.Notifier
	d *time.Duration
}

func (n timedNotifier) Notify(ctx context.Context, u imageapp.User, note imageapp.Notification) error {
	t0 := time.Now()
	err := n.Notifier.Notify(ctx, u, note)
	*n.d += time.Since(t0)
	return err
}

type timedMessages struct {
	imageapp.MessageStore
	create, get *time.Duration
}

func (m timedMessages) CreateMessage(ctx context.Context, msg *imageapp.Message) error {
	t0 := time.Now()
	err := m.MessageStore.CreateMessage(ctx, msg)
	*m.create += time.Since(t0)
	return err
}

func (m timedMessages) Message(ctx context.Context, id string) (*imageapp.Message, error) {
	t0 := time.Now()
	msg, err := m.MessageStore.Message(ctx, id)
	*m.get += time.Since(t0)
	return msg, err
}

type timedKeys struct {
	imageapp.Keys
	gen, dec *time.Duration
}

func (k timedKeys) GenerateDataKey(ctx context.Context, keyID string, ec map[string]string) (imageapp.DataKey, error) {
	t0 := time.Now()
	dk, err := k.Keys.GenerateDataKey(ctx, keyID, ec)
	*k.gen += time.Since(t0)
	return dk, err
}

func (k timedKeys) Decrypt(ctx context.Context, keyID string, ct []byte, ec map[string]string) ([]byte, error) {
	t0 := time.Now()
	dek, err := k.Keys.Decrypt(ctx, keyID, ct, ec)
	*k.dec += time.Since(t0)
	return dek, err
}

// breakdownRuns is how many sends/views the attribution averages.
func (e *benchEnv) breakdownRuns() int {
	if e.o.Short {
		return 2
	}
	return 10
}

// sendBreakdown times each port Service.Send calls, on the production
// adapters, one send at a time, next to a plain durable write of the same
// bytes: where the send's time goes, without HTTP.
func (e *benchEnv) sendBreakdown(ctx context.Context, rep *benchReport) error {
	alice, err := e.b.Users.UserByUsername(ctx, "alice")
	if err != nil {
		return err
	}
	n := e.breakdownRuns()
	var lines []string
	for _, sc := range e.sizes {
		var put, get, notify, create, fetch, gen, dec, total, plain time.Duration
		svc := *e.svc
		svc.Notifying = nil // time the notification here, which the app sends after its response
		svc.Blobs = timedBlobs{Blobs: e.b.Blobs, put: &put, get: &get}
		svc.Notifier = timedNotifier{Notifier: e.b.Notifier, d: &notify}
		svc.Messages = timedMessages{MessageStore: e.b.Messages, create: &create, get: &fetch}
		svc.Keys = timedKeys{Keys: e.b.Keys, gen: &gen, dec: &dec}
		for i := 0; i < n; i++ {
			runtime.GC()
			t0 := time.Now()
			m, err := svc.Send(ctx, alice, messaging.SendInput{To: "bob", Filename: "bench.png", Body: bytes.NewReader(sc.png)})
			total += time.Since(t0)
			if err != nil {
				return fmt.Errorf("send breakdown: %w", err)
			}
			if err := e.svc.Delete(ctx, alice, m.ID); err != nil {
				return err
			}
			runtime.GC()
			t0 = time.Now()
			if err := storeDurably(e.baseDir, "breakdown", bytes.NewReader(sc.png), true); err != nil {
				return err
			}
			plain += time.Since(t0)
		}
		avg := func(d time.Duration) string { return fmtDur(d / time.Duration(n)) }
		rest := total - put - notify - create - gen
		lines = append(lines, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s |", sc.label, avg(total), avg(put), avg(notify),
			avg(create), avg(gen), avg(rest), avg(plain)))
	}
	os.Remove(filepath.Join(e.baseDir, "breakdown"))
	rep.Notes = append(rep.Notes, fmt.Sprintf("**Where a send's time goes** (`Service.Send` on the production adapters, "+
		"each port call timed, no HTTP, one at a time, mean of %d):\n\n"+
		"| image | Send | PutBlob (the upload streamed through the strip and the encryption into a temp file, fsync, rename) | Notify (outbox mail, fsynced; the app sends it after answering) | CreateMessage (SQLite) | GenerateDataKey | rest (lookups, sniffing, sealing) | plain durable write of the same bytes |\n"+
		"|---|---|---|---|---|---|---|---|\n%s", n, strings.Join(lines, "\n")))
	return nil
}

// viewBreakdown does the same for OpenImage and reading the image.
func (e *benchEnv) viewBreakdown(ctx context.Context, rep *benchReport) error {
	n := e.breakdownRuns()
	var lines []string
	for _, sc := range e.sizes {
		var put, get, notify, create, fetch, gen, dec, open, read, user time.Duration
		svc := *e.svc
		svc.Blobs = timedBlobs{Blobs: e.b.Blobs, put: &put, get: &get}
		svc.Notifier = timedNotifier{Notifier: e.b.Notifier, d: &notify}
		svc.Messages = timedMessages{MessageStore: e.b.Messages, create: &create, get: &fetch}
		svc.Keys = timedKeys{Keys: e.b.Keys, gen: &gen, dec: &dec}
		buf := make([]byte, 32<<10)
		for i := 0; i < n; i++ {
			runtime.GC()
			t0 := time.Now()
			if _, err := e.b.Users.UserByID(ctx, e.bobUser.ID); err != nil {
				return err
			}
			user += time.Since(t0)
			t0 = time.Now()
			img, err := svc.OpenImage(ctx, e.bobUser, e.viewIDs[sc.label])
			if err != nil {
				return fmt.Errorf("view breakdown: %w", err)
			}
			open += time.Since(t0)
			t0 = time.Now()
			_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{img}, buf)
			read += time.Since(t0)
			img.Close()
			if err != nil {
				return err
			}
		}
		avg := func(d time.Duration) string { return fmtDur(d / time.Duration(n)) }
		lines = append(lines, fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", sc.label, avg(user), avg(open), avg(fetch), avg(dec), avg(read)))
	}
	rep.Notes = append(rep.Notes, fmt.Sprintf("**Where a view's time goes** (service level, no HTTP, mean of %d):\n\n"+
		"| image | session's user row (`UserByID`) | `OpenImage` (row, key, open blob, first segment decrypted) | of which: message row | of which: unwrap data key | reading the rest (decrypt, 32 KiB reads) |\n"+
		"|---|---|---|---|---|---|\n%s", n, strings.Join(lines, "\n")))
	return nil
}
