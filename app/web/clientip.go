package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the client's address, as the key of per-IP limits: the
// connection's peer, unless the peer is a trusted proxy; then the right-most
// X-Forwarded-For address that is not itself a trusted proxy (each proxy
// appends the address it saw, so entries left of that one are the client's
// own claims). An IPv6 address counts as its /64, the block one subscriber
// gets, else one host could use 2^64 buckets.
func (s *Server) clientIP(r *http.Request) string {
	peer, ok := peerAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	client := peer
	if s.trusted(peer) {
		client = s.forwardedFor(r, peer)
	}
	if client.Is6() {
		return netip.PrefixFrom(client, 64).Masked().String()
	}
	return client.String()
}

func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	return addr.Unmap(), err == nil
}

// forwardedFor walks X-Forwarded-For from the right past trusted proxies;
// an entry that does not parse ends the walk at the last address known good.
func (s *Server) forwardedFor(r *http.Request, peer netip.Addr) netip.Addr {
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return client
		}
		client = addr.Unmap()
		if !s.trusted(client) {
			return client
		}
	}
	return client
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.trustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
