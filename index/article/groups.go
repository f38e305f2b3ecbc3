package article

import (
	"fmt"
	"slices"
	"strings"
)

// Bounds of an article's groups (Article.Groups), checked by Validate.
const (
	// MaxGroups is the most groups one article may have.
	MaxGroups = 64
	// MaxGroupBytes is the longest group name.
	MaxGroupBytes = 64
)

// GroupChars describes the accepted group names, for error messages.
const GroupChars = "letters a-z, digits, '.', '_' and '-', at most 64 bytes (names are lower-cased)"

// SplitGroups parses a comma-separated list of group names (a Groups
// header, a groups string in JSON, a command-line flag): each name is
// trimmed and lower-cased, empty items are dropped, repeated names count
// once. It does not check the names (see CheckGroup).
func SplitGroups(s string) []string {
	return NormalizeGroups(strings.Split(s, ","))
}

// NormalizeGroups trims and lower-cases the group names gs, dropping empty
// and repeated ones (first occurrence kept); nil when none is left.
func NormalizeGroups(gs []string) []string {
	var out []string
	for _, g := range gs {
		g = strings.ToLower(strings.TrimSpace(g))
		if g == "" || slices.Contains(out, g) {
			continue
		}
		out = append(out, g)
	}
	return out
}

// CheckGroup returns an error unless g is a valid group name: 1 to
// MaxGroupBytes bytes of a-z, 0-9, '.', '_' and '-' (as NormalizeGroups
// leaves a name; upper case is refused here, not folded).
func CheckGroup(g string) error {
	if g == "" {
		return fmt.Errorf("empty group name")
	}
	if len(g) > MaxGroupBytes {
		return fmt.Errorf("group name %q is %d bytes, more than the %d allowed", Clip(g, 40), len(g), MaxGroupBytes)
	}
	for _, c := range g {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("group name %q has the character %q", Clip(g, 40), c)
		}
	}
	return nil
}

// CheckGroups checks every name of gs (CheckGroup) and their number (at
// most MaxGroups).
func CheckGroups(gs []string) error {
	if len(gs) > MaxGroups {
		return fmt.Errorf("%d groups, more than the %d allowed", len(gs), MaxGroups)
	}
	for _, g := range gs {
		if err := CheckGroup(g); err != nil {
			return err
		}
	}
	return nil
}

// checkGroups is the *InputError of a's groups, or nil.
func (a *Article) checkGroups() error {
	if err := CheckGroups(a.Groups); err != nil {
		return &InputError{Reason: "bad groups", Message: "groups: " + err.Error(), Expected: GroupChars + ", at most 64 groups"}
	}
	return nil
}
