package awstest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Balancer spreads requests over app instances as an AWS Application Load
// Balancer does, so that what the dev stack and the cluster tests show is
// what people behind an ALB would see:
//
//   - round robin over the healthy instances; an instance is healthy while
//     GET /healthz answers 200 (checked every HealthEvery; unhealthy after
//     two failures in a row, healthy again after one success), and when
//     none is healthy every instance gets requests (an ALB "fails open");
//   - a GET or HEAD that cannot reach its instance (refused, reset before
//     an answer) is tried on the next one, and the instance counts as
//     failed; so is any request whose connection could not even be made;
//     other failed requests are not retried (they may have run), and get
//     a 502, as from an ALB.
//
// Rewrite, when set, adjusts each outgoing request (X-Forwarded-For and the
// like) after the balancer chose its instance.
type Balancer struct {
	HealthEvery time.Duration // zero means a second
	Transport   http.RoundTripper
	Rewrite     func(*httputil.ProxyRequest)

	targets []*balanced
	next    atomic.Uint64
	once    sync.Once
	proxy   *httputil.ReverseProxy
	stop    context.CancelFunc
}

type balanced struct {
	url   *url.URL
	fails atomic.Int32 // health failures in a row
}

func (t *balanced) healthy() bool { return t.fails.Load() < 2 }

// NewBalancer balances over the instances at urls and starts checking
// their health; Close stops it.
func NewBalancer(urls []string, transport http.RoundTripper) (*Balancer, error) {
	b := &Balancer{Transport: transport}
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil {
			return nil, err
		}
		b.targets = append(b.targets, &balanced{url: u})
	}
	if len(b.targets) == 0 {
		return nil, errors.New("awstest: a balancer needs instances")
	}
	return b, nil
}

// Start begins the health checks.
func (b *Balancer) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	b.stop = cancel
	go b.check(ctx)
}

// Close stops the health checks.
func (b *Balancer) Close() {
	if b.stop != nil {
		b.stop()
	}
}

func (b *Balancer) transport() http.RoundTripper {
	if b.Transport != nil {
		return b.Transport
	}
	return http.DefaultTransport
}

func (b *Balancer) check(ctx context.Context) {
	every := b.HealthEvery
	if every == 0 {
		every = time.Second
	}
	client := &http.Client{Transport: b.transport(), Timeout: every}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		for _, t := range b.targets {
			resp, err := client.Get(t.url.String() + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			if err == nil && resp.StatusCode == http.StatusOK {
				t.fails.Store(0)
			} else {
				t.fails.Add(1)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// pick is the next healthy instance after the ones tried, round robin;
// with none healthy, the next one not tried. nil when all were tried.
func (b *Balancer) pick(tried map[*balanced]bool) *balanced {
	n := uint64(len(b.targets))
	start := b.next.Add(1)
	for pass := range 2 {
		for i := range n {
			t := b.targets[(start+i)%n]
			if !tried[t] && (pass == 1 || t.healthy()) {
				return t
			}
		}
	}
	return nil
}

// Healthy reports how many instances pass their health checks.
func (b *Balancer) Healthy() int {
	n := 0
	for _, t := range b.targets {
		if t.healthy() {
			n++
		}
	}
	return n
}

func (b *Balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.once.Do(func() {
		b.proxy = &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(b.targets[0].url) // the transport sets the instance
				if b.Rewrite != nil {
					b.Rewrite(pr)
				}
			},
			Transport:     retrying{b},
			FlushInterval: -1, // event streams pass at once
		}
	})
	b.proxy.ServeHTTP(w, r)
}

// retrying sends a request to an instance, and an idempotent one that
// cannot reach it to the next.
type retrying struct{ b *Balancer }

func (rt retrying) RoundTrip(req *http.Request) (*http.Response, error) {
	idempotent := (req.Method == http.MethodGet || req.Method == http.MethodHead) && (req.Body == nil || req.Body == http.NoBody)
	tried := map[*balanced]bool{}
	for {
		t := rt.b.pick(tried)
		if t == nil {
			return nil, errors.New("awstest: no instance answered")
		}
		tried[t] = true
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = t.url.Scheme, t.url.Host
		if req.Body != nil && req.Body != http.NoBody {
			// The transport closes the body of a request that failed; one
			// that never left is sent again. (The server closes it.)
			out.Body = keepOpen{req.Body}
		}
		resp, err := rt.b.transport().RoundTrip(out)
		if err == nil || !(idempotent || neverSent(err)) || req.Context().Err() != nil {
			if err != nil {
				t.fails.Add(1)
			}
			return resp, err
		}
		t.fails.Add(1)
	}
}

// neverSent reports whether err means the request never left: the
// connection to the instance could not be made.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// keepOpen is a request body the transport cannot close.
type keepOpen struct{ io.Reader }

func (keepOpen) Close() error { return nil }
