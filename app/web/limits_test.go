package web

import (
	"net/http"
	"testing"
)

// TestClientIPKeysIPv6By64: the addresses of one IPv6 subscriber share a
// rate-limit bucket; distinct IPv4 hosts and other /64s do not.
func TestClientIPKeysIPv6By64(t *testing.T) {
	key := func(remote string) string { return clientIP(&http.Request{RemoteAddr: remote}) }
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
