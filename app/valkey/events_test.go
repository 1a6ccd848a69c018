package valkey_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"imageapp/app/imageapp"
	"imageapp/app/valkey"
	"imageapp/app/valkey/valkeytest"
)

func liveEvents(t *testing.T, url string) *valkey.Events {
	t.Helper()
	e := open(t, url).Events(nil)
	t.Cleanup(func() { e.Close() })
	return e
}

func recvEvent(t *testing.T, ch <-chan imageapp.Event) imageapp.Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("the subscription ended")
		}
		return e
	case <-time.After(2 * time.Second):
		t.Fatal("no event within 2 s")
	}
	return imageapp.Event{}
}

// TestEventsReachAnotherInstance: an event published through one instance
// reaches a subscriber on another, with its fields and an increasing Seq,
// and only the recipient's.
func TestEventsReachAnotherInstance(t *testing.T) {
	srv := valkeytest.Start(t)
	a, b := liveEvents(t, srv.URL), liveEvents(t, srv.URL)
	ctx := context.Background()

	bob, stop, err := b.Subscribe(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	carol, stopCarol, err := b.Subscribe(ctx, "carol")
	if err != nil {
		t.Fatal(err)
	}
	defer stopCarol()

	before, err := a.Last(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	seq1, err := a.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage, Box: imageapp.Inbox, MessageID: "m1", From: "alice", Unread: 3})
	if err != nil {
		t.Fatal(err)
	}
	seq2, err := a.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventRead, Box: imageapp.Inbox, Unread: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !(before < seq1 && seq1 < seq2) {
		t.Errorf("Last before %d, then Seq %d, %d: want increasing", before, seq1, seq2)
	}
	e := recvEvent(t, bob)
	want := imageapp.Event{Seq: seq1, Kind: imageapp.EventMessage, Box: imageapp.Inbox, MessageID: "m1", From: "alice", Unread: 3}
	if e != want {
		t.Errorf("got %+v, want %+v", e, want)
	}
	if e := recvEvent(t, bob); e.Seq != seq2 || e.Unread != 2 {
		t.Errorf("second event %+v", e)
	}
	select {
	case e := <-carol:
		t.Errorf("carol got bob's event %+v", e)
	case <-time.After(100 * time.Millisecond):
	}
	for _, inst := range []*valkey.Events{a, b} {
		if last, err := inst.Last(ctx, "bob"); err != nil || last != seq2 {
			t.Errorf("Last(bob) = %d, %v; want %d on every instance", last, err, seq2)
		}
	}
}

// TestEventsSubscribeIsInPlace: once Subscribe returns, the server has the
// subscription: an event published at once, through another instance, is
// delivered (a page that says it is connected misses nothing).
func TestEventsSubscribeIsInPlace(t *testing.T) {
	srv := valkeytest.Start(t)
	a, b := liveEvents(t, srv.URL), liveEvents(t, srv.URL)
	ctx := context.Background()
	for i := range 200 {
		user := fmt.Sprint("user", i)
		ch, stop, err := b.Subscribe(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Publish(ctx, user, imageapp.Event{Kind: imageapp.EventMessage, Unread: i}); err != nil {
			t.Fatal(err)
		}
		select {
		case e := <-ch:
			if e.Unread != i {
				t.Fatalf("%s got %+v", user, e)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: an event published right after Subscribe returned was lost", user)
		}
		stop()
	}
}

// TestEventsOneConnectionPerInstance: many open pages on one instance share
// one subscription on the server, and it goes when the last page does.
func TestEventsOneConnectionPerInstance(t *testing.T) {
	srv := valkeytest.Start(t)
	e := liveEvents(t, srv.URL)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	ctx := context.Background()
	numsub := func() int64 {
		n, err := rdb.PubSubNumSub(ctx, "test:events:bob").Result()
		if err != nil {
			t.Fatal(err)
		}
		return n["test:events:bob"]
	}
	clients := func() int { // connections subscribed to anything
		list, err := rdb.ClientList(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, line := range strings.Split(list, "\n") {
			for _, f := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(f, "sub="); ok && v != "0" {
					n++
				}
			}
		}
		return n
	}
	var stops []func()
	for range 50 {
		_, stop, err := e.Subscribe(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		stops = append(stops, stop)
	}
	if n := numsub(); n != 1 {
		t.Errorf("50 pages of bob on one instance hold %d subscriptions on the server, want 1", n)
	}
	if n := clients(); n != 1 {
		t.Errorf("%d pub/sub connections, want 1", n)
	}
	for _, stop := range stops {
		stop()
	}
	deadline := time.Now().Add(2 * time.Second)
	for numsub() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := numsub(); n != 0 {
		t.Errorf("after the last page left, %d subscriptions remain", n)
	}
}

// TestEventsStoreDown: when the store goes away, open streams end (their
// channels close, so the pages reconnect and fall back), new subscriptions
// fail instead of hanging, and publishing fails (the caller logs it; a send
// does not depend on it). When it is back, subscriptions work again.
func TestEventsStoreDown(t *testing.T) {
	var logged syncBuffer
	valkey.LogTo(slog.New(slog.NewTextHandler(&logged, nil)))
	defer valkey.LogTo(slog.Default())
	srv := valkeytest.Start(t)
	e := liveEvents(t, srv.URL)
	ctx := context.Background()
	ch, stop, err := e.Subscribe(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	srv.Stop()
	select {
	case ev, ok := <-ch:
		if ok {
			t.Fatalf("got %+v, want the stream to end", ev)
		}
	case <-time.After(35 * time.Second): // at most two receive timeouts
		t.Fatal("the stream did not end when the store went away")
	}
	start := time.Now()
	if _, _, err := e.Subscribe(ctx, "bob"); err == nil {
		t.Fatal("subscribed with the store down")
	}
	if _, err := e.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage}); err == nil {
		t.Fatal("published with the store down")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("failing took %v; it must fail fast", d)
	}
	for i := 0; i < 10 && !strings.Contains(logged.String(), "valkey client"); i++ {
		e.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage}) // each fails to dial
	}
	if got := logged.String(); !strings.Contains(got, "level=WARN msg=\"valkey client\"") {
		t.Errorf("the client's own complaints did not reach the app's log: %q", got)
	}
}

// syncBuffer is a bytes.Buffer a logger may write from other goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestEventsConnectionKilled: a pub/sub connection the server drops (a
// failover, a restart) ends the streams on it rather than resubscribing
// quietly (what was published meanwhile is lost: the pages must catch up),
// and the next subscription works through a new connection.
func TestEventsConnectionKilled(t *testing.T) {
	srv := valkeytest.Start(t)
	e := liveEvents(t, srv.URL)
	other := liveEvents(t, srv.URL)
	ctx := context.Background()
	_, stop, err := e.Subscribe(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	// Kill the connection from the server's side, as a failover does.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	ch, stop, err := e.Subscribe(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if err := rdb.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub").Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("want the stream to end")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a killed pub/sub connection left the stream open (events would be lost silently)")
	}
	ch, stop2, err := e.Subscribe(ctx, "bob")
	if err != nil {
		t.Fatalf("subscribe again after the connection broke: %v", err)
	}
	defer stop2()
	if _, err := other.Publish(ctx, "bob", imageapp.Event{Kind: imageapp.EventMessage, Unread: 1}); err != nil {
		t.Fatal(err)
	}
	if ev := recvEvent(t, ch); ev.Unread != 1 {
		t.Errorf("got %+v", ev)
	}
}

// TestEventsStoreNotAnswering: a store that accepts connections but does not
// answer (a network black hole) costs the first subscription its timeout;
// the ones right after it, as every page retries, are refused at once
// instead of each waiting in turn.
func TestEventsStoreNotAnswering(t *testing.T) {
	srv := valkeytest.Start(t)
	p := startFreezer(t, srv.Addr)
	e := liveEvents(t, "redis://"+p.addr)
	ctx := context.Background()
	_, stop, err := e.Subscribe(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	stop()
	p.freeze()
	// The pub/sub connection is up but silent now; a new user's channel
	// waits for a confirmation that never comes.
	start := time.Now()
	if _, _, err := e.Subscribe(ctx, "carol"); err == nil {
		t.Fatal("subscribed through a store that does not answer")
	}
	t.Logf("the first subscription failed after %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	for range 20 {
		if _, _, err := e.Subscribe(ctx, "dave"); err == nil {
			t.Fatal("subscribed through a store that does not answer")
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("20 more subscriptions took %v; after a failure they must be refused at once", d)
	}
}

// freezer is a TCP proxy to a server that can stop passing bytes, keeping
// its connections open: a black hole.
type freezer struct {
	addr   string
	frozen chan struct{}
}

func startFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{addr: l.Addr().String(), frozen: make(chan struct{})}
	done := make(chan struct{})
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		close(done)
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if err != nil {
				return
			}
			select {
			case <-f.frozen:
				<-done // hold the bytes and the connection until the test ends
				return
			default:
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			go pipe(s, c)
			go pipe(c, s)
		}
	}()
	return f
}

func (f *freezer) freeze() { close(f.frozen) }

// TestEventsCloseLeaksNothing: Close ends every stream and the receiving
// goroutine; later subscriptions are refused.
func TestEventsCloseLeaksNothing(t *testing.T) {
	srv := valkeytest.Start(t)
	c := open(t, srv.URL)
	before := runtime.NumGoroutine()
	e := c.Events(nil)
	ctx := context.Background()
	var chans []<-chan imageapp.Event
	for i := range 10 {
		ch, _, err := e.Subscribe(ctx, fmt.Sprint("user", i))
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	e.Close()
	for _, ch := range chans {
		select {
		case _, ok := <-ch:
			if ok {
				t.Fatal("an event after Close")
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Close left a stream open")
		}
	}
	if _, _, err := e.Subscribe(ctx, "bob"); err == nil {
		t.Error("subscribed after Close")
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
