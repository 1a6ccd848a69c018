package live

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"imageapp/app/imageapp"
	"imageapp/app/web"
)

// liveStreams is what the event streams share: the events, the signal to
// end, and how many streams each person has open here.
type liveStreams struct {
	events imageapp.Events // nil: no live events
	ending chan struct{}   // closed by EndStreams
	end    func()

	mu     sync.Mutex
	counts map[string]int
}

func newLiveStreams(events imageapp.Events) *liveStreams {
	l := &liveStreams{events: events, ending: make(chan struct{}), counts: map[string]int{}}
	l.end = sync.OnceFunc(func() { close(l.ending) })
	return l
}

// EndStreams ends every open event stream and refuses new ones: call it as
// the HTTP server shuts down (http.Server.RegisterOnShutdown), since a
// stream never ends by itself and Shutdown waits for every request.
func (s *Handlers) EndStreams() { s.live.end() }

// eventJSON is the data of an event, as both clients read it.
type eventJSON struct {
	Kind   string `json:"kind,omitempty"`
	ID     string `json:"id,omitempty"`
	From   string `json:"from,omitempty"`
	Unread *int   `json:"unread,omitempty"`
	Album  string `json:"album,omitempty"`  // an album's send: its album ID (ID is its first image)
	Images int    `json:"images,omitempty"` // and how many images it has
}

// EventStream is GET /api/events and GET /events.
func (s *Handlers) EventStream(w http.ResponseWriter, r *http.Request) {
	u, _ := web.CurrentUser(r)
	if !s.live.open(u.ID) {
		s.Fail(w, r, &web.StatusError{Status: http.StatusTooManyRequests, Code: "rate_limited",
			Message: fmt.Sprintf("You have %d live connections open already; close some tabs.", maxStreamsPerUser)})
		return
	}
	defer s.live.close(u.ID)
	streams := s.Metrics().Level("LiveStreams")
	streams.Add(1)
	defer streams.Add(-1)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // proxies that buffer (nginx): pass each event at once
	// Never compressed: compressText holds back the first KiB of an answer
	// it might compress (until a flush), and a compressor would hold events
	// in its window; every event must go out as it is written.
	h.Set(gzhttp.HeaderNoCompression, "1")
	if r.Method == http.MethodHead {
		return
	}
	st := &sseWriter{w: w, rc: http.NewResponseController(w)}
	defer st.rc.SetWriteDeadline(time.Time{}) // the connection may serve other requests after this one

	select {
	case <-s.live.ending:
		st.retry(streamRetry) // shutting down: come back (to another instance) soon
		st.comment("shutting down")
		st.flush()
		return
	default:
	}

	ctx := r.Context()
	events, stop, cur, err := s.subscribe(ctx, u)
	if err != nil {
		if ctx.Err() == nil {
			s.Log().WarnContext(r.Context(), "live events unavailable; pages fall back to refreshing", "err", err)
		}
		st.retry(streamPausedRetry)
		st.event("unavailable", "", eventJSON{})
		st.flush()
		return
	}
	defer stop()

	since := lastEventID(r)
	hello := eventJSON{}
	if n, err := s.messaging.UnreadCount(ctx, u); err == nil {
		hello.Unread = &n
	} else {
		s.Log().ErrorContext(r.Context(), "count unread", "err", err)
	}
	id := strconv.FormatInt(max(cur, since), 10)
	st.retry(streamRetry)
	st.event("hello", id, hello)
	if since == 0 || since < cur {
		// A fresh client, or one that missed events: reload both boxes.
		st.event(string(imageapp.Inbox), id, eventJSON{Kind: "resync", Unread: hello.Unread})
		st.event(string(imageapp.Sent), id, eventJSON{Kind: "resync"})
	}
	if !st.flush() {
		return
	}

	heartbeat := time.NewTicker(streamHeartbeat)
	defer heartbeat.Stop()
	lifetime := time.NewTimer(streamLifetime + rand.N(streamJitter))
	defer lifetime.Stop()
	for {
		select {
		case <-ctx.Done(): // the client left
			return
		case <-s.live.ending: // shutdown
			return
		case <-lifetime.C: // the client reconnects with its Last-Event-ID
			return
		case <-heartbeat.C:
			if !s.streamSessionActive(w, r) {
				return
			}
			st.comment("")
		case e, ok := <-events:
			if !ok { // the store went away or closed: the client reconnects and catches up
				return
			}
			// A stream must not outlive its session: on the news that some
			// of the person's sessions ended (or after a gap, which may have
			// swallowed that news), this one checks its own.
			if (e.Kind == imageapp.EventSessionsEnded || e.Gap) && !s.streamSessionActive(w, r) {
				return
			}
			if e.Kind == imageapp.EventSessionsEnded {
				continue
			}
			st.send(e)
		}
		if !st.flush() {
			return
		}
	}
}

// streamSessionActive reports whether the session that opened the stream
// r is still active: not logged out, ended from another device or by a
// password change, the account not deleted, not idle or too old. (An event
// stream never refreshes its cookie, so checking it writes nothing to w.)
func (s *Handlers) streamSessionActive(w http.ResponseWriter, r *http.Request) bool {
	_, sid, ok := s.SessionOf(w, r)
	return ok && sid == web.CurrentSID(r)
}

// subscribe opens the user's live events and reads where they stand. Once
// shutdown has begun, or without events, there are none.
func (s *Handlers) subscribe(ctx context.Context, u imageapp.User) (<-chan imageapp.Event, func(), int64, error) {
	if s.live.events == nil {
		return nil, nil, 0, fmt.Errorf("web: no live events configured")
	}
	ch, stop, err := s.live.events.Subscribe(ctx, u.ID)
	if err != nil {
		return nil, nil, 0, err
	}
	cur, err := s.live.events.Last(ctx, u.ID)
	if err != nil {
		stop()
		return nil, nil, 0, err
	}
	return ch, stop, cur, nil
}

// lastEventID is the last event a reconnecting client saw (Last-Event-ID),
// or what a page says it has seen (?since=, the time it was rendered, in
// Unix ms); 0 when it says nothing usable.
func lastEventID(r *http.Request) int64 {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("since")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// sseWriter writes the event-stream format, each write bounded in time.
type sseWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	err error
}

// The live inbox: GET /events (the pages, through htmx's SSE extension) and
// GET /api/events (the React client's EventSource) stream a person's live
// events as Server-Sent Events. Named events only, each with a JSON object:
//
//	hello        on every connection: {"unread": N}
//	inbox        the inbox changed: {"kind": "message"|"read"|"deleted"|"resync", "id", "from", "unread"}
//	sent         the sent box changed: {"kind": "message"|"opened"|"deleted"|"resync", "id"}
//	unavailable  live events cannot be had now (the shared store is down): the
//	             stream ends and the client retries later, refreshing meanwhile
//
// Every event has an id (the user's event sequence). A client that
// reconnects sends the last one it saw (Last-Event-ID; a page sends the
// time its lists were read as ?since=), and when the store knows of a later
// event, or the client says nothing, the stream starts with a "resync" of
// both boxes: the client reloads them, so a reconnect misses nothing even
// though events are not kept.
//
// A stream costs a goroutine and a bounded buffer while it is open, and it
// is never open for long: a comment every streamHeartbeat finds a vanished
// client (the write fails or times out), the server ends every stream after
// streamLifetime (the client reconnects, perhaps to another instance), and
// EndStreams ends them all when the server shuts down.
//
// Nor does a stream outlive its session: when sessions of the person end
// (imageapp.EventSessionsEnded, published through the same events, so on
// every instance) and at every heartbeat, the stream checks its session and
// ends when it has ended. The heartbeat's check covers a signal that was
// lost (the shared store down) and a session that merely expired.
const (
	streamRetry        = 3 * time.Second  // the client's reconnect delay
	streamPausedRetry  = 15 * time.Second // when live events are unavailable: the fallback refresh's pace
	streamHeartbeat    = 20 * time.Second // under the idle timeouts of proxies and load balancers (60 s on an ALB)
	streamLifetime     = 5 * time.Minute  // plus up to streamJitter, so reconnects spread out
	streamJitter       = time.Minute
	streamWriteTimeout = 10 * time.Second // a client that takes longer to take an event is gone
	maxStreamsPerUser  = 16               // open streams per person on one instance: tabs, not a flood
)

func (l *liveStreams) open(userID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts[userID] >= maxStreamsPerUser {
		return false
	}
	l.counts[userID]++
	return true
}

func (l *liveStreams) close(userID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts[userID]--; l.counts[userID] <= 0 {
		delete(l.counts, userID)
	}
}

// web.IsEventStream tells the event streams' requests: they are not use of the
// session (an open tab is not a person), see isBackgroundRefresh.
func (st *sseWriter) write(s string) {
	if st.err != nil {
		return
	}
	// A client that does not read (gone without a FIN, or stalled) fails
	// this write in time instead of holding the handler.
	_ = st.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) // ErrNotSupported: the write just has no bound
	_, st.err = st.w.Write([]byte(s))
}

func (st *sseWriter) flush() bool {
	if st.err == nil {
		st.err = st.rc.Flush()
	}
	return st.err == nil
}

// retry sets the client's reconnect delay. It goes in the block of the
// event written next: htmx's extension only reads a retry field that comes
// with an event (EventSource reads it either way).
func (st *sseWriter) retry(d time.Duration) { st.write(fmt.Sprintf("retry: %d\n", d.Milliseconds())) }

func (st *sseWriter) comment(s string) { st.write(":" + s + "\n\n") }

// event writes one named event; data is one line of JSON.
func (st *sseWriter) event(name, id string, data eventJSON) {
	raw, _ := json.Marshal(data) // strings and ints: cannot fail, has no newline
	out := "event: " + name + "\n"
	if id != "" {
		out += "id: " + id + "\n"
	}
	st.write(out + "data: " + string(raw) + "\n\n")
}

// send writes a live event: its box's event; after a gap (this stream
// dropped events for being slow), a resync of both boxes instead.
func (st *sseWriter) send(e imageapp.Event) {
	id := strconv.FormatInt(e.Seq, 10)
	var unread *int
	if e.Unread >= 0 {
		unread = &e.Unread
	}
	if e.Gap {
		st.event(string(imageapp.Inbox), id, eventJSON{Kind: "resync", Unread: unread})
		st.event(string(imageapp.Sent), id, eventJSON{Kind: "resync"})
		return
	}
	st.event(string(e.Box), id, eventJSON{Kind: string(e.Kind), ID: e.MessageID, From: e.From, Unread: unread, Album: e.Album, Images: e.Images})
}
