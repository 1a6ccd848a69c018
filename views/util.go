package views

import (
	"context"
	"net/http"
	"time"
)

func statusTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Not found"
	case http.StatusGone:
		return "Image gone"
	case http.StatusTooManyRequests:
		return "Slow down"
	case http.StatusUnauthorized, http.StatusForbidden:
		return "Not allowed"
	}
	if status >= 500 {
		return "Something went wrong"
	}
	return "That did not work"
}

func initial(name string) string {
	for _, r := range name {
		return string(r)
	}
	return "?"
}

// zoneKey carries the reader's time zone in a render's context.
type zoneKey struct{}

// WithZone renders times in loc (the reader's zone; nil means UTC).
func WithZone(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, zoneKey{}, loc)
}

// zoneOf is the reader's zone, UTC when the server does not know it.
func zoneOf(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(zoneKey{}).(*time.Location); ok && loc != nil {
		return loc
	}
	return time.UTC
}

// isoTime is a <time> element's machine-readable datetime.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fullTime is a date and time in the reader's zone, with the zone named
// ("30 Nov 2026, 16:29 JST", or "… UTC" when the zone is unknown), so it is
// never ambiguous.
func fullTime(ctx context.Context, t time.Time) string {
	return t.In(zoneOf(ctx)).Format("2 Jan 2006, 15:04 MST")
}

// agoIn is how long ago t was, or its date in the reader's zone once it is
// more than a week old.
func agoIn(ctx context.Context, t time.Time) string {
	if time.Since(t) < 7*24*time.Hour {
		return ago(t)
	}
	return t.In(zoneOf(ctx)).Format("2 Jan 2006")
}

// timeStyle tells static/time.js how to rewrite a <time> element's text in
// the browser's zone: "full" (date and time), "date", or "ago" (relative,
// the same in every zone; only its title changes).
func timeStyle(t time.Time) string {
	if time.Since(t) < 7*24*time.Hour {
		return "ago"
	}
	return "date"
}
