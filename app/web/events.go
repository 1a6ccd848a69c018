package web

import (
	"net/http"
	"time"
)

func IsEventStream(r *http.Request) bool {
	return r.URL.Path == "/events" || r.URL.Path == "/api/events"
}

// pageSince is what a page tells its event stream it has seen: the time
// its request came in, before it read anything, in Unix ms. The stream
// resyncs the page when an event came after it, so nothing that happens
// between reading the lists and connecting is missed. (The real clock: the
// events' sequence is the stores' time, never a test clock.)
func pageSince(r *http.Request) int64 {
	if t, ok := r.Context().Value(beganKey).(time.Time); ok {
		return t.UnixMilli()
	}
	return time.Now().UnixMilli()
}
