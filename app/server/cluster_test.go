package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/awstest"
	"imageapp/app/valkey/valkeytest"
)

// Loopback addresses play the machines of a cluster: the load balancer
// dials the instances from proxyIP (the only trusted proxy); people reach
// the load balancer from addresses of their own.
const proxyIP = "127.0.0.2"

// cluster is N app processes in AWS mode on the emulators, sharing one
// redis-server, behind a round-robin reverse proxy that appends the
// client's address to X-Forwarded-For, as a load balancer does.
type cluster struct {
	t         *testing.T
	bin       string
	env       []string
	instances []*instance
	proxy     *httptest.Server // serves lb
	lb        *awstest.Balancer
	store     *valkeytest.Server
}

type instance struct {
	n    int
	url  string
	cmd  *exec.Cmd
	logs *lockedWriter
	done chan struct{}
}

func startCluster(t *testing.T, ctx context.Context, n int) *cluster {
	t.Helper()
	c := &cluster{t: t, store: valkeytest.Start(t)}
	c.bin = buildApp(t)
	stack, err := awstest.Start(ctx, awstest.Options{Services: []awstest.Service{awstest.KMS, awstest.S3, awstest.DynamoDB, awstest.SNS, awstest.Cognito}})
	if err != nil {
		t.Fatalf("the emulators did not start: %v", err)
	}
	t.Cleanup(stack.Close)
	for k, v := range stack.EnvVars() {
		t.Setenv(k, v)
		c.env = append(c.env, k+"="+v)
	}
	awsCfg, err := awsbackend.LoadConfig(ctx)
	must(t, err)
	res, err := awstest.CreateResources(ctx, awsbackend.NewClients(awsCfg), stack, "cluster")
	must(t, err)
	for k, v := range res.Env() {
		c.env = append(c.env, k+"="+v)
	}
	// The balancer's instances are known once they start; it is served at
	// once, for IMAGEAPP_BASE_URL.
	var lb atomic.Pointer[awstest.Balancer]
	c.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { lb.Load().ServeHTTP(w, r) }))
	t.Cleanup(c.proxy.Close)
	c.env = append(c.env, "IMAGEAPP_BACKEND=aws", "IMAGEAPP_ALLOW_INSECURE_HTTP=1", "IMAGEAPP_VALKEY_URL="+c.store.URL,
		"IMAGEAPP_TRUSTED_PROXIES="+proxyIP+"/32", "IMAGEAPP_BASE_URL="+c.proxy.URL,
		"IMAGEAPP_SEND_PER_MINUTE=1000000") // the test sends 60 at once; the budget is tested in sendlimits_test.go
	var urls []string
	for i := range n {
		c.instances = append(c.instances, c.start(i+1))
		urls = append(urls, c.instances[i].url)
	}
	b, err := awstest.NewBalancer(urls, dialingFrom(proxyIP))
	must(t, err)
	b.HealthEvery = 500 * time.Millisecond
	b.Rewrite = func(pr *httputil.ProxyRequest) {
		pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
		pr.SetXForwarded()
		pr.Out.Host = pr.In.Host
	}
	b.Start()
	t.Cleanup(b.Close)
	lb.Store(b)
	c.lb = b
	t.Cleanup(func() {
		for _, in := range c.instances {
			c.stop(in)
			if t.Failed() {
				t.Logf("instance %d log:\n%s", in.n, in.logs.w.(*strings.Builder).String())
			}
		}
	})
	return c
}

// kill ends instance n at once (a crashed machine); the load balancer
// finds out by itself, as an ALB does.
func (c *cluster) kill(n int) {
	in := c.instances[n-1]
	in.cmd.Process.Kill()
	<-in.done
}

// buildApp builds the server binary once per test binary.
func buildApp(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "imageapp")
	cmd := exec.Command("go", "build", "-o", bin, "./app")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./app: %v\n%s", err, out)
	}
	return bin
}

// start runs instance n and waits until it answers /healthz.
func (c *cluster) start(n int) *instance {
	c.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(c.t, err)
	addr := l.Addr().String()
	l.Close()
	in := &instance{n: n, url: "http://" + addr, logs: &lockedWriter{w: &strings.Builder{}}, done: make(chan struct{})}
	in.cmd = exec.Command(c.bin)
	in.cmd.Env = append(os.Environ(), c.env...)
	in.cmd.Env = append(in.cmd.Env, "IMAGEAPP_ADDR="+addr, "IMAGEAPP_DATA_DIR="+filepath.Join(c.t.TempDir(), "data"))
	in.cmd.Stdout, in.cmd.Stderr = in.logs, in.logs
	in.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	must(c.t, in.cmd.Start())
	go func() { in.cmd.Wait(); close(in.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(in.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return in
			}
		}
		select {
		case <-in.done:
			c.t.Fatalf("instance %d exited at start:\n%s", n, in.logs.w.(*strings.Builder).String())
		default:
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("instance %d did not answer in 30 s:\n%s", n, in.logs.w.(*strings.Builder).String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends an instance as an orchestrator does: SIGTERM, then a kill.
func (c *cluster) stop(in *instance) {
	if in.cmd.Process == nil {
		return
	}
	in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
	case <-time.After(10 * time.Second):
		in.cmd.Process.Kill()
		<-in.done
	}
}

// person is a browser that reaches the load balancer from its own address.
func (c *cluster) person(ip string) *client {
	jar, _ := cookiejar.New(nil)
	app := &testApp{t: c.t, server: c.proxy}
	return &client{t: c.t, app: app, http: &http.Client{Jar: jar, Transport: dialingFrom(ip)}}
}

// direct is a client that skips the load balancer and talks to instance n
// itself, from 127.0.0.1 (not a trusted proxy).
func (c *cluster) direct(n int) *client {
	jar, _ := cookiejar.New(nil)
	srv := &httptest.Server{URL: c.instances[n-1].url}
	return &client{t: c.t, app: &testApp{t: c.t, server: srv}, http: &http.Client{Jar: jar, Transport: dialingFrom("127.0.0.1")}}
}

func dialingFrom(ip string) *http.Transport {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}
}

// signUp signs name up and confirms them (cognito-local runs with a fixed code).
func (c *cluster) signUp(p *client, name string) {
	c.t.Helper()
	form := url.Values{"username": {name}, "email": {name + "@example.com"}, "password": {"correct horse battery"}}
	if r := p.postForm("/api/signup", form); r.status != http.StatusCreated {
		c.t.Fatalf("sign-up %s: %d %s", name, r.status, r.body)
	}
	if r := p.postForm("/api/verify", url.Values{"username": {name}, "code": {awstest.Code}}); r.status != http.StatusOK {
		c.t.Fatalf("verify %s: %d %s", name, r.status, r.body)
	}
}

func (c *cluster) login(p *client, name string) response {
	c.t.Helper()
	return p.postForm("/api/login", url.Values{"username": {name}, "password": {"correct horse battery"}})
}

// TestCluster runs three instances behind the load balancer and checks what
// a cluster must share: abuse limits across instances, the client's address
// taken only from the trusted proxy.
func TestCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c := startCluster(t, ctx, 3)

	t.Run("FailedLoginsAreLimitedAsOne", func(t *testing.T) {
		attacker := c.person("127.0.0.3")
		burst := 20 // web.DefaultLimits().PerIP
		for i := range burst {
			r := attacker.postForm("/api/login", url.Values{"username": {"nobody" + strconv.Itoa(i)}, "password": {"not the password"}})
			if r.status != http.StatusUnauthorized {
				t.Fatalf("attempt %d through the load balancer: %d %s, want 401", i+1, r.status, r.body)
			}
		}
		for i := range 3 { // the next one, whichever instance gets it
			r := attacker.postForm("/api/login", url.Values{"username": {"nobody"}, "password": {"not the password"}})
			if r.status != http.StatusTooManyRequests {
				t.Errorf("attempt %d after %d spread over three instances: %d, want 429", burst+i+1, burst, r.status)
			}
		}
		if r := c.person("127.0.0.4").postForm("/api/login", url.Values{"username": {"nobody"}, "password": {"not the password"}}); r.status != http.StatusUnauthorized {
			t.Errorf("another person behind the same load balancer: %d, want 401 (their own bucket)", r.status)
		}
	})

	t.Run("SpoofedForwardedForChangesNothing", func(t *testing.T) {
		// From an untrusted peer the header is ignored: 127.0.0.1 claiming to
		// be someone else is counted as 127.0.0.1 (fresh bucket), and one
		// claiming to be the blocked 127.0.0.3 is not blocked.
		direct := c.direct(1)
		req, _ := http.NewRequest(http.MethodPost, c.instances[0].url+"/api/login",
			strings.NewReader(url.Values{"username": {"nobody"}, "password": {"not the password"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "127.0.0.3")
		if r := direct.do(req); r.status != http.StatusUnauthorized {
			t.Errorf("a direct request claiming the blocked address: %d, want 401", r.status)
		}
		// Through the load balancer, a client's own claim sits left of the
		// address the proxy saw, and the proxy's entry is the one that counts.
		spoofer := c.person("127.0.0.5")
		req, _ = http.NewRequest(http.MethodPost, c.proxy.URL+"/api/login",
			strings.NewReader(url.Values{"username": {"nobody"}, "password": {"not the password"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "127.0.0.3")
		if r := spoofer.do(req); r.status != http.StatusUnauthorized {
			t.Errorf("a client behind the proxy claiming the blocked address: %d, want 401", r.status)
		}
	})

	c.signUp(c.person("127.0.0.6"), "alice")
	c.signUp(c.person("127.0.0.7"), "bob")

	t.Run("ACookieFromOneInstanceWorksOnAll", func(t *testing.T) {
		first := c.direct(1)
		if r := c.login(first, "alice"); r.status != http.StatusOK {
			t.Fatalf("login on instance 1: %d %s", r.status, r.body)
		}
		for n := 2; n <= 3; n++ {
			other := c.direct(n)
			c.carryCookies(first, other)
			if r := other.get("/api/me"); r.status != http.StatusOK {
				t.Errorf("instance 1's session cookie on instance %d: %d, want 200", n, r.status)
			}
		}
	})

	t.Run("LogoutOnOneEndsTheSessionOnAll", func(t *testing.T) {
		first := c.direct(1)
		must(t, c.login(first, "alice").err())
		copies := []*client{c.direct(2), c.direct(3)}
		for _, cp := range copies {
			c.carryCookies(first, cp)
		}
		if r := first.postForm("/api/logout", nil); r.status != http.StatusNoContent {
			t.Fatalf("logout on instance 1: %d %s", r.status, r.body)
		}
		for i, cp := range copies {
			if r := cp.get("/api/me"); r.status != http.StatusUnauthorized {
				t.Errorf("a copy of the cookie on instance %d after logout on instance 1: %d, want 401", i+2, r.status)
			}
		}
	})

	t.Run("ConcurrentSendsOverEveryInstanceAllOpen", func(t *testing.T) {
		alice, bob := c.person("127.0.0.6"), c.person("127.0.0.7")
		must(t, c.login(alice, "alice").err())
		must(t, c.login(bob, "bob").err())
		const senders, each = 3, 20
		sent := make(chan [2]string, senders*each) // id, caption
		errs := make(chan error, senders*each)
		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := range each {
					caption := fmt.Sprintf("from sender %d, image %d", s, i)
					r := alice.postMultipart("/api/messages", field("to", "bob"), field("caption", caption),
						file("image", "a.png", testPNG(t, 8+s, 8+i)))
					var out struct{ Message struct{ ID string } }
					if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &out) != nil {
						errs <- fmt.Errorf("send %d/%d: %d %s", s, i, r.status, r.body)
						continue
					}
					sent <- [2]string{out.Message.ID, caption}
				}
			})
		}
		wg.Wait()
		close(sent)
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n := 0
		for m := range sent {
			n++
			var opened struct{ Message struct{ Caption string } }
			r := bob.get("/api/messages/" + m[0])
			if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &opened) != nil || opened.Message.Caption != m[1] {
				t.Errorf("message %s: %d, caption %q; want 200 and %q", m[0], r.status, opened.Message.Caption, m[1])
			}
			if img := bob.get("/api/messages/" + m[0] + "/image"); img.status != http.StatusOK {
				t.Errorf("image %s: %d", m[0], img.status)
			}
		}
		if n != senders*each {
			t.Errorf("%d sends arrived, want %d", n, senders*each)
		}
	})
}

// TestClusterLiveInbox: a message sent through instance 1 reaches an inbox
// held open on instance 3 within 2 s; when the instance holding a stream
// dies, the page's reconnect through the load balancer lands on another
// and nothing sent meanwhile is missed.
func TestClusterLiveInbox(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c := startCluster(t, ctx, 3)
	c.signUp(c.person("127.0.0.6"), "alice")
	c.signUp(c.person("127.0.0.7"), "bob")
	alice := c.direct(1)
	must(t, c.login(alice, "alice").err())

	t.Run("AcrossInstances", func(t *testing.T) {
		bob := c.direct(3)
		must(t, c.login(bob, "bob").err())
		s := bob.stream("/api/events", nil)
		s.connected(true)
		start := time.Now()
		id := sendAPI(t, alice, "bob", testPNG(t, 8, 8))
		if d := s.expect("inbox", 2*time.Second).json(t); d.ID != id || d.From != "alice" {
			t.Errorf("bob's stream on instance 3: %+v, want alice's %s", d, id)
		}
		t.Logf("sent through instance 1, heard on instance 3 after %v", time.Since(start).Round(time.Millisecond))
	})

	t.Run("AnInstanceDiesMidStream", func(t *testing.T) {
		bob := c.direct(2)
		must(t, c.login(bob, "bob").err())
		s := bob.stream("/api/events", nil)
		last := s.connected(true).id
		c.kill(2)
		for {
			if _, ok := s.next(5 * time.Second); !ok {
				break // the stream ended with its instance
			}
		}
		id := sendAPI(t, alice, "bob", testPNG(t, 9, 9)) // while bob is away
		viaLB := c.person("127.0.0.7")
		c.carryCookies(bob, viaLB)
		s = viaLB.stream("/api/events", http.Header{"Last-Event-ID": {last}})
		s.expect("hello", 2*time.Second)
		// Either the stream says to reload the inbox (it missed something),
		// or the message's own event is still on its way; both bring it.
		if d := s.expect("inbox", 2*time.Second).json(t); d.Kind != "resync" && d.ID != id {
			t.Errorf("after reconnecting: %+v, want a resync or the message %s", d, id)
		}
		if r := viaLB.get("/api/messages?box=inbox"); r.status != http.StatusOK || !strings.Contains(r.body, id) {
			t.Errorf("after reconnecting, bob's inbox: %d, want it to hold %s", r.status, id)
		}
	})

	// As behind an ALB: reads that meet the dead instance before its health
	// checks fail are tried on another, and then it gets none.
	t.Run("ReadsDoNotSeeADeadInstance", func(t *testing.T) {
		bob := c.person("127.0.0.7")
		must(t, c.login(bob, "bob").err())
		c.kill(3)
		statuses := map[int]int{}
		for range 30 {
			statuses[bob.get("/api/messages?box=inbox").status]++
		}
		if statuses[http.StatusOK] != 30 {
			t.Errorf("30 reads through the balancer right after an instance died: %v; want 30 × 200", statuses)
		}
		deadline := time.Now().Add(3 * time.Second)
		for c.lb.Healthy() != 1 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if n := c.lb.Healthy(); n != 1 {
			t.Errorf("%d instances healthy 3 s after the second died; want 1", n)
		}
		t.Logf("reads right after the kill: %v", statuses)
	})
}

// carryCookies gives to (a client of another instance) from's cookies, as a
// browser's next request through the load balancer carries them.
func (c *cluster) carryCookies(from, to *client) {
	fromURL, _ := url.Parse(from.app.server.URL)
	toURL, _ := url.Parse(to.app.server.URL)
	to.http.Jar.SetCookies(toURL, from.http.Jar.Cookies(fromURL))
}
