package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

// clearEnv blanks every FOLIO_* variable of a known key for the test (viper
// ignores empty variables), so the caller's environment cannot leak in.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range keys() {
		t.Setenv(envName(k), "")
	}
}

func envName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// testFlags declares flags like the CLI does and parses args; it returns the
// key → flag map for LoadOptions.Flags.
func testFlags(t *testing.T, args ...string) map[string]*pflag.Flag {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("addr", "flag-default:1", "")
	fs.String("index", "", "")
	fs.StringSlice("sources", nil, "")
	fs.Int("max-size", 0, "")
	fs.Duration("timeout", 0, "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return map[string]*pflag.Flag{
		"server.addr":     fs.Lookup("addr"),
		"index.path":      fs.Lookup("index"),
		"index.sources":   fs.Lookup("sources"),
		"search.max_size": fs.Lookup("max-size"),
		"search.timeout":  fs.Lookup("timeout"),
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadPrecedence(t *testing.T) {
	const file = `
index:
  path: /file/index
  sources: [file-a, file-b]
  date_layouts: ["01/02/2006"]
  title_boost: 3
server:
  addr: file:1
search:
  max_size: 50
  timeout: 2s
log:
  format: json
`
	tests := []struct {
		name    string
		file    string            // content of folio.yaml in the test's Dir; "" for none
		env     map[string]string // FOLIO_* variables
		args    []string          // command line parsed into the test flags
		explict bool              // pass the file as LoadOptions.File rather than finding it in Dir
		want    func(*Config)     // changes from Default()
	}{
		{
			name: "defaults",
			want: func(*Config) {},
		},
		{
			name: "file overrides defaults",
			file: file,
			want: func(c *Config) {
				c.Index.Path = "/file/index"
				c.Index.Sources = []string{"file-a", "file-b"}
				c.Index.DateLayouts = []string{"01/02/2006"}
				c.Index.TitleBoost = 3
				c.Server.Addr = "file:1"
				c.Search.MaxSize = 50
				c.Search.Timeout = 2 * time.Second
				c.Log.Format = "json"
			},
		},
		{
			name:    "explicit file",
			file:    "server:\n  addr: explicit:1\n",
			explict: true,
			want:    func(c *Config) { c.Server.Addr = "explicit:1" },
		},
		{
			name: "env overrides file",
			file: file,
			env: map[string]string{
				"FOLIO_SERVER_ADDR":     "env:2",
				"FOLIO_INDEX_SOURCES":   "env-a, env-b,",
				"FOLIO_SEARCH_MAX_SIZE": "60",
				"FOLIO_SEARCH_TIMEOUT":  "250ms",
				"FOLIO_LOG_LEVEL":       "debug",
			},
			want: func(c *Config) {
				c.Index.Path = "/file/index"
				c.Index.Sources = []string{"env-a", "env-b"}
				c.Index.DateLayouts = []string{"01/02/2006"}
				c.Index.TitleBoost = 3
				c.Server.Addr = "env:2"
				c.Search.MaxSize = 60
				c.Search.Timeout = 250 * time.Millisecond
				c.Log.Format = "json"
				c.Log.Level = "debug"
			},
		},
		{
			name: "env without file",
			env:  map[string]string{"FOLIO_INDEX_PATH": "/env/index", "FOLIO_INDEX_TITLE_BOOST": "1.5"},
			want: func(c *Config) {
				c.Index.Path = "/env/index"
				c.Index.TitleBoost = 1.5
			},
		},
		{
			name: "flags override env and file",
			file: file,
			env:  map[string]string{"FOLIO_SERVER_ADDR": "env:2", "FOLIO_INDEX_PATH": "/env/index", "FOLIO_SEARCH_MAX_SIZE": "60"},
			args: []string{"--addr", "flag:3", "--sources", "flag-a,flag-b", "--max-size", "70", "--timeout", "3s"},
			want: func(c *Config) {
				c.Index.Path = "/env/index"
				c.Index.Sources = []string{"flag-a", "flag-b"}
				c.Index.DateLayouts = []string{"01/02/2006"}
				c.Index.TitleBoost = 3
				c.Server.Addr = "flag:3"
				c.Search.MaxSize = 70
				c.Search.Timeout = 3 * time.Second
				c.Log.Format = "json"
			},
		},
		{
			name: "admin keys and watch from the environment",
			env:  map[string]string{"FOLIO_SERVER_ADMIN_KEYS": "key-one-0123456789,key-two-0123456789", "FOLIO_INDEX_WATCH": "true"},
			want: func(c *Config) {
				c.Server.AdminKeys = []string{"key-one-0123456789", "key-two-0123456789"}
				c.Index.Watch = true
			},
		},
		{
			name: "unset flags do not override",
			env:  map[string]string{"FOLIO_SERVER_ADDR": "env:2"},
			args: []string{"--index", "/flag/index"},
			want: func(c *Config) {
				c.Index.Path = "/flag/index"
				c.Server.Addr = "env:2"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			opts := LoadOptions{Dir: dir, Flags: testFlags(t, tt.args...)}
			if tt.file != "" {
				name := DefaultFile
				if tt.explict {
					name = "custom.yml"
				}
				path := writeFile(t, dir, name, tt.file)
				if tt.explict {
					opts.File = path
				}
			}

			got, err := Load(opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := Default()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Load mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file string            // folio.yaml content; "" for none
		env  map[string]string // FOLIO_* variables
		opts LoadOptions
		want string // the error text; FILE stands for the config file's path
	}{
		{
			name: "unknown key",
			file: "server:\n  adr: 127.0.0.1:9000\n",
			want: `FILE: unknown key "server.adr" (did you mean "server.addr"?)`,
		},
		{
			name: "unknown keys and section",
			file: "colour: blue\nserver:\n  port: 80\n",
			want: "FILE: unknown key \"colour\"\nFILE: unknown key \"server.port\"",
		},
		{
			name: "section instead of value",
			file: "index:\n  sources:\n    a: 1\n    b: 2\n",
			want: `FILE: "index.sources" must be a value, not a section`,
		},
		{
			name: "value instead of section",
			file: "server: 8080\n",
			want: `FILE: "server" must be a section of keys (e.g. server.addr), not a value`,
		},
		{
			name: "invalid values in file",
			file: "search:\n  max_size: abc\n  timeout: soon\nindex:\n  sources: [[a]]\n",
			want: "index.sources: invalid value [[a]] (expected a list of strings, or one comma-separated string)\n" +
				"search.max_size: invalid value \"abc\" (expected an integer)\n" +
				"search.timeout: invalid value \"soon\" (expected a duration with a unit, such as 500ms, 10s or 1m30s)",
		},
		{
			name: "duration without unit",
			file: "server:\n  shutdown_timeout: 5\n",
			want: "server.shutdown_timeout: invalid value 5 (expected a duration with a unit, such as 500ms, 10s or 1m30s)",
		},
		{
			name: "invalid values in env",
			env:  map[string]string{"FOLIO_INDEX_TITLE_BOOST": "high", "FOLIO_INDEX_BATCH_SIZE": "1.5"},
			want: "index.title_boost: invalid value \"high\" (expected a number)\n" +
				"index.batch_size: invalid value \"1.5\" (expected an integer)",
		},
		{
			name: "validation after precedence",
			file: "search:\n  max_size: 5\n",
			env:  map[string]string{"FOLIO_LOG_LEVEL": "loud"},
			want: "search.default_size must be <= search.max_size (5), got 10\n" +
				`log.level must be one of debug, info, warn, error, got "loud"`,
		},
		{
			name: "malformed YAML",
			file: "server:\n\taddr: x\n",
			want: "FILE: While parsing config: yaml: line 2: found character that cannot start any token",
		},
		{
			name: "explicit file missing",
			opts: LoadOptions{File: "does-not-exist.yaml"},
			want: "read config file: open does-not-exist.yaml: no such file or directory",
		},
		{
			name: "flag for unknown key",
			opts: LoadOptions{Flags: map[string]*pflag.Flag{"server.port": {Name: "port"}}},
			want: `flag bound to unknown configuration key "server.port"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			opts := tt.opts
			opts.Dir = dir
			path := filepath.Join(dir, DefaultFile)
			if tt.file != "" {
				writeFile(t, dir, DefaultFile, tt.file)
			}
			_, err := Load(opts)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			want := strings.ReplaceAll(tt.want, "FILE", path)
			if diff := cmp.Diff(want, err.Error()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // "" for valid
	}{
		{name: "default is valid", modify: func(*Config) {}},
		{
			name:   "max size zero",
			modify: func(c *Config) { c.Search.MaxSize = 0 },
			want:   "search.max_size must be >= 1, got 0",
		},
		{
			name:   "max rebuild loss out of range",
			modify: func(c *Config) { c.Index.MaxRebuildLoss = 1.5 },
			want:   "index.max_rebuild_loss must be a share above 0 and at most 1 (1 turns the check off), got 1.5",
		},
		{
			name: "every index problem",
			modify: func(c *Config) {
				c.Index.Path = " "
				c.Index.Sources = []string{"ok", ""}
				c.Index.Language = "fr"
				c.Index.Timezone = "Mars/Olympus"
				c.Index.DateLayouts = []string{"01/02/2006", "dd/mm/yyyy"}
				c.Index.TitleBoost = 0
				c.Index.BatchSize = 0
				c.Index.MaxArticleBytes = 0
			},
			want: "index.path must not be empty\n" +
				"index.sources[1] must not be empty\n" +
				`index.language must be one of en, standard, cjk, got "fr"` + "\n" +
				`index.timezone must be an IANA time zone such as UTC or Europe/Paris, got "Mars/Olympus"` + "\n" +
				`index.date_layouts[1]: date layout "dd/mm/yyyy" is not a Go time layout with a year, month and day (e.g. 01/02/2006)` + "\n" +
				"index.title_boost must be > 0, got 0\n" +
				"index.batch_size must be >= 1, got 0\n" +
				"index.max_article_bytes must be >= 1024, got 0",
		},
		{
			name: "every server, search and log problem",
			modify: func(c *Config) {
				c.Server.Addr = "8080"
				c.Server.ShutdownTimeout = 0
				c.Server.ReadHeaderTimeout = -time.Second
				c.Search.DefaultSize = 200
				c.Search.FragmentSize = 10
				c.Search.Timeout = 0
				c.Log.Level = "trace"
				c.Log.Format = "xml"
			},
			want: `server.addr must be host:port such as 127.0.0.1:8080 or :8080, got "8080"` + "\n" +
				"server.shutdown_timeout must be > 0, got 0s\n" +
				"server.read_header_timeout must be > 0, got -1s\n" +
				"search.default_size must be <= search.max_size (100), got 200\n" +
				"search.fragment_size must be >= 20, got 10\n" +
				"search.timeout must be > 0, got 0s\n" +
				`log.level must be one of debug, info, warn, error, got "trace"` + "\n" +
				`log.format must be one of text, json, got "xml"`,
		},
		{
			name: "write settings",
			modify: func(c *Config) {
				c.Server.AdminKeys = []string{"0123456789abcdef", "short"}
				c.Server.MaxBodyBytes = 10
			},
			want: "server.admin_keys[1] must be at least 16 characters (a random token, e.g. from `openssl rand -hex 24`), got 5\n" +
				"server.max_body_bytes must be >= 1024, got 10",
		},
		{
			name:   "sizes below one do not also report their order",
			modify: func(c *Config) { c.Search.DefaultSize, c.Search.MaxSize = 0, 0 },
			want:   "search.default_size must be >= 1, got 0\nsearch.max_size must be >= 1, got 0",
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

func TestWriteYAMLRoundTrip(t *testing.T) {
	clearEnv(t)
	want := Default()
	want.Index.Sources = []string{"a", "b, c"}
	want.Index.DateLayouts = []string{"01/02/2006"}
	want.Index.TitleBoost = 2.5
	want.Server.ShutdownTimeout = 1500 * time.Millisecond
	want.Search.Timeout = time.Minute

	var buf bytes.Buffer
	if err := want.WriteYAML(&buf); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, t.TempDir(), "out.yaml", buf.String())
	got, err := Load(LoadOptions{File: path})
	if err != nil {
		t.Fatalf("Load(WriteYAML output): %v\n%s", err, buf.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s\nYAML:\n%s", diff, buf.String())
	}
	if !strings.HasPrefix(buf.String(), "index:\n  path: data/folio.bleve\n") || !strings.Contains(buf.String(), "  timeout: 1m0s\n") {
		t.Errorf("unexpected YAML layout:\n%s", buf.String())
	}
}

func TestValidateSearchFeatureKeys(t *testing.T) {
	c := Default()
	c.Search.BM25K1 = 0
	c.Search.BM25B = 1.5
	c.Search.MaxWindow = 50
	c.Search.MaxFragments = 0
	c.Search.MaxTerms = 0
	c.Search.RecencyBoost = -1
	c.Index.KeywordFields = []string{"topics", "Title"}
	want := "index.keyword_fields[1]: keyword field \"Title\": want a lower-case JSON field name (letters, digits, _) other than Folio's own fields (title, body, source, author, tags, url, groups)\n" +
		"search.bm25_k1 must be > 0, got 0\n" +
		"search.bm25_b must be between 0 and 1, got 1.5\n" +
		"search.max_window must be >= search.max_size (100), got 50\n" +
		"search.max_fragments must be >= 1, got 0\n" +
		"search.max_terms must be >= 1, got 0\n" +
		"search.recency_boost must be a half-life in days >= 0 (0 = off), got -1"
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() =\n%v\nwant\n%s", err, want)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
}

func TestValidateClusterKeys(t *testing.T) {
	c := Default()
	if c.Cluster.Enabled() {
		t.Fatal("the defaults run a cluster node")
	}
	c.Cluster.Stream = "a.b"
	c.Cluster.Replicas = 7
	c.Cluster.MaxReadyLag = -1
	c.Cluster.Node = "my node"
	c.Cluster.NATS.Listen = "4222"
	c.Cluster.NATS.Routes = []string{"127.0.0.1:6222", "host:port"}
	c.Cluster.NATS.TLSCert = "cert.pem"
	want := "cluster.stream must be a name without dots, spaces or wildcards, got \"a.b\"\n" +
		"cluster.replicas must be between 1 and 5, got 7\n" +
		"cluster.max_ready_lag must be >= 0 messages, got -1\n" +
		"cluster.node must be a name without spaces, got \"my node\"\n" +
		"cluster.nats.listen must be host:port such as 127.0.0.1:4222, got \"4222\"\n" +
		"cluster.nats.routes[1] must be host:port such as 127.0.0.1:4222, got \"host:port\"\n" +
		"cluster.nats.routes needs cluster.nats.cluster_listen\n" +
		"cluster.nats.tls_cert is for an external NATS cluster (cluster.nats.url); the embedded node does not use it\n" +
		"cluster.nats.tls_cert and cluster.nats.tls_key go together"
	if err := c.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() =\n%v\nwant\n%s", err, want)
	}
	c = Default()
	c.Cluster.NATS.ClusterListen = "127.0.0.1:6222"
	if !c.Cluster.Enabled() || c.Validate() != nil {
		t.Errorf("cluster_listen alone: enabled %v, %v", c.Cluster.Enabled(), c.Validate())
	}
	c = Default()
	c.Cluster.NATS.URL = "tls://nats1:4222"
	c.Cluster.NATS.User, c.Cluster.NATS.PasswordFile = "folio", "/etc/folio/nats-password"
	c.Cluster.NATS.TLSCA, c.Cluster.NATS.TLSCert, c.Cluster.NATS.TLSKey = "ca.pem", "folio.pem", "folio-key.pem"
	if err := c.Validate(); err != nil {
		t.Errorf("external mode with credentials and TLS: %v", err)
	}
}
