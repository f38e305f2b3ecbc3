package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenKey is one parsed entry of server.token_keys: a key that verifies
// the reader tokens whose kid is ID.
type TokenKey struct {
	ID     string
	Alg    string // "hs256" (Secret) or "ed25519" (Public)
	Secret []byte // hs256: the secret shared with the portal
	Public []byte // ed25519: the portal's 32-byte public key
}

// Bounds of token keys.
const (
	minTokenSecret = 32 // bytes of an hs256 secret (RFC 7518 §3.2: at least the hash's 256 bits)
	ed25519KeySize = 32
	maxTokenKeys   = 16
)

// ParseTokenKey parses one server.token_keys entry, "KID: hs256:SECRET" or
// "KID: ed25519:PUBLIC" (the 32-byte public key in base64 or base64url).
// Its errors never quote the secret or the key.
func ParseTokenKey(s string) (TokenKey, error) {
	kid, rest, ok := strings.Cut(s, ":")
	kid = strings.TrimSpace(kid)
	alg, material, ok2 := strings.Cut(strings.TrimSpace(rest), ":")
	if !ok || !ok2 || kid == "" || strings.ContainsAny(kid, " \t") {
		return TokenKey{}, errors.New(`want "KID: hs256:SECRET" or "KID: ed25519:PUBLIC_KEY_BASE64"`)
	}
	material = strings.TrimSpace(material)
	switch strings.ToLower(strings.TrimSpace(alg)) {
	case "hs256":
		if len(material) < minTokenSecret {
			return TokenKey{}, fmt.Errorf("key %q: an hs256 secret must be at least %d bytes (e.g. from `openssl rand -hex 32`), got %d", kid, minTokenSecret, len(material))
		}
		return TokenKey{ID: kid, Alg: "hs256", Secret: []byte(material)}, nil
	case "ed25519":
		var pub []byte
		err := errors.New("empty")
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if pub, err = enc.DecodeString(material); err == nil {
				break
			}
		}
		if err != nil || len(pub) != ed25519KeySize {
			return TokenKey{}, fmt.Errorf("key %q: an ed25519 public key must be %d bytes in base64", kid, ed25519KeySize)
		}
		return TokenKey{ID: kid, Alg: "ed25519", Public: pub}, nil
	}
	return TokenKey{}, fmt.Errorf("key %q: unknown algorithm (accepted: hs256, ed25519)", kid)
}

// TokenKeyList parses server.token_keys; Validate reports the entries it
// cannot parse, TokenKeyList skips them.
func (s ServerConfig) TokenKeyList() []TokenKey {
	out := make([]TokenKey, 0, len(s.TokenKeys))
	for _, e := range s.TokenKeys {
		if k, err := ParseTokenKey(e); err == nil {
			out = append(out, k)
		}
	}
	return out
}

// validateTokens checks server.token_keys, token_max_ttl and require_token.
func (s ServerConfig) validateTokens() []error {
	var errs []error
	if len(s.TokenKeys) > maxTokenKeys {
		errs = append(errs, fmt.Errorf("server.token_keys lists %d keys; the limit is %d", len(s.TokenKeys), maxTokenKeys))
	}
	seen := map[string]int{}
	for i, e := range s.TokenKeys {
		k, err := ParseTokenKey(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("server.token_keys[%d]: %v", i, err))
			continue
		}
		if j, dup := seen[k.ID]; dup {
			errs = append(errs, fmt.Errorf("server.token_keys[%d]: kid %q is already server.token_keys[%d]", i, k.ID, j))
		}
		seen[k.ID] = i
	}
	if s.TokenMaxTTL < time.Minute {
		errs = append(errs, fmt.Errorf("server.token_max_ttl must be at least 1m, got %s", s.TokenMaxTTL))
	}
	if s.RequireToken && len(s.TokenKeys) == 0 {
		errs = append(errs, errors.New("server.require_token needs server.token_keys: no token could be verified"))
	}
	return errs
}
