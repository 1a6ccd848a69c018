package imageapp

import (
	"context"
	"sort"
	"time"
)

// Session is one logged-in device of a user, as their "Where you're logged
// in" list shows it. ID is the random session ID stamped into the session
// cookie at login (not the cookie: that is signed and encrypted, so
// knowing an ID gets nobody in).
type Session struct {
	ID       string
	Device   string // a short description of the User-Agent, like "Firefox on Linux"
	Created  time.Time
	LastSeen time.Time

	// KeepSignedIn is a session the person asked to keep ("Keep me signed
	// in on this device"): it lasts KeepSignedInFor from its last use
	// instead of ending after hours.
	KeepSignedIn bool
}

// KeepSignedInFor is how long a kept session lasts unused: each use moves
// its end on (sliding).
const KeepSignedInFor = 30 * 24 * time.Hour

// MaxSessions bounds the sessions kept per user: a login past it ends the
// one used longest ago.
const MaxSessions = 20

// SessionRegistry is each user's list of active sessions. A session cookie
// works only while its ID is listed, so ending a session here ends it on
// every instance at its next request.
type SessionRegistry interface {
	// AddSession lists s for the user, dropping the sessions seen longest
	// ago past MaxSessions.
	AddSession(ctx context.Context, userID string, s Session) error

	// TouchSession records that the session was used at at; an ended
	// session stays ended.
	TouchSession(ctx context.Context, userID, sid string, at time.Time) error

	// EndSession ends one session; ending an ended one is not an error.
	EndSession(ctx context.Context, userID, sid string) error

	// KeepOnlySession ends every session of the user but keep ("" ends all).
	KeepOnlySession(ctx context.Context, userID, keep string) error

	// Sessions lists the user's active sessions, last seen first.
	Sessions(ctx context.Context, userID string) ([]Session, error)
}

// SortSessions orders sessions last seen first (then by ID, so the order
// is stable), as Sessions returns them.
func SortSessions(ss []Session) {
	sort.Slice(ss, func(i, j int) bool {
		if !ss[i].LastSeen.Equal(ss[j].LastSeen) {
			return ss[i].LastSeen.After(ss[j].LastSeen)
		}
		return ss[i].ID < ss[j].ID
	})
}
