package messaging

import "testing"

// TestPreviewWorkersLeaveSendsACore: by default the preview workers never
// take every core, so a burst of previews cannot stall the sends.
func TestPreviewWorkersLeaveSendsACore(t *testing.T) {
	for cores, want := range map[int]int{1: 1, 2: 1, 3: 2, 8: 2, 64: 2} {
		if got := previewWorkers(cores); got != want {
			t.Errorf("previewWorkers(%d) = %d; want %d", cores, got, want)
		}
	}
}
