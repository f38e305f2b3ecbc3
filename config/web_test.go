package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateWeb(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // "" for valid
	}{
		{
			name: "valid origins, keys and ancestors",
			modify: func(c *Config) {
				c.Server.CORS.AllowedOrigins = []string{"https://intranet.example", "http://localhost:3000", "*"}
				c.Server.SearchKeys = []string{"0123456789abcdef", "fedcba9876543210 https://intranet.example https://b.example:8443"}
				c.Server.FrameAncestors = []string{"'self'", "https://portal.example"}
			},
		},
		{
			name: "every problem, each with its key",
			modify: func(c *Config) {
				c.Server.CORS.AllowedOrigins = []string{"https://ok.example", "intranet.example", "https://a.example/path", "https://A.example"}
				c.Server.SearchKeys = []string{"short", " ", "0123456789abcdef ftp://x.example", "0123456789abcdef"}
				c.Server.FrameAncestors = []string{"'self'; script-src *"}
			},
			want: `server.cors.allowed_origins[1]: "intranet.example" is not an origin (expected scheme://host[:port] such as https://intranet.example, without a path or a trailing slash)` + "\n" +
				`server.cors.allowed_origins[2]: "https://a.example/path" is not an origin (expected scheme://host[:port] such as https://intranet.example, without a path or a trailing slash)` + "\n" +
				`server.cors.allowed_origins[3]: "https://A.example" must be lower case, as browsers send origins` + "\n" +
				"server.search_keys[0]: the key must be at least 16 characters long, got 5\n" +
				`server.search_keys[1] is empty (expected "KEY" or "KEY https://origin ...")` + "\n" +
				`server.search_keys[2]: "ftp://x.example" is not an origin (expected scheme://host[:port] such as https://intranet.example, without a path or a trailing slash)` + "\n" +
				"server.search_keys[3]: the same key is listed twice\n" +
				`server.frame_ancestors[0] must be one CSP source such as 'self', 'none' or https://portal.example, got "'self'; script-src *"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.modify(&c)
			got := ""
			if err := c.Validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSearchKeyList(t *testing.T) {
	s := ServerConfig{SearchKeys: []string{"0123456789abcdef", "fedcba9876543210  https://a.example https://b.example"}}
	want := []SearchKey{
		{Key: "0123456789abcdef", Origins: []string{}},
		{Key: "fedcba9876543210", Origins: []string{"https://a.example", "https://b.example"}},
	}
	if diff := cmp.Diff(want, s.SearchKeyList()); diff != "" {
		t.Errorf("SearchKeyList mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadWebKeys(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "folio.yaml", "server:\n  cors:\n    allowed_origins: [https://intranet.example]\n  search_keys: [\"0123456789abcdef https://intranet.example\"]\n")
	t.Setenv("FOLIO_SERVER_FRAME_ANCESTORS", "'self',https://portal.example")
	c, err := Load(LoadOptions{File: path})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"https://intranet.example"}, c.Server.CORS.AllowedOrigins); diff != "" {
		t.Errorf("server.cors.allowed_origins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"0123456789abcdef https://intranet.example"}, c.Server.SearchKeys); diff != "" {
		t.Errorf("server.search_keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"'self'", "https://portal.example"}, c.Server.FrameAncestors); diff != "" {
		t.Errorf("server.frame_ancestors from the environment (-want +got):\n%s", diff)
	}
	t.Setenv("FOLIO_SERVER_CORS_ALLOWED_ORIGINS", "https://other.example")
	if c, err = Load(LoadOptions{File: path}); err != nil || !cmp.Equal(c.Server.CORS.AllowedOrigins, []string{"https://other.example"}) {
		t.Errorf("FOLIO_SERVER_CORS_ALLOWED_ORIGINS did not override the file: %v, %v", c.Server.CORS.AllowedOrigins, err)
	}

	var buf bytes.Buffer
	if err := c.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\n  cors:\n    allowed_origins: [") {
		t.Errorf("WriteYAML does not nest server.cors:\n%s", buf.String())
	}
}
