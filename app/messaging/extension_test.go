package messaging

import (
	"slices"
	"testing"

	"imageapp/app/imagecheck"
)

// TestImageTypesAreTheAllowedOnes: what clients are told they may upload
// is exactly what the upload check accepts.
func TestImageTypesAreTheAllowedOnes(t *testing.T) {
	types := ImageTypes()
	if !slices.Equal(types, imagecheck.Types()) {
		t.Fatalf("ImageTypes lists %v, the check allows %v", types, imagecheck.Types())
	}
	for _, ct := range types {
		if Extension(ct) == "" {
			t.Errorf("%s is listed but not allowed", ct)
		}
	}
}
