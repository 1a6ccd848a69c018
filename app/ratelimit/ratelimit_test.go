package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"imageapp/app/ratelimit"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := ratelimit.New(ratelimit.Rule{Burst: 3, Every: 10 * time.Second}, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("1.2.3.4"); !ok {
			t.Fatalf("event %d of the burst was refused", i+1)
		}
	}
	ok, wait := l.Allow("1.2.3.4")
	if ok || wait <= 0 || wait > 10*time.Second {
		t.Fatalf("the 4th event: allowed=%v wait=%v, want refused with a wait of at most 10s", ok, wait)
	}
	if ok, _ := l.Allow("5.6.7.8"); !ok {
		t.Fatalf("another key must have its own bucket")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.Allow("1.2.3.4"); !ok {
		t.Fatalf("after the refill interval one more event must pass")
	}
	if ok, _ := l.Allow("1.2.3.4"); ok {
		t.Fatalf("only one token refills per interval")
	}
}

func TestMemoryTakeN(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	m := ratelimit.NewMemory(func() time.Time { return now })
	rule := ratelimit.Rule{Burst: 100, Every: time.Minute}
	ctx := context.Background()
	if ok, _, _ := m.TakeN(ctx, rule, "k", 70); !ok {
		t.Fatal("70 of 100 refused")
	}
	ok, wait, _ := m.TakeN(ctx, rule, "k", 40)
	if ok || wait != 10*time.Minute {
		t.Fatalf("40 with 30 left: ok %v wait %v; want refused for 10m", ok, wait)
	}
	if ok, _, _ := m.TakeN(ctx, rule, "k", 30); !ok {
		t.Fatal("the 30 left were refused: a refused take must cost nothing")
	}
	if ok, _, _ := m.TakeN(ctx, rule, "fresh", 1000); !ok {
		t.Fatal("a cost above the burst must be clamped to it")
	}
}
