package article

import (
	"bufio"
	"io"
	"strings"
)

// eachLine calls fn with every non-blank line (without "\r") and its
// 1-based number; lines are bounded to 1 MiB.
func EachLine(r io.Reader, fn func(line string, n int) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := fn(line, n); err != nil {
			return err
		}
	}
	return sc.Err()
}
