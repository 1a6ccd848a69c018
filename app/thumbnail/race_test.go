//go:build race

package thumbnail

// raceEnabled skips the memory measurements under the race detector,
// whose instrumentation allocates for itself and makes the bombs slow.
const raceEnabled = true
