package web

import (
	"net/http"
	"time"

	"imageapp/app/imageapp"
)

// A session is "kept" when the person ticked "Keep me signed in on this
// device" at login: it then lasts imageapp.KeepSignedInFor from its last
// use, sliding, instead of sessionAbsolute from login and sessionIdle from
// its last use. accounts.ActiveSession checks the same on the listed last
// use, so a copy of the cookie outlives it nowhere; ending the session, a
// password change or the account's deletion ends it at once, as any other.

// sessionLive reports whether a session begun at iat and last used at seen
// is still alive at now.
func sessionLive(now, iat, seen time.Time, kept bool) bool {
	if kept {
		return now.Sub(seen) <= imageapp.KeepSignedInFor
	}
	return now.Sub(iat) <= sessionAbsolute && now.Sub(seen) <= sessionIdle
}

// cookieMaxAge is the session cookie's Max-Age in seconds: a kept session's
// cookie outlives the browser and is pushed forward as the session slides;
// another one's never outlives the session's 12 hours.
func cookieMaxAge(kept bool) int {
	if kept {
		return int(imageapp.KeepSignedInFor / time.Second)
	}
	return int(sessionAbsolute / time.Second)
}

// sessionKept reports whether the request's session cookie is a kept one
// (RequireUser has checked the cookie).
func (s *Server) sessionKept(r *http.Request) bool {
	sess, err := s.sessionStore().Get(r, s.cookie)
	if err != nil {
		return false
	}
	kept, _ := sess.Values["keep"].(bool)
	return kept
}
