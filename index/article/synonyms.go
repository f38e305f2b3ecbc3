package article

import (
	"fmt"
	"io"
	"strings"
)

// ReadSynonyms reads synonym groups, one per line, terms separated by commas
// (e.g. "PRC, China, People's Republic of China"); blank lines and lines
// starting with # are skipped. A line with fewer than two terms is an
// *InputError naming name:line.
func ReadSynonyms(r io.Reader, name string) ([][]string, error) {
	var groups [][]string
	err := EachLine(r, func(line string, n int) error {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			return nil
		}
		var g []string
		for _, t := range strings.Split(line, ",") {
			if t = strings.TrimSpace(t); t != "" {
				g = append(g, t)
			}
		}
		if len(g) < 2 {
			return &InputError{Path: name, Line: n, Reason: "bad synonym line", Message: fmt.Sprintf("%q has fewer than two terms", Clip(line, 60)), Expected: "two or more terms separated by commas, e.g. PRC, China"}
		}
		groups = append(groups, g)
		return nil
	})
	return groups, err
}
