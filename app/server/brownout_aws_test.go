package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// slowProxy passes requests to target, each after delay (0: at once):
// a DynamoDB brownout, as the app's SDK client sees it.
type slowProxy struct {
	delay atomic.Int64 // nanoseconds
	proxy *httputil.ReverseProxy
}

func (p *slowProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := time.Duration(p.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	p.proxy.ServeHTTP(w, r)
}

// TestADynamoDBBrownoutAnswers503InTime: while DynamoDB takes 30 s to
// answer, a request that needs it gets a 503 with Retry-After in the app's
// words within seconds (each store call has a deadline), not a hang and
// not a logout; when DynamoDB recovers, the same request works.
func TestADynamoDBBrownoutAnswers503InTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	slow := &slowProxy{}
	app := startAWSApp(t, ctx, "brownout", func(c *Config) {
		target, err := url.Parse(os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"))
		if err != nil || target.Host == "" {
			t.Fatalf("no DynamoDB emulator endpoint: %q", os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"))
		}
		slow.proxy = httputil.NewSingleHostReverseProxy(target)
		srv := httptest.NewServer(slow)
		t.Cleanup(srv.Close)
		t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", srv.URL) // the app's client goes through the proxy
	})
	app.signUp("alice")
	alice := app.login("alice")

	slow.delay.Store(int64(30 * time.Second))
	for _, path := range []string{"/api/messages", "/api/me"} {
		began := time.Now()
		r := alice.get(path)
		took := time.Since(began)
		t.Logf("GET %s during the brownout: %d in %v", path, r.status, took.Round(time.Millisecond))
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Try again in a few seconds") {
			t.Errorf("GET %s during the brownout: %d Retry-After %q %s; want a 503 with Retry-After in the app's words", path, r.status, r.header.Get("Retry-After"), r.body)
		}
		if took > 8*time.Second {
			t.Errorf("GET %s took %v during the brownout; each store call must give up within seconds", path, took)
		}
	}

	slow.delay.Store(0)
	if r := alice.get("/api/messages"); r.status != http.StatusOK {
		t.Errorf("after the brownout: %d %s; want the session still working", r.status, r.body)
	}
}
