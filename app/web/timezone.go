package web

import (
	"net/http"
	"sync"
	"time"
	_ "time/tzdata" // zone names resolve on hosts and images without /usr/share/zoneinfo
)

// tzCookie holds the reader's IANA time zone, set by static/time.js from
// the browser. It is not secret: the pages only show times in it.
const tzCookie = "tz"

// zones caches loaded zones by name; only names that loaded are kept, so
// it stays as small as the time zone database.
var zones sync.Map // string → *time.Location

// readerZone is the zone the tz cookie names, or UTC when it is missing or
// not a zone.
func readerZone(r *http.Request) *time.Location {
	c, err := r.Cookie(tzCookie)
	if err != nil {
		return time.UTC
	}
	loc, ok := loadZone(c.Value)
	if !ok {
		return time.UTC
	}
	return loc
}

// loadZone accepts IANA names such as Asia/Tokyo or UTC; never "Local" (the
// server's own zone) or anything that is not a name (LoadLocation refuses
// paths).
func loadZone(name string) (*time.Location, bool) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), true
	}
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zones.Store(name, loc)
	return loc, true
}
