package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
)

// A device cookie marks a browser that has logged in as a username before.
// Logins from it skip that username's rate-limit bucket (the per-IP bucket
// still applies), so a stranger's wrong passwords can lock the username out
// of new devices but not out of the ones its owner already uses. This is
// OWASP's "device cookie" answer to lockout by brute force. It holds only
// the username, signed and encrypted with the session keys.
const deviceTTL = 30 * 24 * time.Hour // securecookie's own limit on a value's age

func (s *Server) deviceCookieName() string {
	if s.sessions.Options.Secure {
		return "__Host-imageapp_device"
	}
	return "imageapp_device"
}

// rememberDevice marks this browser as one username logs in from.
func (s *Server) rememberDevice(w http.ResponseWriter, username string) {
	name := s.deviceCookieName()
	value, err := securecookie.EncodeMulti(name, strings.ToLower(username), s.sessions.Codecs...)
	if err != nil {
		s.log.Error("encode device cookie", "err", err)
		return // the login stands; this browser just stays unknown
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(deviceTTL / time.Second),
		HttpOnly: true, Secure: s.sessions.Options.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// knownDevice tells whether this browser has logged in as username before.
func (s *Server) knownDevice(r *http.Request, username string) bool {
	name := s.deviceCookieName()
	c, err := r.Cookie(name)
	if err != nil {
		return false
	}
	var known string
	if err := securecookie.DecodeMulti(name, c.Value, &known, s.sessions.Codecs...); err != nil {
		return false // tampered, expired or from old keys: an unknown device
	}
	return known != "" && known == strings.ToLower(username)
}
