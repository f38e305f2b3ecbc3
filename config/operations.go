package config

import (
	"fmt"
	"net"
	"strings"
)

// maxQueryLength is the index's own limit on query text (index.maxQueryLen).
const maxQueryLength = 4096

// validateOperations checks the keys that bound the server under load:
// timeouts, limits, rate limiting, the base path and the metrics address.
func (c Config) validateOperations() []error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	s := c.Server
	check(s.ReadTimeout > 0, "server.read_timeout must be > 0, got %s", s.ReadTimeout)
	check(s.WriteTimeout > 0, "server.write_timeout must be > 0 (and should exceed search.timeout), got %s", s.WriteTimeout)
	check(s.IdleTimeout > 0, "server.idle_timeout must be > 0, got %s", s.IdleTimeout)
	check(s.MaxBodyBytes >= 1024, "server.max_body_bytes must be >= 1024, got %d", s.MaxBodyBytes)
	check(s.MaxConcurrentSearches >= 1, "server.max_concurrent_searches must be >= 1, got %d", s.MaxConcurrentSearches)
	check(s.SearchQueue >= 1, "server.search_queue must be >= 1, got %d", s.SearchQueue)
	check(s.QueueTimeout > 0, "server.queue_timeout must be > 0, got %s", s.QueueTimeout)
	check(s.RateLimit >= 0, "server.rate_limit must be >= 0 (0 turns rate limiting off), got %g", s.RateLimit)
	check(s.RateBurst >= 0, "server.rate_burst must be >= 0, got %d", s.RateBurst)
	check(s.BasePath == "" || strings.HasPrefix(s.BasePath, "/") && !strings.HasSuffix(s.BasePath, "/") && !strings.ContainsAny(s.BasePath, "?#% \t"),
		"server.base_path must be empty or a path such as /folio (a leading /, no trailing /, no ? # %% or spaces), got %q", s.BasePath)
	if s.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(s.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("server.metrics_addr must be empty or host:port such as 127.0.0.1:9090, got %q", s.MetricsAddr))
		}
	}
	check(c.Search.MaxQueryLength >= 1 && c.Search.MaxQueryLength <= maxQueryLength,
		"search.max_query_length must be between 1 and %d, got %d", maxQueryLength, c.Search.MaxQueryLength)
	return errs
}
