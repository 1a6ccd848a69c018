package web

import "testing"

// TestLoadZone: IANA names load; the server's own zone and paths do not.
func TestLoadZone(t *testing.T) {
	for name, ok := range map[string]bool{"Asia/Tokyo": true, "UTC": true, "America/Argentina/Buenos_Aires": true,
		"Local": false, "": false, "../etc/passwd": false, "/etc/localtime": false, "Mars/Olympus": false} {
		if _, got := loadZone(name); got != ok {
			t.Errorf("loadZone(%q) ok = %v, want %v", name, got, ok)
		}
	}
}
