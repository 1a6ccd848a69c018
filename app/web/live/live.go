// Package live serves the event streams (GET /events for the pages, GET
// /api/events for React): server-sent events that tell a client what
// changed, so it reads its lists again.
package live

import (
	"imageapp/app/imageapp"
	"imageapp/app/web"
)

// Handlers are the event streams' handlers. Build them with New.
type Handlers struct {
	*web.Server
	messaging Messaging
	live      *liveStreams
}

// New returns the stream handlers over the shared core; events nil means no
// live updates.
func New(core *web.Server, messaging Messaging, events imageapp.Events) *Handlers {
	return &Handlers{Server: core, messaging: messaging, live: newLiveStreams(events)}
}
