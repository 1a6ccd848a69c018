package imageapp

import (
	"errors"
	"testing"
)

// Only the zero Requester is refused; every constructor names someone, each
// in its own space of keys, and only a device is known.
func TestRequesterNamesSomeone(t *testing.T) {
	if err := (Requester{}).Check(); !errors.Is(err, ErrNoRequester()) || ErrorCode(err) != EINTERNAL {
		t.Errorf("the zero Requester's Check = %v; want ErrNoRequester (internal)", err)
	}
	made := map[string]Requester{
		"ByAddress":          ByAddress("192.0.2.1"),
		"ByAddress, unknown": ByAddress(""),
		"ByDevice":           ByDevice("device-1", "192.0.2.1"),
		"Tool":               Tool("192.0.2.1"),
	}
	keys := map[string]string{}
	for name, r := range made {
		if err := r.Check(); err != nil {
			t.Errorf("%s: Check = %v; want nil", name, err)
		}
		if other, dup := keys[r.Key()]; dup {
			t.Errorf("%s and %s share the key %q", name, other, r.Key())
		}
		keys[r.Key()] = name
		if r.KnownDevice() != (name == "ByDevice") {
			t.Errorf("%s: KnownDevice = %v", name, r.KnownDevice())
		}
	}
}
