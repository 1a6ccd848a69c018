package web

import (
	"net"
	"net/http"
	"net/netip"
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

var limitedActions = []string{"signup", "login", "verify", "resend", "forgot", "reset"}

type limiters map[string]*ratelimit.Limiter

func newLimiters(l Limits, now func() time.Time) limiters {
	if l.PerIP.Burst == 0 {
		l = DefaultLimits
	}
	out := limiters{}
	for _, a := range limitedActions {
		out["ip:"+a] = ratelimit.New(l.PerIP, now)
		out["user:"+a] = ratelimit.New(l.PerUser, now)
	}
	return out
}

// limit takes a token for the action from the client's IP bucket and, when
// a username is given, from that username's bucket; a login from a device the
// username has logged in from before takes it from that device's bucket.
func (s *Server) limit(r *http.Request, action, username string) error {
	if ok, wait := s.limiters["ip:"+action].Allow(clientIP(r)); !ok {
		s.log.Warn("rate limited", "action", action, "by", "ip")
		return imageapp.RateLimited(wait)
	}
	if username == "" {
		return nil
	}
	key := strings.ToLower(username)
	if action == "login" {
		if id := s.deviceID(r, username); id != "" {
			key = "\x00device:" + id // not a username: those have no control characters
		}
	}
	if ok, wait := s.limiters["user:"+action].Allow(key); !ok {
		s.log.Warn("rate limited", "action", action, "by", "username")
		return imageapp.RateLimited(wait)
	}
	return nil
}

// clientIP is the connection's peer address, as the key of per-IP limits.
// Forwarded-for headers are not trusted: anyone can set them, and trusting
// them would void per-IP limits. An IPv6 address counts as its /64, the
// block one subscriber gets, else one host could use 2^64 buckets.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().String()
	}
	return addr.String()
}
