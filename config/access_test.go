package config

import (
	"strings"
	"testing"
	"time"
)

// TestValidateTokens: every bad token key entry is named by its index,
// without quoting the secret or the key.
func TestValidateTokens(t *testing.T) {
	c := Default()
	c.Server.TokenKeys = []string{
		"portal-2026: hs256:0123456789abcdef0123456789abcdef",
		"short: hs256:too-short-secret",
		"sso: ed25519:not-base64!!",
		"sso: ed25519:MCowBQYDK2VwAyEA",
		"nokid hs256 secret",
		"rsa: rs256:whatever-the-key-is-here-0123456789",
		"portal-2026: hs256:fedcba9876543210fedcba9876543210",
	}
	c.Server.TokenMaxTTL = time.Second
	err := c.Validate()
	want := []string{
		"server.token_keys[1]: key \"short\": an hs256 secret must be at least 32 bytes (e.g. from `openssl rand -hex 32`), got 16",
		`server.token_keys[2]: key "sso": an ed25519 public key must be 32 bytes in base64`,
		`server.token_keys[3]: key "sso": an ed25519 public key must be 32 bytes in base64`,
		`server.token_keys[4]: want "KID: hs256:SECRET" or "KID: ed25519:PUBLIC_KEY_BASE64"`,
		`server.token_keys[5]: key "rsa": unknown algorithm (accepted: hs256, ed25519)`,
		`server.token_keys[6]: kid "portal-2026" is already server.token_keys[0]`,
		"server.token_max_ttl must be at least 1m, got 1s",
	}
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Validate() = %v\nwant it to say %s", err, w)
		}
	}
	for _, secret := range []string{"too-short-secret", "not-base64", "fedcba98765"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error quotes a key: %v", err)
		}
	}
	c = Default()
	c.Server.RequireToken = true
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "server.require_token needs server.token_keys") {
		t.Errorf("require_token without keys: %v", err)
	}
	c.Server.TokenKeys = []string{"a: hs256:0123456789abcdef0123456789abcdef", "b: ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}
	if err := c.Validate(); err != nil {
		t.Errorf("valid keys: %v", err)
	}
	keys := c.Server.TokenKeyList()
	if len(keys) != 2 || keys[0].ID != "a" || keys[0].Alg != "hs256" || string(keys[0].Secret) != "0123456789abcdef0123456789abcdef" || keys[1].Alg != "ed25519" || len(keys[1].Public) != 32 {
		t.Errorf("TokenKeyList() = %+v", keys)
	}
}
