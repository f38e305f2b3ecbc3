package config

import (
	"testing"
	"time"
)

func TestValidateOperations(t *testing.T) {
	c := Default()
	c.Server.ReadTimeout = 0
	c.Server.WriteTimeout = -time.Second
	c.Server.IdleTimeout = 0
	c.Server.MaxBodyBytes = 0
	c.Server.MaxConcurrentSearches = 0
	c.Server.SearchQueue = 0
	c.Server.QueueTimeout = 0
	c.Server.RateLimit = -1
	c.Server.RateBurst = -1
	c.Server.BasePath = "folio/"
	c.Server.MetricsAddr = "9090"
	c.Search.MaxQueryLength = 5000
	want := "server.read_timeout must be > 0, got 0s\n" +
		"server.write_timeout must be > 0 (and should exceed search.timeout), got -1s\n" +
		"server.idle_timeout must be > 0, got 0s\n" +
		"server.max_body_bytes must be >= 1024, got 0\n" +
		"server.max_concurrent_searches must be >= 1, got 0\n" +
		"server.search_queue must be >= 1, got 0\n" +
		"server.queue_timeout must be > 0, got 0s\n" +
		"server.rate_limit must be >= 0 (0 turns rate limiting off), got -1\n" +
		"server.rate_burst must be >= 0, got -1\n" +
		`server.base_path must be empty or a path such as /folio (a leading /, no trailing /, no ? # % or spaces), got "folio/"` + "\n" +
		`server.metrics_addr must be empty or host:port such as 127.0.0.1:9090, got "9090"` + "\n" +
		"search.max_query_length must be between 1 and 4096, got 5000"
	err := c.Validate()
	if err == nil || err.Error() != want {
		t.Errorf("Validate:\n got: %v\nwant: %s", err, want)
	}
	c = Default()
	c.Server.BasePath, c.Server.MetricsAddr, c.Server.RateLimit = "/tools/folio", "127.0.0.1:9090", 20
	if err := c.Validate(); err != nil {
		t.Errorf("Validate of a good configuration: %v", err)
	}
}

func TestLoadOperationsFromEnv(t *testing.T) {
	t.Setenv("FOLIO_SERVER_TRUST_PROXY", "true")
	t.Setenv("FOLIO_SERVER_RATE_LIMIT", "2.5")
	t.Setenv("FOLIO_SERVER_BASE_PATH", "/folio")
	c, err := Load(LoadOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Server.TrustProxy || c.Server.RateLimit != 2.5 || c.Server.BasePath != "/folio" {
		t.Errorf("server config from the environment = %+v", c.Server)
	}
	t.Setenv("FOLIO_SERVER_TRUST_PROXY", "maybe")
	if _, err := Load(LoadOptions{Dir: t.TempDir()}); err == nil || err.Error() != `server.trust_proxy: invalid value "maybe" (expected true or false)` {
		t.Errorf("Load with trust_proxy=maybe: %v", err)
	}
}
