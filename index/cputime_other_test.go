//go:build !unix

package index

import "time"

// processCPU is 0 where getrusage is missing: cpu-ns/op then reads 0.
func processCPU() time.Duration { return 0 }
