package imageapp

import "context"

// EventKind says what happened to a message a user sees.
type EventKind string

const (
	EventMessage EventKind = "message" // a message arrived (inbox) or was sent from another tab (sent)
	EventRead    EventKind = "read"    // the user opened a message of their inbox
	EventOpened  EventKind = "opened"  // the recipient opened a message the user sent
	EventDeleted EventKind = "deleted" // a message the user received or sent was deleted
	EventRequest EventKind = "request" // a message request arrived (inbox): someone the user does not know sent an image

	// EventSessionsEnded says some of the user's sessions ended (a logout,
	// "log out other devices", a password change, the account's deletion).
	// It is for the servers, never shown to a client: each open event
	// stream of the user checks its own session again and ends when that
	// session is one of them, so a stream does not outlive its session.
	EventSessionsEnded EventKind = "sessions-ended"
)

// Event tells a user's open pages that one of their mailboxes changed, so
// they reload it. It carries no secret: no caption, no file name, no key;
// the pages fetch what they show through the usual authorized routes.
type Event struct {
	// Seq orders a user's events; Publish sets it. It is a time in Unix
	// milliseconds (the publishing store's clock), raised when needed so a
	// user's events never share one; Events.Last compares with it.
	Seq       int64
	Kind      EventKind
	Box       Box    // the user's mailbox that changed
	MessageID string // the message it is about
	From      string // its sender's username, on a new message in the inbox
	Unread    int    // the user's unread count after it (at most MaxUnreadCount); -1 when not known
	// Album and Images are set on the one event of an album's send: its
	// album ID and how many images it has (MessageID is its first).
	Album  string
	Images int

	// Gap is set on the first event a subscription gets after it had to drop
	// some (a slow reader): whoever reads it has missed changes and must
	// reload everything. It never travels between instances.
	Gap bool
}

// Events carries live events to a user's open pages: an in-process hub on one
// instance, a shared pub/sub (Valkey) across a cluster. Delivery is best
// effort; a page that reconnects compares Last with the last event it saw
// and reloads when it may have missed one.
type Events interface {
	// Publish sends e to every open subscription of userID, wherever it is
	// served, and returns e.Seq. It never waits on a slow subscriber.
	Publish(ctx context.Context, userID string, e Event) (int64, error)

	// Subscribe returns the user's events from now on, and a function that
	// ends the subscription (idempotent). The channel is closed when the
	// subscription ends for any reason (the store went away, shutdown);
	// a reader then reconnects and catches up with Last.
	Subscribe(ctx context.Context, userID string) (<-chan Event, func(), error)

	// Last is a sequence number no later than which all of userID's events
	// lie, as far as this store knows: a page that saw an event (or rendered
	// its lists at a time) as late as Last has missed nothing.
	Last(ctx context.Context, userID string) (int64, error)
}
