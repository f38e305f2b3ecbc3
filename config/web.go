package config

import (
	"fmt"
	"net/url"
	"strings"
)

// SearchKey is one parsed entry of server.search_keys.
type SearchKey struct {
	Key     string
	Origins []string // empty: usable from anywhere
}

// SearchKeyList parses server.search_keys: each entry is "KEY" or "KEY
// ORIGIN..." with the origins separated by spaces. Validate reports the
// entries it cannot parse; SearchKeyList skips them.
func (s ServerConfig) SearchKeyList() []SearchKey {
	out := make([]SearchKey, 0, len(s.SearchKeys))
	for _, e := range s.SearchKeys {
		f := strings.Fields(e)
		if len(f) == 0 {
			continue
		}
		out = append(out, SearchKey{Key: f[0], Origins: f[1:]})
	}
	return out
}

// minKeyLen is the shortest search key accepted: keys guard reads, so a
// guessable one is a configuration mistake.
const minKeyLen = 16

// validateWeb checks the CORS origins, search keys and frame ancestors.
func (s ServerConfig) validateWeb() []error {
	var errs []error
	for i, o := range s.CORS.AllowedOrigins {
		if o == "*" {
			continue
		}
		if err := checkOrigin(o); err != nil {
			errs = append(errs, fmt.Errorf("server.cors.allowed_origins[%d]: %v", i, err))
		}
	}
	seen := map[string]bool{}
	for i, e := range s.SearchKeys {
		f := strings.Fields(e)
		switch {
		case len(f) == 0:
			errs = append(errs, fmt.Errorf("server.search_keys[%d] is empty (expected \"KEY\" or \"KEY https://origin ...\")", i))
			continue
		case len(f[0]) < minKeyLen:
			errs = append(errs, fmt.Errorf("server.search_keys[%d]: the key must be at least %d characters long, got %d", i, minKeyLen, len(f[0])))
		case seen[f[0]]:
			errs = append(errs, fmt.Errorf("server.search_keys[%d]: the same key is listed twice", i))
		}
		seen[f[0]] = true
		for _, o := range f[1:] {
			if err := checkOrigin(o); err != nil {
				errs = append(errs, fmt.Errorf("server.search_keys[%d]: %v", i, err))
			}
		}
	}
	for i, a := range s.FrameAncestors {
		if a == "" || strings.ContainsAny(a, " \t\r\n;,") {
			errs = append(errs, fmt.Errorf("server.frame_ancestors[%d] must be one CSP source such as 'self', 'none' or https://portal.example, got %q", i, a))
		}
	}
	return errs
}

// checkOrigin accepts a browser origin: http(s)://host[:port], nothing more.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "/") {
		return fmt.Errorf("%q is not an origin (expected scheme://host[:port] such as https://intranet.example, without a path or a trailing slash)", o)
	}
	if o != strings.ToLower(o) {
		return fmt.Errorf("%q must be lower case, as browsers send origins", o)
	}
	return nil
}
