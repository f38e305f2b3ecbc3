package article

import "fmt"

// CheckKeywordField returns an error unless f can be an extra keyword field:
// a lower-case JSON field name (letters, digits, _) that is not one of
// Folio's own fields.
func CheckKeywordField(f string) error {
	if !validKeywordField(f) || jsonFields[f] || f == "text" {
		return fmt.Errorf("keyword field %q: want a lower-case JSON field name (letters, digits, _) other than Folio's own fields (%s)", f, "title, body, source, author, tags, url, groups")
	}
	return nil
}

func validKeywordField(f string) bool {
	if f == "" || f[0] < 'a' || f[0] > 'z' {
		return false
	}
	for _, c := range f {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
