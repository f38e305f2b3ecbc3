package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenThenSearch: `folio token` signs with a configured hs256 key,
// and `folio search --token` sees what that reader may see; without
// --token the operator sees every article.
func TestTokenThenSearch(t *testing.T) {
	cfg := isolate(t)
	if err := os.WriteFile(cfg, []byte("server:\n  token_keys: [\"sso: ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\", \"portal-2026: hs256:0123456789abcdef0123456789abcdef\"]\n  token_max_ttl: 2h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ix := filepath.Join(t.TempDir(), "folio.bleve")
	mustRun(t, "--config", cfg, "index", "--index", ix, "../../testdata/access")
	hr := strings.TrimSpace(mustRun(t, "--config", cfg, "token", "--groups", "HR", "--sub", "alice", "--ttl", "30m"))
	eng := strings.TrimSpace(mustRun(t, "--config", cfg, "token", "--groups", "eng", "--kid", "portal-2026"))
	for _, tt := range []struct {
		token string
		want  uint64
	}{{hr, 1}, {eng, 0}, {"", 1}} {
		args := []string{"--config", cfg, "--index", ix, "zorbulent"}
		if tt.token != "" {
			args = append([]string{"--token", tt.token}, args...)
		}
		if resp := searchJSON(t, args...); resp.Total != tt.want {
			t.Errorf("search zorbulent with token %.12q: total %d, want %d", tt.token, resp.Total, tt.want)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--groups", "h r"}, `--groups: group name "h r" has the character ' '`},
		{[]string{"token", "--ttl", "3h"}, "--ttl must be above 0 and at most server.token_max_ttl (2h0m0s), got 3h0m0s"},
		{[]string{"token", "--kid", "sso"}, "--kid sso is an ed25519 public key"},
		{[]string{"token", "--kid", "nope"}, "--kid nope: no such key in server.token_keys"},
		{[]string{"search", "--index", ix, "--token", "x.y.z", "oil"}, "--token: token rejected: malformed"},
	} {
		_, _, err := runCLI(t, append([]string{"--config", cfg}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("folio %s: %v, want an error saying %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
}
