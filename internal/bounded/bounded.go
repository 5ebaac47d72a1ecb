// Package bounded checks, in tests and fuzz targets, that a piece of work
// on untrusted input stays within a time and memory budget: a slow or
// hungry input is a failure like a crash.
package bounded

import (
	"runtime"
	"testing"
	"time"
)

// Budget is what one input may cost.
type Budget struct {
	Time  time.Duration
	Bytes uint64 // allocated, in total
}

// Fuzz is the budget of every fuzz target: an input that takes over a
// second or allocates over 256 MB fails.
var Fuzz = Budget{Time: time.Second, Bytes: 256 << 20}

// Run runs f and fails t when it exceeds b.
func Run(t testing.TB, b Budget, f func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if took > b.Time {
		t.Fatalf("took %v, more than %v", took, b.Time)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > b.Bytes {
		t.Fatalf("allocated %d MB, more than %d MB", alloc>>20, b.Bytes>>20)
	}
}
