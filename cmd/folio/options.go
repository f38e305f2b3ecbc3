package main

import (
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/folio-search/folio/config"
	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server"
	"github.com/folio-search/folio/server/analytics"
)

// This file is the one place that converts the configuration to the options
// of the packages it wires: index.Options and server.Options.

// indexOptions converts the index and search sections to index.Options. It
// returns an error when index.timezone or index.date_layouts are invalid
// (Validate reports the same problems with their keys), or when
// search.synonyms_file cannot be read (naming file:line).
func indexOptions(c config.Config) (index.Options, error) {
	dates, err := article.NewDateParser(c.Index.Timezone, c.Index.DateLayouts)
	if err != nil {
		return index.Options{}, fmt.Errorf("index date settings: %w", err)
	}
	var synonyms [][]string
	if c.Search.SynonymsFile != "" {
		f, err := os.Open(c.Search.SynonymsFile)
		if err != nil {
			return index.Options{}, fmt.Errorf("search.synonyms_file: %w", err)
		}
		defer f.Close()
		if synonyms, err = article.ReadSynonyms(f, c.Search.SynonymsFile); err != nil {
			return index.Options{}, fmt.Errorf("search.synonyms_file: %w", err)
		}
	}
	return index.Options{
		Path:             c.Index.Path,
		Language:         c.Index.Language,
		TitleBoost:       c.Index.TitleBoost,
		Dates:            dates,
		FragmentSize:     c.Search.FragmentSize,
		DefaultSize:      c.Search.DefaultSize,
		MaxSize:          c.Search.MaxSize,
		Timeout:          c.Search.Timeout,
		BatchSize:        c.Index.BatchSize,
		Shards:           c.Index.Shards,
		MinFreeBytes:     minFree(c.Index.MinFreeBytes),
		MaxLoss:          c.Index.MaxRebuildLoss,
		MaxArticleBytes:  int64(c.Index.MaxArticleBytes),
		MaxWindow:        c.Search.MaxWindow,
		MaxFragments:     c.Search.MaxFragments,
		MaxTerms:         c.Search.MaxTerms,
		TypoTolerance:    c.Search.TypoTolerance,
		TypoOneEdit:      c.Search.TypoOneEdit,
		TypoTwoEdits:     c.Search.TypoTwoEdits,
		Feedback:         c.Search.Feedback,
		FeedbackMinWords: c.Search.FeedbackMinWords,
		GradedMaxWords:   gradedMaxWords(c.Search.GradedMaxWords),
		BM25K1:           c.Search.BM25K1,
		BM25B:            c.Search.BM25B,

		RecencyHalfLife: time.Duration(c.Search.RecencyBoost * float64(24*time.Hour)),
		Synonyms:        synonyms,
		KeywordFields:   c.Index.KeywordFields,
		Web:             webOptions(c.Index),
		SourceGroups:    c.Index.SourceGroups(),
	}, nil
}

// webOptions converts index.crawl and the options of the URL sources of
// index.sources to index.WebOptions; the User-Agent names Folio's version.
func webOptions(c config.IndexConfig) index.WebOptions {
	k := c.Crawl
	w := index.DefaultWebOptions()
	w.UserAgent = "Folio/" + version + " (+https://github.com/folio-search/folio)"
	w.Concurrency, w.Rate, w.Timeout, w.MaxBytes, w.Retries, w.MaxURLs = k.Concurrency, k.Rate, k.Timeout, int64(k.MaxBytes), k.Retries, k.MaxURLs
	if w.Retries == 0 {
		w.Retries = -1 // none (0 would take the default)
	}
	for _, s := range c.SourceList() {
		if index.IsURL(s.Path) && (len(s.Headers) > 0 || s.FetchPages) {
			if w.Sources == nil {
				w.Sources = map[string]index.URLSource{}
			}
			w.Sources[s.Path] = index.URLSource{Headers: s.Headers, FetchPages: s.FetchPages}
		}
	}
	return w
}

// minFree converts index.min_free_bytes to index.Options.MinFreeBytes, where
// 0 means "the default" and a negative value disables the check: a
// configured 0 (no minimum) is the same as disabling it.
func minFree(n int) int64 {
	if n <= 0 {
		return -1
	}
	return int64(n)
}

// serverOptions converts the server and search sections to server.Options.
func serverOptions(cfg config.Config) server.Options {
	s := cfg.Server
	return server.Options{
		ShutdownTimeout:   s.ShutdownTimeout,
		ReadHeaderTimeout: s.ReadHeaderTimeout,
		ReadTimeout:       s.ReadTimeout,
		WriteTimeout:      s.WriteTimeout,
		IdleTimeout:       s.IdleTimeout,
		MaxBodyBytes:      int64(s.MaxBodyBytes),
		MaxQueryLength:    cfg.Search.MaxQueryLength,
		MaxSearches:       s.MaxConcurrentSearches,
		SearchQueue:       s.SearchQueue,
		QueueTimeout:      s.QueueTimeout,
		RateLimit:         s.RateLimit,
		RateBurst:         s.RateBurst,
		TrustProxy:        s.TrustProxy,
		BasePath:          s.BasePath,
		MetricsElsewhere:  s.MetricsAddr != "",
		AllowedOrigins:    s.CORS.AllowedOrigins,
		SearchKeys:        searchKeys(s.SearchKeyList()),
		FrameAncestors:    s.FrameAncestors,
		KeywordFields:     cfg.Index.KeywordFields,
		MaxWindow:         cfg.Search.MaxWindow,
		AdminKeys:         s.AdminKeys,
		Sources:           cfg.Index.SourcePaths(),
		TokenKeys:         tokenKeys(s.TokenKeyList()),
		TokenMaxTTL:       s.TokenMaxTTL,
		TokenAudience:     s.TokenAudience,
		RequireToken:      s.RequireToken,
		MinSeqWait:        cfg.Search.Timeout,
		MaxReadyLag:       uint64(cfg.Cluster.MaxReadyLag),
	}
}

// logClusterNotice logs a notice of the replica or its embedded NATS
// server: NATS's routine notices (connections, elections) at debug level.
func logClusterNotice(logger *slog.Logger, msg string) {
	switch {
	case strings.HasPrefix(msg, "nats: error:"), strings.HasPrefix(msg, "nats: fatal:"):
		logger.Error(msg)
	case strings.HasPrefix(msg, "nats: warning:"):
		logger.Warn(msg)
	case strings.HasPrefix(msg, "nats: "):
		logger.Debug(msg)
	default:
		logger.Warn(msg)
	}
}

// clusterOptions converts the cluster section to index.ClusterOptions
// (nil when cluster mode is off): the node defaults to the host name, the
// embedded store to <index.path>/nats; the password is read from its file.
func clusterOptions(cfg config.Config, logger *slog.Logger) (*index.ClusterOptions, error) {
	c := cfg.Cluster
	if !c.Enabled() {
		return nil, nil
	}
	node := c.Node
	if node == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("cluster.node is empty and the host name is unknown: %w", err)
		}
		node = h
	}
	store := c.NATS.StoreDir
	if store == "" {
		store = filepath.Join(cfg.Index.Path, "nats")
	}
	o := &index.ClusterOptions{Node: node, Stream: c.Stream, Replicas: c.Replicas,
		User: c.NATS.User, NKeySeedFile: c.NATS.NKeySeedFile, TLSCA: c.NATS.TLSCA, TLSCert: c.NATS.TLSCert, TLSKey: c.NATS.TLSKey,
		Listen: c.NATS.Listen, ClusterListen: c.NATS.ClusterListen, Routes: c.NATS.Routes, StoreDir: store,
		Logf: func(format string, args ...any) { logClusterNotice(logger, fmt.Sprintf(format, args...)) }}
	for _, u := range strings.Split(c.NATS.URL, ",") {
		if u = strings.TrimSpace(u); u != "" {
			o.URLs = append(o.URLs, u)
		}
	}
	if c.NATS.PasswordFile != "" {
		b, err := os.ReadFile(c.NATS.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("cluster.nats.password_file: %w", err)
		}
		o.Password = strings.TrimSpace(string(b))
	}
	return o, nil
}

// tokenKeys converts the configured token keys to the server's type.
func tokenKeys(keys []config.TokenKey) []server.TokenKey {
	out := make([]server.TokenKey, len(keys))
	for i, k := range keys {
		out[i] = server.TokenKey{ID: k.ID, Alg: server.AlgHS256, Secret: k.Secret}
		if k.Alg == "ed25519" {
			out[i] = server.TokenKey{ID: k.ID, Alg: server.AlgEdDSA, Public: ed25519.PublicKey(k.Public)}
		}
	}
	return out
}

// analyticsOptions converts the analytics section to analytics.Options.
func analyticsOptions(cfg config.Config) analytics.Options {
	a := cfg.Analytics
	return analytics.Options{Buffer: a.Buffer, Retention: a.Retention, RecordUsers: a.RecordUsers}
}

// searchKeys converts the configured search keys to the server's type.
func searchKeys(keys []config.SearchKey) []server.SearchKey {
	out := make([]server.SearchKey, len(keys))
	for i, k := range keys {
		out[i] = server.SearchKey{Key: k.Key, Origins: k.Origins}
	}
	return out
}

// gradedMaxWords is search.graded_max_words as index.Options reads it:
// there 0 means the default and a negative value never grades.
func gradedMaxWords(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
