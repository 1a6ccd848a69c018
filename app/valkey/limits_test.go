package valkey_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imageapp/app/ratelimit"
	"imageapp/app/valkey"
	"imageapp/app/valkey/valkeytest"
)

func open(t *testing.T, url string) *valkey.Client {
	t.Helper()
	c, err := valkey.Open(context.Background(), url, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestLimitsAreSharedAndAtomic: three clients (three instances) taking at
// once from one bucket get exactly the burst between them, and the next
// take says how long to wait.
func TestLimitsAreSharedAndAtomic(t *testing.T) {
	srv := valkeytest.Start(t)
	rule := ratelimit.Rule{Burst: 20, Every: time.Hour}
	var clients []valkey.Limits
	for range 3 {
		clients = append(clients, open(t, srv.URL).Limits())
	}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			ok, _, err := clients[i%3].Take(context.Background(), rule, "ip:login:192.0.2.7")
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != int32(rule.Burst) {
		t.Fatalf("%d takes allowed across three instances, want the burst of %d", n, rule.Burst)
	}
	ok, wait, err := clients[0].Take(context.Background(), rule, "ip:login:192.0.2.7")
	if err != nil || ok || wait < 59*time.Minute || wait > time.Hour {
		t.Fatalf("after the burst: ok %v, wait %v, %v; want refused for about an hour", ok, wait, err)
	}
	if ok, _, _ := clients[1].Take(context.Background(), rule, "ip:login:192.0.2.8"); !ok {
		t.Error("another key shares the bucket")
	}
}

// TestLimitsRefill: a bucket gives a token back after Every.
func TestLimitsRefill(t *testing.T) {
	srv := valkeytest.Start(t)
	l := open(t, srv.URL).Limits()
	rule := ratelimit.Rule{Burst: 1, Every: 200 * time.Millisecond}
	ctx := context.Background()
	for i, want := range []bool{true, false} {
		if ok, _, err := l.Take(ctx, rule, "k"); ok != want || err != nil {
			t.Fatalf("take %d: %v, %v; want %v", i, ok, err, want)
		}
	}
	time.Sleep(250 * time.Millisecond)
	if ok, _, err := l.Take(ctx, rule, "k"); !ok || err != nil {
		t.Fatalf("after the interval: %v, %v; want a token", ok, err)
	}
}

// TestLimitsFailWhenTheStoreIsGone: a vanished store is an error, never a yes.
func TestLimitsFailWhenTheStoreIsGone(t *testing.T) {
	srv := valkeytest.Start(t)
	l := open(t, srv.URL).Limits()
	srv.Stop()
	ok, _, err := l.Take(context.Background(), ratelimit.Rule{Burst: 5, Every: time.Second}, "k")
	if err == nil || ok {
		t.Fatalf("with the store down: ok %v, err %v; want an error and no token", ok, err)
	}
}

// TestLimitsTakeWeighted: a take of n tokens costs n, all or none, and the
// wait it reports is until n are back; a cost above the burst is clamped.
func TestLimitsTakeWeighted(t *testing.T) {
	srv := valkeytest.Start(t)
	l := open(t, srv.URL).Limits()
	rule := ratelimit.Rule{Burst: 100, Every: time.Minute}
	ctx := context.Background()
	if ok, _, err := l.TakeN(ctx, rule, "bytes", 70); !ok || err != nil {
		t.Fatalf("70 of 100: %v, %v; want taken", ok, err)
	}
	ok, wait, err := l.TakeN(ctx, rule, "bytes", 40)
	if ok || err != nil || wait < 9*time.Minute || wait > 10*time.Minute {
		t.Fatalf("40 more with 30 left: ok %v, wait %v, %v; want refused for about 10 minutes", ok, wait, err)
	}
	if ok, _, err := l.TakeN(ctx, rule, "bytes", 30); !ok || err != nil {
		t.Fatalf("the 30 left (a refused take costs nothing): %v, %v; want taken", ok, err)
	}
	if ok, _, _ := l.Take(ctx, rule, "bytes"); ok {
		t.Fatal("an empty bucket gave a token")
	}
	if ok, _, err := l.TakeN(ctx, rule, "other", 1000); !ok || err != nil {
		t.Fatalf("a cost above the burst on a full bucket: %v, %v; want it clamped to the burst and taken", ok, err)
	}
}
