package web

import (
	"net/http"
	"strings"
	"time"

	"imageapp/app/imageapp"
	"imageapp/app/ratelimit"
)

// Limits are the abuse limits on the account actions (sign-up, login,
// verify, resend, password reset): one bucket per client IP and one per
// username, for each action.
type Limits struct {
	PerIP   ratelimit.Rule
	PerUser ratelimit.Rule
}

// DefaultLimits let a person retry comfortably and stop a script cold.
var DefaultLimits = Limits{
	PerIP:   ratelimit.Rule{Burst: 20, Every: 30 * time.Second},
	PerUser: ratelimit.Rule{Burst: 6, Every: time.Minute},
}

// limit takes a token for the action from the client's IP bucket and, when
// a username is given, from that username's bucket; a login from a device the
// username has logged in from before takes it from that device's bucket.
// When the store cannot answer, the action is refused (503), never let through.
func (s *Server) limit(r *http.Request, action, username string) error {
	if err := s.take(r, s.rules.PerIP, "ip:"+action+":"+s.clientIP(r)); err != nil {
		return err
	}
	if username == "" {
		return nil
	}
	key := "user:" + action + ":" + strings.ToLower(username)
	if action == "login" {
		if id := s.deviceID(r, username); id != "" {
			key = "device:login:" + id
		}
	}
	return s.take(r, s.rules.PerUser, key)
}

func (s *Server) take(r *http.Request, rule ratelimit.Rule, key string) error {
	ok, wait, err := s.limits.Take(r.Context(), rule, key)
	if err != nil {
		s.log.Error("abuse limits unavailable; refusing", "err", err)
		return imageapp.Errorf(imageapp.EUNAVAILABLE, "We cannot check sign-in attempts right now, so we are not accepting any. Try again in a minute.")
	}
	if !ok {
		kind, _, _ := strings.Cut(key, ":")
		s.log.Warn("rate limited", "key_kind", kind)
		return imageapp.RateLimited(wait)
	}
	return nil
}
