//go:build unix

package index

import (
	"syscall"
	"time"
)

// processCPU is the user and system CPU time the test process has used:
// benchmarks report it per operation (cpu-ns/op), which other work on a
// loaded machine disturbs far less than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
