package web

import (
	"net/http"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

// Access is what a handler passes to the messaging methods that decrypt
// (Open, OpenImage, ReadMeta, ViewOnce, Previews, StartExport), for the
// decrypt record: the request's session and its device, named as the
// sessions page names it (deviceName), and the purpose; an empty purpose
// leaves the method's own (a view, the message page, a preview key).
func Access(r *http.Request, purpose imageapp.DecryptPurpose) messaging.Access {
	return messaging.Access{By: imageapp.Asker{Session: CurrentSID(r), Device: deviceName(r.UserAgent())}, Purpose: purpose}
}

// Zone is the reader's time zone (the tz cookie), UTC when unknown: what
// a page groups its days by.
func Zone(r *http.Request) *time.Location { return readerZone(r) }
