package suggest

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
)

// The corrections of "did you mean" are made word by word on the query as
// typed, so that its syntax (quotes, +, -, fields) stays as it was: Words
// finds the words a correction may replace, Replace puts the corrections
// in, Nearest and Cased choose how a corrected index term is written.

// Word is a word of a query text: the bytes text[Start:End].
type Word struct{ Start, End int }

// Words are the words of text that a correction may replace, at most max:
// runs of letters (and digits) of at least 2 letters. In the query syntax
// (syntax true) it leaves out field names (a word followed by ':'), excluded
// words ('-' before), and words of fuzzy terms, wildcards, prefixes and
// regular expressions (next to '~', '*', '?' or '/'), which are not plain
// words; a word inside quotes (a phrase) is corrected like any other.
func Words(text string, syntax bool, max int) []Word {
	var out []Word
	for i := 0; i < len(text) && len(out) < max; {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			i += size
		}
		if syntax && !plainWord(text, start, i) {
			continue
		}
		if letters(text[start:i]) >= 2 {
			out = append(out, Word{start, i})
		}
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// letters counts the letters of s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// plainWord reports whether text[start:end] is a plain word of the query
// syntax, by the characters around it.
func plainWord(text string, start, end int) bool {
	if strings.Count(text, "/") >= 2 { // a regular expression: leave the query alone
		return false
	}
	if end < len(text) && strings.IndexByte(":~*?", text[end]) >= 0 {
		return false
	}
	if start > 0 && strings.IndexByte("-~*?", text[start-1]) >= 0 {
		return false
	}
	return true
}

// Replace is text with words[i] replaced by repl[i] where repl[i] is not "".
func Replace(text string, words []Word, repl []string) string {
	var b strings.Builder
	last := 0
	for i, w := range words {
		if repl[i] == "" {
			continue
		}
		b.WriteString(text[last:w.Start])
		b.WriteString(repl[i])
		last = w.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// Cased is s (an index word) written in the case of typed: all capitals,
// a capital first letter, or lower case.
func Cased(s, typed string) string {
	s = strings.ToLower(s)
	first, _ := utf8.DecodeRuneInString(typed)
	switch {
	case strings.ToUpper(typed) == typed && letters(typed) > 1:
		return strings.ToUpper(s)
	case unicode.IsUpper(first):
		r, size := utf8.DecodeRuneInString(s)
		return string(unicode.ToUpper(r)) + s[size:]
	}
	return s
}

// Nearest is the form of forms (each with its number of occurrences)
// closest to typed: the fewest edits, then a likely typo of it (see
// likelyTypo: "pricez" is "prices" rather than "price"), then the most
// occurrences, then the first in byte order; "" for no forms.
func Nearest(typed string, forms map[string]int) string {
	typed = strings.ToLower(typed)
	best, bestD, bestL, bestN := "", 0, false, 0
	for f, n := range forms {
		d, l := EditDistance(typed, f), likelyTypo(typed, f)
		better := d < bestD || d == bestD && (l && !bestL || l == bestL && (n > bestN || n == bestN && f < best))
		if best == "" || better {
			best, bestD, bestL, bestN = f, d, l, n
		}
	}
	return best
}

// likelyTypo reports whether typed is word with one of the commonest
// typos: one letter replaced by a neighbouring key ("pricez" for
// "prices"), or one letter doubled ("oill" for "oil").
func likelyTypo(typed, word string) bool {
	t, w := []rune(typed), []rune(word)
	switch {
	case len(t) == len(w):
		diff := -1
		for i := range t {
			if t[i] != w[i] {
				if diff >= 0 {
					return false
				}
				diff = i
			}
		}
		return diff >= 0 && neighbours(t[diff], w[diff])
	case len(t) == len(w)+1:
		for i := range t {
			if string(t[:i])+string(t[i+1:]) == word {
				return i > 0 && t[i] == t[i-1] || i+1 < len(t) && t[i] == t[i+1]
			}
		}
	}
	return false
}

// neighbours reports whether a and b are next to each other on a QWERTY keyboard.
func neighbours(a, b rune) bool {
	pos := func(r rune) (row int, x float64, ok bool) {
		for i, keys := range []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"} {
			if c := strings.IndexRune(keys, r); c >= 0 {
				return i, float64(c) + []float64{0, 0.25, 0.75}[i], true
			}
		}
		return 0, 0, false
	}
	ra, xa, oka := pos(a)
	rb, xb, okb := pos(b)
	if !oka || !okb || ra-rb > 1 || rb-ra > 1 {
		return false
	}
	d := xa - xb
	if ra == rb {
		return d == 1 || d == -1
	}
	return d <= 0.75 && d >= -0.75
}

// EditDistance is the Levenshtein distance of a and b in runes, an adjacent
// swap counting as one edit.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Surface is the text of full at l, a location of a term in the field that
// full is the stored text of; "" when l lies outside full.
func Surface(full string, l *search.Location) string {
	if l.End > uint64(len(full)) || l.Start >= l.End {
		return ""
	}
	return full[l.Start:l.End]
}
