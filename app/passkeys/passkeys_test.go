package passkeys

import (
	"context"
	"strings"
	"testing"

	"imageapp/app/imageapp"
)

// TestASiteReachedByIPStarts: browsers make no passkey for an IP address
// and the library refuses one as the relying party, so such a site gets a
// service whose ceremonies are refused with a message an operator can act
// on, instead of a server that does not start.
func TestASiteReachedByIPStarts(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "192.168.1.20", "::1"} {
		s, err := New(Config{RPID: host, DisplayName: "ImageApp", Origins: []string{"http://" + host}}, nil, nil, nil, nil)
		if err != nil {
			t.Fatalf("New for a site at %s: %v; want a service", host, err)
		}
		_, _, err = s.BeginLogin(context.Background())
		if imageapp.ErrorCode(err) != imageapp.EUNAVAILABLE || !strings.Contains(imageapp.ErrorMessage(err), "IMAGEAPP_BASE_URL") {
			t.Errorf("a passkey login at %s: %v; want unavailable, naming IMAGEAPP_BASE_URL", host, err)
		}
		_, _, err = s.BeginRegistration(context.Background(), imageapp.User{ID: "u1", Username: "alice"})
		if imageapp.ErrorCode(err) != imageapp.EUNAVAILABLE {
			t.Errorf("adding a passkey at %s: %v; want unavailable", host, err)
		}
	}
	if _, err := New(Config{RPID: "imageapp.example", DisplayName: "ImageApp", Origins: []string{"https://imageapp.example"}}, nil, nil, nil, nil); err != nil {
		t.Errorf("New for a named site: %v", err)
	}
}
