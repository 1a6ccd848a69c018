package web

import (
	"net/http"
	"net/netip"
	"testing"
)

// TestClientIPKeysIPv6By64: the addresses of one IPv6 subscriber share a
// rate-limit bucket; distinct IPv4 hosts and other /64s do not.
func TestClientIPKeysIPv6By64(t *testing.T) {
	s := &Server{}
	key := func(remote string) string { return s.clientIP(&http.Request{RemoteAddr: remote}) }
	same := [][2]string{
		{"[2001:db8:1:2::1]:4000", "[2001:db8:1:2:ffff:ffff:ffff:ffff]:4001"},
		{"192.0.2.7:4000", "[::ffff:192.0.2.7]:4001"},
	}
	for _, p := range same {
		if key(p[0]) != key(p[1]) {
			t.Errorf("%s and %s have different keys %q and %q", p[0], p[1], key(p[0]), key(p[1]))
		}
	}
	differ := [][2]string{
		{"[2001:db8:1:2::1]:4000", "[2001:db8:1:3::1]:4000"},
		{"192.0.2.7:4000", "192.0.2.8:4000"},
	}
	for _, p := range differ {
		if key(p[0]) == key(p[1]) {
			t.Errorf("%s and %s share the key %q", p[0], p[1], key(p[0]))
		}
	}
}

// TestClientIPBehindTrustedProxies: X-Forwarded-For counts only when the
// peer is a trusted proxy, and then only its right-most untrusted entry.
func TestClientIPBehindTrustedProxies(t *testing.T) {
	s := &Server{trustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy, no header", "198.51.100.9:5000", nil, "198.51.100.9"},
		{"spoofed header from an untrusted peer", "198.51.100.9:5000", []string{"203.0.113.1"}, "198.51.100.9"},
		{"one trusted proxy", "10.0.1.2:5000", []string{"203.0.113.1"}, "203.0.113.1"},
		{"client's own claim left of the proxy's entry", "10.0.1.2:5000", []string{"1.2.3.4, 203.0.113.1"}, "203.0.113.1"},
		{"two trusted proxies", "10.0.1.2:5000", []string{"203.0.113.1, 10.9.9.9"}, "203.0.113.1"},
		{"headers split over lines", "10.0.1.2:5000", []string{"1.2.3.4", "203.0.113.1"}, "203.0.113.1"},
		{"trusted proxy without a header", "10.0.1.2:5000", nil, "10.0.1.2"},
		{"garbage right of the client", "10.0.1.2:5000", []string{"203.0.113.1, nonsense"}, "10.0.1.2"},
		{"all trusted", "10.0.1.2:5000", []string{"10.3.3.3, 10.4.4.4"}, "10.3.3.3"},
		{"IPv6 proxy, IPv4 client", "[::1]:5000", []string{"203.0.113.1"}, "203.0.113.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientIP(r); got != c.want {
				t.Errorf("client %q, want %q", got, c.want)
			}
		})
	}
	untrusting := &Server{}
	r := &http.Request{RemoteAddr: "10.0.1.2:5000", Header: http.Header{"X-Forwarded-For": {"203.0.113.1"}}}
	if got := untrusting.clientIP(r); got != "10.0.1.2" {
		t.Errorf("with no trusted proxies configured the header counted: %q", got)
	}
}
