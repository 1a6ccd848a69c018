package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"

	"imageapp/app/imageapp"
)

// A device cookie marks a browser that has logged in as a username before,
// with a random ID of its own. Its logins count in a bucket of that device
// instead of the username's (the per-IP bucket still applies), so a
// stranger's wrong passwords can lock the username out of new devices but
// not out of the ones its owner already uses, while a copied cookie buys no
// more guesses than the username bucket it replaces. This is OWASP's
// "device cookie" answer to lockout by brute force. It is signed and
// encrypted with the session cookie's codecs (the same key ring).
const deviceTTL = 30 * 24 * time.Hour // securecookie's own limit on a value's age

// deviceMark is the device cookie's content.
type deviceMark struct {
	User string // lower-case username
	ID   string // random, names the device's own rate-limit bucket
}

func (s *Server) deviceCookieName() string {
	if s.secure {
		return "__Host-imageapp_device"
	}
	return "imageapp_device"
}

// rememberDevice marks this browser as one username logs in from, keeping
// the device's ID when it was that username's already.
func (s *Server) rememberDevice(w http.ResponseWriter, r *http.Request, username string) {
	mark := deviceMark{User: strings.ToLower(username), ID: s.deviceID(r, username)}
	if mark.ID == "" {
		mark.ID = imageapp.NewID()
	}
	name := s.deviceCookieName()
	value, err := securecookie.EncodeMulti(name, mark, s.sessionStore().Codecs...)
	if err != nil {
		s.log.ErrorContext(r.Context(), "encode device cookie", "err", err)
		return // the login stands; this browser just stays unknown
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(deviceTTL / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// deviceID is the ID of this browser if it has logged in as username
// before, or "".
func (s *Server) deviceID(r *http.Request, username string) string {
	name := s.deviceCookieName()
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	var mark deviceMark
	if err := securecookie.DecodeMulti(name, c.Value, &mark, s.sessionStore().Codecs...); err != nil {
		return "" // tampered, expired or from old keys: an unknown device
	}
	if mark.User == "" || mark.User != strings.ToLower(username) {
		return ""
	}
	return mark.ID
}
