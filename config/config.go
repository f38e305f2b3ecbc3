// Package config holds Folio's configuration: the Config struct with its
// defaults and validation, and Load, which layers defaults, a YAML file,
// FOLIO_* environment variables and command-line flags, in that order. It is
// the only package that imports viper; everything else receives a Config.
// It imports index/article only among Folio's packages, and no bleve
// package (make pure-check): never index, server or cmd.
package config

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/folio-search/folio/index/article"
)

// Config is Folio's whole configuration. The mapstructure tags are the
// configuration keys ("index.path", "server.addr", ...); the environment
// variable of a key is FOLIO_ followed by the key in upper case with dots
// replaced by underscores (FOLIO_INDEX_PATH).
type Config struct {
	Index  IndexConfig  `mapstructure:"index"`
	Server ServerConfig `mapstructure:"server"`
	Search SearchConfig `mapstructure:"search"`
	Log    LogConfig    `mapstructure:"log"`

	Analytics AnalyticsConfig `mapstructure:"analytics"`
	Cluster   ClusterConfig   `mapstructure:"cluster"`
}

// ClusterConfig runs Folio on several machines: every node keeps a full
// replica built from a replicated NATS JetStream log (see docs/cluster.md).
// Cluster mode is on when cluster.nats.url or cluster.nats.cluster_listen
// is set; otherwise Folio is a single node.
type ClusterConfig struct {
	Node        string     `mapstructure:"node"`          // this node's name, unique in the cluster (empty: the host name)
	Stream      string     `mapstructure:"stream"`        // JetStream stream of the write log
	Replicas    int        `mapstructure:"replicas"`      // copies of the log (a quorum of them acknowledges a write)
	MaxReadyLag int        `mapstructure:"max_ready_lag"` // /readyz is 503 while the node is more log messages behind
	NATS        NATSConfig `mapstructure:"nats"`
}

// NATSConfig says how a node reaches the log: an embedded JetStream node
// (listen, cluster_listen, routes, store_dir) or an external NATS cluster
// (url and its credentials).
type NATSConfig struct {
	Listen        string   `mapstructure:"listen"`         // embedded: client address (host:port)
	ClusterListen string   `mapstructure:"cluster_listen"` // embedded: route address the other nodes connect to
	Routes        []string `mapstructure:"routes"`         // embedded: the other nodes' cluster_listen addresses
	StoreDir      string   `mapstructure:"store_dir"`      // embedded: JetStream storage (empty: <index.path>/nats)
	URL           string   `mapstructure:"url"`            // external: comma-separated client URLs; nothing is embedded
	User          string   `mapstructure:"user"`           // external: user name
	PasswordFile  string   `mapstructure:"password_file"`  // external: file holding the password
	NKeySeedFile  string   `mapstructure:"nkey_seed_file"` // external: file holding an nkey seed
	TLSCA         string   `mapstructure:"tls_ca"`         // external: CA certificate file
	TLSCert       string   `mapstructure:"tls_cert"`       // external: client certificate file
	TLSKey        string   `mapstructure:"tls_key"`        // external: client key file
}

// Enabled reports whether the configuration runs a cluster node.
func (c ClusterConfig) Enabled() bool { return c.NATS.URL != "" || c.NATS.ClusterListen != "" }

// IndexConfig says where the index lives, what feeds it and how text and
// dates are analysed.
type IndexConfig struct {
	Path        string   `mapstructure:"path"`         // index directory
	Sources     []string `mapstructure:"sources"`      // files, directories or URLs ("URL [OPTION...]", see SourceList) a new index is built from (then the index records its inputs)
	Language    string   `mapstructure:"language"`     // analyzer: en (stemming, stop words), standard (no stemming) or cjk (Chinese/Japanese/Korean bigrams)
	Timezone    string   `mapstructure:"timezone"`     // IANA zone for dates without an offset
	DateLayouts []string `mapstructure:"date_layouts"` // extra Go time layouts tried before the built-in ones
	TitleBoost  float64  `mapstructure:"title_boost"`  // weight of title matches over body matches
	BatchSize   int      `mapstructure:"batch_size"`   // documents per write batch while indexing
	Shards      int      `mapstructure:"shards"`       // bleve indexes a new index is split into; 0: by the size of the inputs
	GCPercent   int      `mapstructure:"gc_percent"`   // Go GC target of `folio index` (GOGC); 0 keeps the runtime's
	Watch       bool     `mapstructure:"watch"`        // serve: watch the index's inputs (else index.sources) and apply changes while serving
	// MinFreeBytes is the free disk space below which writes are refused (507) before touching the index; -1 disables the check.
	MinFreeBytes int `mapstructure:"min_free_bytes"`
	// MaxRebuildLoss is the share of the articles (0 < share <= 1) a sync or
	// rebuild may lose; one that would lose more is refused unless forced.
	MaxRebuildLoss float64 `mapstructure:"max_rebuild_loss"`
	// MaxArticleBytes bounds what ingest reads at once, in decompressed
	// bytes: a text or JSON file, or one JSON Lines line, that is larger is
	// reported and skipped (like server.max_body_bytes for the write API).
	MaxArticleBytes int `mapstructure:"max_article_bytes"`
	// KeywordFields are extra JSON fields kept as keyword fields, to facet
	// and filter on (Reuters: topics, places); changing them needs a rebuild.
	KeywordFields []string `mapstructure:"keyword_fields"`
	// PollInterval is how often `folio serve` re-reads the URL sources
	// (a source's poll_interval option overrides it).
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// Crawl bounds the requests of URL sources.
	Crawl CrawlConfig `mapstructure:"crawl"`
}

// ServerConfig configures the HTTP server of `folio serve`.
type ServerConfig struct {
	Addr              string        `mapstructure:"addr"`                // listen address host:port
	ShutdownTimeout   time.Duration `mapstructure:"shutdown_timeout"`    // grace period for in-flight requests
	ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"` // limit on reading request headers
	AdminKeys         []string      `mapstructure:"admin_keys"`          // bearer tokens allowed to write; none: writes refused
	MaxBodyBytes      int           `mapstructure:"max_body_bytes"`      // larger request bodies get 413; for bulk writes, each line
	GCPercent         int           `mapstructure:"gc_percent"`          // Go GC target while serving (GOGC); 0 keeps the runtime's
	CORS              CORSConfig    `mapstructure:"cors"`                // cross-origin reads (the widget on other sites)
	// SearchKeys, when not empty, make searches, articles and suggestions
	// require a key. Each entry is "KEY" or "KEY ORIGIN..." (space-separated),
	// which binds the key to pages of those origins (see SearchKeyList).
	SearchKeys []string `mapstructure:"search_keys"`
	// FrameAncestors are the CSP frame-ancestors sources of the HTML pages
	// (who may frame them), e.g. 'self' or https://portal.example.
	FrameAncestors []string `mapstructure:"frame_ancestors"`

	ReadTimeout           time.Duration `mapstructure:"read_timeout"`            // limit on reading a whole request
	WriteTimeout          time.Duration `mapstructure:"write_timeout"`           // limit on writing a response; above search.timeout
	IdleTimeout           time.Duration `mapstructure:"idle_timeout"`            // how long an idle keep-alive connection stays open
	MaxConcurrentSearches int           `mapstructure:"max_concurrent_searches"` // searches run at once
	SearchQueue           int           `mapstructure:"search_queue"`            // searches that may wait for a slot; more get 503
	QueueTimeout          time.Duration `mapstructure:"queue_timeout"`           // longest wait for a slot before 503
	RateLimit             float64       `mapstructure:"rate_limit"`              // requests per second per client address; 0 = off
	RateBurst             int           `mapstructure:"rate_burst"`              // requests allowed at once above rate_limit; 0 = rate_limit rounded up
	TrustProxy            bool          `mapstructure:"trust_proxy"`             // client address from X-Forwarded-For of private/loopback proxies
	BasePath              string        `mapstructure:"base_path"`               // serve everything under this path prefix, e.g. /folio
	MetricsAddr           string        `mapstructure:"metrics_addr"`            // serve /metrics here instead of on addr; empty = on addr

	// TokenKeys verify reader tokens (JWTs a portal signs), selected by
	// their kid: "KID: hs256:SECRET" or "KID: ed25519:PUBLIC_KEY_BASE64".
	TokenKeys     []string      `mapstructure:"token_keys"`
	TokenMaxTTL   time.Duration `mapstructure:"token_max_ttl"`  // longest life of a token (exp − iat)
	TokenAudience string        `mapstructure:"token_audience"` // when set, a token's aud must include it
	RequireToken  bool          `mapstructure:"require_token"`  // read requests without a token get 401
}

// CORSConfig lists the origins whose pages may read Folio's search API.
type CORSConfig struct {
	// AllowedOrigins are origins such as https://intranet.example (scheme,
	// host and optional port, nothing else), or "*" for any; empty allows none.
	AllowedOrigins []string `mapstructure:"allowed_origins"`
}

// SearchConfig bounds searches from the API and the CLI alike.
type SearchConfig struct {
	DefaultSize  int           `mapstructure:"default_size"`  // hits per page when a request gives none
	MaxSize      int           `mapstructure:"max_size"`      // largest page size accepted
	FragmentSize int           `mapstructure:"fragment_size"` // body snippet length in characters
	Timeout      time.Duration `mapstructure:"timeout"`       // deadline of one search

	MaxQueryLength int     `mapstructure:"max_query_length"` // longest q in bytes accepted by the API
	BM25K1         float64 `mapstructure:"bm25_k1"`          // BM25 term-frequency saturation (process-wide)
	BM25B          float64 `mapstructure:"bm25_b"`           // BM25 length normalisation, 0..1 (process-wide)
	MaxWindow      int     `mapstructure:"max_window"`       // largest page × size; deeper pages need a cursor
	MaxFragments   int     `mapstructure:"max_fragments"`    // body snippets per hit
	MaxTerms       int     `mapstructure:"max_terms"`        // index terms a wildcard/regexp/prefix/fuzzy query may expand to
	// RecencyBoost is a half-life in days: newer articles get up to 10% more
	// score, halving every RecencyBoost days; 0 (default) turns it off.
	RecencyBoost float64 `mapstructure:"recency_boost"`
	// SynonymsFile lists synonym groups, one per line, comma-separated
	// ("PRC, China, People's Republic of China"); "" for none.
	SynonymsFile string `mapstructure:"synonyms_file"`
	// TypoTolerance matches unquoted words that are not in the index through
	// close index words (on or off); TypoOneEdit and TypoTwoEdits are the
	// shortest words allowed one and two edits.
	TypoTolerance string `mapstructure:"typo_tolerance"`
	TypoOneEdit   int    `mapstructure:"typo_one_edit"`
	TypoTwoEdits  int    `mapstructure:"typo_two_edits"`
	// Feedback expands natural-language queries (at least FeedbackMinWords
	// plain words) by the words of their best matches before ranking them
	// (on or off).
	Feedback         string `mapstructure:"feedback"`
	FeedbackMinWords int    `mapstructure:"feedback_min_words"`
	// GradedMaxWords is the most distinct words of a query of optional
	// words that is graded (articles matching more of its words first);
	// longer queries are ranked by score alone; 0 never grades.
	GradedMaxWords int `mapstructure:"graded_max_words"`
}

// AnalyticsConfig configures the search analytics, stored in
// <index.path>/analytics outside the index generations.
type AnalyticsConfig struct {
	Enabled     bool          `mapstructure:"enabled"`      // record searches and clicks
	Retention   time.Duration `mapstructure:"retention"`    // how long records are kept; 0 keeps them for ever
	RecordUsers bool          `mapstructure:"record_users"` // keep the search token's sub (off by default)
	Buffer      int           `mapstructure:"buffer"`       // records waiting to be written; a full buffer drops and counts
}

// LogConfig configures the structured logger (written to stderr).
type LogConfig struct {
	Level  string `mapstructure:"level"`  // debug, info, warn or error
	Format string `mapstructure:"format"` // text or json
}

// Default returns the configuration used when nothing overrides it; the
// defaults of index.Options and server.Options agree with it (a test in
// cmd/folio converts Default and compares them field by field).
func Default() Config {
	return Config{
		Index: IndexConfig{
			Path:         "data/folio.bleve",
			Sources:      []string{"testdata/articles"},
			Language:     "en",
			Timezone:     "UTC",
			DateLayouts:  []string{},
			TitleBoost:   0.6,
			BatchSize:    3000,
			Shards:       0,
			GCPercent:    400,
			MinFreeBytes: 64 << 20,

			MaxRebuildLoss:  0.5,
			MaxArticleBytes: 10 << 20,

			KeywordFields: []string{"topics", "places"},
			PollInterval:  15 * time.Minute,
			Crawl: CrawlConfig{Concurrency: 2, Rate: 4, Timeout: 30 * time.Second, MaxBytes: 10 << 20,
				Retries: 2, MaxURLs: 50000},
		},
		Server: ServerConfig{
			Addr:              "127.0.0.1:8080",
			ShutdownTimeout:   10 * time.Second,
			ReadHeaderTimeout: 10 * time.Second,
			GCPercent:         200,
			CORS:              CORSConfig{AllowedOrigins: []string{}},
			SearchKeys:        []string{},
			FrameAncestors:    []string{"'self'"},
			AdminKeys:         []string{},
			MaxBodyBytes:      10 << 20,

			ReadTimeout:           30 * time.Second,
			WriteTimeout:          30 * time.Second,
			IdleTimeout:           120 * time.Second,
			MaxConcurrentSearches: 8,
			SearchQueue:           32,
			QueueTimeout:          time.Second,
			TokenKeys:             []string{},
			TokenMaxTTL:           12 * time.Hour,
		},
		Search: SearchConfig{
			DefaultSize:  10,
			MaxSize:      100,
			FragmentSize: 200,
			Timeout:      5 * time.Second,

			MaxQueryLength:   2048,
			BM25K1:           1.2, // see testdata/relevance/RESULTS.md; index.DefaultOptions agrees (tested)
			BM25B:            0.9,
			MaxWindow:        10000,
			MaxFragments:     3,
			MaxTerms:         1024,
			TypoTolerance:    "on",
			TypoOneEdit:      5,
			TypoTwoEdits:     9,
			Feedback:         "on",
			FeedbackMinWords: 7,
			GradedMaxWords:   3, // index.DefaultGradedMaxWords agrees; 4+ lowered SciFact (testdata/relevance/RESULTS.md)
		},
		Log: LogConfig{
			Level:  "info",
			Format: "text",
		},
		Analytics: AnalyticsConfig{
			Enabled:   true,
			Retention: 90 * 24 * time.Hour,
			Buffer:    4096,
		},
		Cluster: ClusterConfig{
			Stream:      "FOLIO",
			Replicas:    3,
			MaxReadyLag: 1000,
			NATS:        NATSConfig{Listen: "127.0.0.1:4222", Routes: []string{}},
		},
	}
}

var (
	languages  = []string{"en", "standard", "cjk"}
	logLevels  = []string{"debug", "info", "warn", "error"}
	logFormats = []string{"text", "json"}
)

// Validate checks every key and returns all problems joined, one per line,
// each naming its key (e.g. "search.max_size must be >= 1, got 0"); it
// returns nil when the configuration is usable.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}

	check(strings.TrimSpace(c.Index.Path) != "", "index.path must not be empty")
	errs = append(errs, c.Cluster.validate()...)
	check(c.Analytics.Retention >= 0, "analytics.retention must be a duration of 0 (keep for ever) or more, such as 2160h, got %s", c.Analytics.Retention)
	check(c.Analytics.Buffer >= 1 && c.Analytics.Buffer <= 1<<20, "analytics.buffer must be between 1 and 1048576 records, got %d", c.Analytics.Buffer)
	errs = append(errs, c.Index.validateSources()...)
	check(slices.Contains(languages, c.Index.Language), "index.language must be one of %s, got %q", strings.Join(languages, ", "), c.Index.Language)
	if _, err := time.LoadLocation(c.Index.Timezone); err != nil {
		errs = append(errs, fmt.Errorf("index.timezone must be an IANA time zone such as UTC or Europe/Paris, got %q", c.Index.Timezone))
	}
	for i, l := range c.Index.DateLayouts {
		if _, err := article.NewDateParser("UTC", []string{l}); err != nil {
			errs = append(errs, fmt.Errorf("index.date_layouts[%d]: %v", i, err))
		}
	}
	check(c.Index.TitleBoost > 0, "index.title_boost must be > 0, got %g", c.Index.TitleBoost)
	check(c.Index.BatchSize >= 1, "index.batch_size must be >= 1, got %d", c.Index.BatchSize)
	check(c.Index.GCPercent >= 0, "index.gc_percent must be >= 0, got %d", c.Index.GCPercent)
	check(c.Server.GCPercent >= 0, "server.gc_percent must be >= 0, got %d", c.Server.GCPercent)
	check(c.Index.Shards >= 0 && c.Index.Shards <= 64, "index.shards must be between 1 and 64, or 0 to choose by the size of the inputs, got %d", c.Index.Shards)
	check(c.Index.MinFreeBytes >= -1, "index.min_free_bytes must be >= 0, or -1 to disable the check, got %d", c.Index.MinFreeBytes)
	check(c.Index.MaxRebuildLoss > 0 && c.Index.MaxRebuildLoss <= 1, "index.max_rebuild_loss must be a share above 0 and at most 1 (1 turns the check off), got %g", c.Index.MaxRebuildLoss)
	check(c.Index.MaxArticleBytes >= 1024, "index.max_article_bytes must be >= 1024, got %d", c.Index.MaxArticleBytes)
	for i, f := range c.Index.KeywordFields {
		if err := article.CheckKeywordField(f); err != nil {
			errs = append(errs, fmt.Errorf("index.keyword_fields[%d]: %v", i, err))
		}
	}

	if _, _, err := net.SplitHostPort(c.Server.Addr); err != nil {
		errs = append(errs, fmt.Errorf("server.addr must be host:port such as 127.0.0.1:8080 or :8080, got %q", c.Server.Addr))
	}
	check(c.Server.ShutdownTimeout > 0, "server.shutdown_timeout must be > 0, got %s", c.Server.ShutdownTimeout)
	check(c.Server.ReadHeaderTimeout > 0, "server.read_header_timeout must be > 0, got %s", c.Server.ReadHeaderTimeout)
	for i, k := range c.Server.AdminKeys {
		check(len(k) >= 16, "server.admin_keys[%d] must be at least 16 characters (a random token, e.g. from `openssl rand -hex 24`), got %d", i, len(k))
	}
	errs = append(errs, c.Server.validateWeb()...)
	errs = append(errs, c.Server.validateTokens()...)

	check(c.Search.DefaultSize >= 1, "search.default_size must be >= 1, got %d", c.Search.DefaultSize)
	check(c.Search.MaxSize >= 1, "search.max_size must be >= 1, got %d", c.Search.MaxSize)
	check(c.Search.DefaultSize <= c.Search.MaxSize || c.Search.MaxSize < 1,
		"search.default_size must be <= search.max_size (%d), got %d", c.Search.MaxSize, c.Search.DefaultSize)
	check(c.Search.FragmentSize >= 20, "search.fragment_size must be >= 20, got %d", c.Search.FragmentSize)
	check(c.Search.Timeout > 0, "search.timeout must be > 0, got %s", c.Search.Timeout)
	check(c.Search.BM25K1 > 0, "search.bm25_k1 must be > 0, got %g", c.Search.BM25K1)
	check(c.Search.BM25B >= 0 && c.Search.BM25B <= 1, "search.bm25_b must be between 0 and 1, got %g", c.Search.BM25B)
	check(c.Search.MaxWindow >= c.Search.MaxSize, "search.max_window must be >= search.max_size (%d), got %d", c.Search.MaxSize, c.Search.MaxWindow)
	check(c.Search.MaxFragments >= 1, "search.max_fragments must be >= 1, got %d", c.Search.MaxFragments)
	check(c.Search.MaxTerms >= 1, "search.max_terms must be >= 1, got %d", c.Search.MaxTerms)
	check(c.Search.TypoTolerance == "on" || c.Search.TypoTolerance == "off", "search.typo_tolerance must be on or off, got %q", c.Search.TypoTolerance)
	check(c.Search.Feedback == "on" || c.Search.Feedback == "off", "search.feedback must be on or off, got %q", c.Search.Feedback)
	check(c.Search.FeedbackMinWords >= 1, "search.feedback_min_words must be >= 1, got %d", c.Search.FeedbackMinWords)
	check(c.Search.TypoOneEdit >= 1 && c.Search.TypoTwoEdits >= c.Search.TypoOneEdit, "search.typo_one_edit must be >= 1 and search.typo_two_edits >= it, got %d and %d", c.Search.TypoOneEdit, c.Search.TypoTwoEdits)
	check(c.Search.GradedMaxWords >= 0 && c.Search.GradedMaxWords <= 10, "search.graded_max_words must be between 0 (never graded) and 10, got %d", c.Search.GradedMaxWords)
	check(c.Search.RecencyBoost >= 0, "search.recency_boost must be a half-life in days >= 0 (0 = off), got %g", c.Search.RecencyBoost)

	check(slices.Contains(logLevels, c.Log.Level), "log.level must be one of %s, got %q", strings.Join(logLevels, ", "), c.Log.Level)
	check(slices.Contains(logFormats, c.Log.Format), "log.format must be one of %s, got %q", strings.Join(logFormats, ", "), c.Log.Format)

	errs = append(errs, c.validateOperations()...)
	return errors.Join(errs...)
}

// validate checks the cluster keys.
func (c ClusterConfig) validate() []error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.Stream != "" && !strings.ContainsAny(c.Stream, ".*> \t"), "cluster.stream must be a name without dots, spaces or wildcards, got %q", c.Stream)
	check(c.Replicas >= 1 && c.Replicas <= 5, "cluster.replicas must be between 1 and 5, got %d", c.Replicas)
	check(c.MaxReadyLag >= 0, "cluster.max_ready_lag must be >= 0 messages, got %d", c.MaxReadyLag)
	check(!strings.ContainsAny(c.Node, " \t\n"), "cluster.node must be a name without spaces, got %q", c.Node)
	addr := func(key, a string) {
		_, p, err := net.SplitHostPort(a)
		if err == nil {
			_, err = strconv.ParseUint(p, 10, 16)
		}
		check(err == nil, "%s must be host:port such as 127.0.0.1:4222, got %q", key, a)
	}
	if c.NATS.URL == "" {
		addr("cluster.nats.listen", c.NATS.Listen)
		if c.NATS.ClusterListen != "" {
			addr("cluster.nats.cluster_listen", c.NATS.ClusterListen)
		}
		for i, r := range c.NATS.Routes {
			addr(fmt.Sprintf("cluster.nats.routes[%d]", i), r)
		}
		check(len(c.NATS.Routes) == 0 || c.NATS.ClusterListen != "", "cluster.nats.routes needs cluster.nats.cluster_listen")
		external := []struct{ key, value string }{{"user", c.NATS.User}, {"password_file", c.NATS.PasswordFile},
			{"nkey_seed_file", c.NATS.NKeySeedFile}, {"tls_ca", c.NATS.TLSCA}, {"tls_cert", c.NATS.TLSCert}, {"tls_key", c.NATS.TLSKey}}
		for _, k := range external {
			check(k.value == "", "cluster.nats.%s is for an external NATS cluster (cluster.nats.url); the embedded node does not use it", k.key)
		}
	}
	check((c.NATS.TLSCert == "") == (c.NATS.TLSKey == ""), "cluster.nats.tls_cert and cluster.nats.tls_key go together")
	return errs
}
