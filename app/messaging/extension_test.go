package messaging

import (
	"testing"

	"imageapp/app/imagecheck"
)

// TestImageTypesAreTheAllowedOnes: what clients are told they may upload
// is exactly what the upload check accepts.
func TestImageTypesAreTheAllowedOnes(t *testing.T) {
	types := ImageTypes()
	if len(types) != len(imagecheck.Allowed) {
		t.Fatalf("ImageTypes lists %d types, the check allows %d", len(types), len(imagecheck.Allowed))
	}
	for _, ct := range types {
		if Extension(ct) == "" {
			t.Errorf("%s is listed but not allowed", ct)
		}
	}
}
