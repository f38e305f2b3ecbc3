package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/config"
	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server"
	"github.com/folio-search/folio/server/analytics"
)

func newServeCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the search API over HTTP",
		Long: `Serve the HTTP API on server.addr until interrupted (SIGINT or SIGTERM), then
shut down gracefully. If there is no index at index.path yet and index.sources
is set, it is built first, as by "folio index --rebuild".

Writes (PUT/DELETE /api/articles/ID, POST /api/articles, POST
/api/articles/_bulk, POST /api/admin/rebuild|sync|backup) need
"Authorization: Bearer KEY" with one of server.admin_keys; without any key
they are refused. A write answered 2xx is persisted (fsync) and searchable.
With --watch (index.watch), changes under the index's inputs (those it
records, else index.sources) are applied while serving. URL sources among
the inputs are re-read every index.poll_interval (or the source's own
poll_interval option), with conditional requests.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().String("addr", "", "listen address host:port (server.addr)")
	cmd.Flags().String("index", "", "index directory (index.path)")
	cmd.Flags().Bool("watch", false, "watch index.sources and apply changes while serving (index.watch)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := c.loadConfig(cmd, map[string]string{"server.addr": "addr", "index.path": "index", "index.watch": "watch"})
		if err != nil {
			return err
		}
		logger, err := newLogger(cfg.Log, c.stderr)
		if err != nil {
			return err
		}
		return serve(cmd.Context(), cfg, logger, buildMissing)
	}
	return cmd
}

// serve serves the index until ctx ends. The HTTP server starts first: when
// the index is missing and index.sources is set, it is built while /healthz
// answers and /readyz and the API answer 503, and attached once built. On
// the way out the server drains its requests, then the index is closed.
// build builds the missing index (buildMissing; tests pass one that waits).
func serve(ctx context.Context, cfg config.Config, logger *slog.Logger, build builder) (err error) {
	opts, err := indexOptions(cfg)
	if err != nil {
		return err
	}
	if opts.Cluster, err = clusterOptions(cfg, logger); err != nil {
		return err
	}
	if cfg.Index.Watch && len(cfg.Index.SourcePaths()) == 0 {
		return errors.New("index.watch is set but index.sources is empty: nothing to watch")
	}
	// The other nodes' reports ask this node for its part (from once the
	// recorder runs, below: the index is opened, and joins the cluster,
	// first, as the analytics store must not make a missing index exist).
	var answering atomic.Pointer[analytics.Recorder]
	if opts.Cluster != nil && cfg.Analytics.Enabled {
		opts.Cluster.Answer = func(ctx context.Context, req []byte) ([]byte, error) {
			if rec := answering.Load(); rec != nil {
				return rec.Answer(ctx, req)
			}
			return nil, errors.New("analytics: this node is starting")
		}
	}
	ix, missing, fresh, err := openServed(opts, cfg.Index.SourcePaths())
	if err != nil {
		return err
	}
	srvOpts := serverOptions(cfg)
	srvOpts.Dates = opts.Dates // the analytics reports read from and to as searches do
	if cfg.Analytics.Enabled {
		db, err := analytics.Open(analytics.File(opts.Path), time.Second)
		if err != nil {
			if ix != nil {
				ix.Close()
			}
			return err
		}
		ao := analyticsOptions(cfg)
		ao.Logger = logger
		rec := analytics.NewRecorder(db, ao)
		defer func() { rec.Close(); err = errors.Join(err, db.Close()) }() // after the server has stopped (defers run last first)
		srvOpts.Analytics = rec
		answering.Store(rec)
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &serving{cfg: cfg, opts: opts, logger: logger, ctx: ctx, cancel: cancel, srv: server.New(nil, srvOpts, logger)}
	defer func() { err = errors.Join(err, s.stop()) }()
	if ix != nil {
		s.attach(ix)
	}
	listeners, err := listen(cfg.Server.Addr, cfg.Server.MetricsAddr)
	if err != nil {
		return err // stop closes the index
	}
	if cfg.Server.GCPercent > 0 {
		// Searches allocate many short-lived objects; a larger GC target
		// cut server CPU per query by ~15% on Reuters for ~10% more RSS.
		debug.SetGCPercent(cfg.Server.GCPercent)
	}
	if len(cfg.Server.AdminKeys) == 0 {
		logger.Info("writes are disabled (no server.admin_keys)")
	}
	s.start(listeners)
	logger.Info("serving", "url", "http://"+listeners[0].Addr().String()+cfg.Server.BasePath, "index", opts.Path, "ready", !missing)
	if missing {
		s.buildAndAttach(build)
	}
	if sources := cfg.Index.SourcePaths(); fresh && len(sources) > 0 && !cfg.Index.Watch { // watch syncs them itself
		s.wg.Go(func() { publishSources(s.ctx, ix, sources, logger) })
	}
	s.wg.Wait()
	if err := errors.Join(s.buildErr, s.serveErr, s.metricsErr); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// openServed opens the index at opts.Path. A missing index is no error
// when sources can build it: then ix is nil and missing true. In cluster
// mode a missing index is created empty instead (fresh true): the log
// fills it. (Building it beside from the sources would run a second
// embedded JetStream node on the node's store, apply the sources through
// it, and then swap that store away with the old directory: the node
// would hold a sequence the log never had.)
func openServed(opts index.Options, sources []string) (ix *index.Index, missing, fresh bool, err error) {
	removeStaleBuilds(filepath.Clean(opts.Path))
	ix, err = index.Open(opts)
	switch {
	case errors.Is(err, index.ErrNoIndex) && opts.Cluster != nil:
		ix, err = index.Create(opts)
		return ix, false, err == nil, err
	case errors.Is(err, index.ErrNoIndex) && len(sources) > 0:
		return nil, true, false, nil
	case errors.Is(err, index.ErrNoIndex):
		return nil, false, false, fmt.Errorf("%w (build it with `folio index PATH...`, or set index.sources to build it on start)", err)
	}
	return ix, false, false, err
}

// publishSources syncs sources through the new cluster node ix once the
// log answers, so they reach every replica through the log (a source the
// other new nodes published already is stored once: the log deduplicates
// it), but only while the log is empty: a node joining a cluster that
// holds writes already reads the sources' articles from the log. (Its
// empty sync state would count every file as changed and publish each
// article again, putting back over every node what the API has changed or
// deleted since.) POST /api/admin/sync publishes what the files changed.
func publishSources(ctx context.Context, ix *index.Index, sources []string, logger *slog.Logger) {
	st := ix.ReplicaStatus(ctx)
	for st.LogErr != nil {
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
		st = ix.ReplicaStatus(ctx)
	}
	if st.LogLastSeq > 0 {
		logger.Info("cluster: the log holds writes already, so index.sources are read from it, not published again (POST /api/admin/sync publishes what the files changed)", "log_last_seq", st.LogLastSeq)
		return
	}
	report := &ingestReport{logger: logger, logProblems: true}
	sum, err := ix.Sync(ctx, sources, report.options(false))
	report.finish()
	switch {
	case err != nil && ctx.Err() == nil:
		logger.Error("cluster: publishing index.sources through the log failed; POST /api/admin/sync to retry", "sources", sources, "err", err)
	case err == nil:
		logger.Info("cluster: published index.sources through the log: " + formatSummary(sum))
	}
}

// serving is one run of serve: the server, the index once attached, and
// the goroutines (API server, metrics server, start-up build, watch) that
// end with ctx.
type serving struct {
	cfg    config.Config
	opts   index.Options
	logger *slog.Logger
	srv    *server.Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	serveErr, metricsErr, buildErr error // each written by its goroutine, read after wg.Wait

	mu       sync.Mutex
	attached *index.Index // closed by stop, after the goroutines
}

// attach hands ix to the server and, with index.watch, starts watching its inputs.
func (s *serving) attach(ix *index.Index) {
	s.mu.Lock()
	s.attached = ix
	s.mu.Unlock()
	s.srv.SetIndex(ix)
	if n, err := ix.Count(); err == nil {
		s.logger.Info("index ready", "index", s.opts.Path, "articles", n)
	}
	sources, err := ix.InputsOr(s.cfg.Index.SourcePaths())
	if err != nil {
		s.logger.Error("cannot read the index's inputs: not watching nor polling them", "err", err)
		return
	}
	s.wg.Go(func() { poll(s.ctx, ix, sources, s.cfg.Index, s.logger) })
	if s.cfg.Index.Watch {
		s.wg.Go(func() { watch(s.ctx, ix, sources, s.logger) })
	}
}

// start serves the API on listeners[0] and metrics on listeners[1], if
// any; either one failing stops the rest.
func (s *serving) start(listeners []net.Listener) {
	s.wg.Go(func() {
		s.serveErr = s.srv.Serve(s.ctx, listeners[0])
		s.cancel()
	})
	if len(listeners) > 1 {
		s.wg.Go(func() {
			s.metricsErr = s.srv.ServeMetrics(s.ctx, listeners[1])
			s.cancel()
		})
		s.logger.Info("serving metrics", "url", "http://"+listeners[1].Addr().String()+"/metrics")
	}
}

// buildAndAttach builds the missing index in the background and attaches
// it; a failed build (not one merely interrupted by the shutdown) stops serve.
func (s *serving) buildAndAttach(build builder) {
	s.wg.Go(func() {
		sum, err := build(s.ctx, s.opts, s.cfg.Index.SourcePaths(), s.logger)
		if err == nil {
			s.srv.RecordIngest(sum)
			var built *index.Index
			if built, err = index.Open(s.opts); err == nil {
				s.attach(built)
				return
			}
		}
		if s.ctx.Err() == nil {
			s.buildErr = err
			s.cancel()
		}
	})
}

// stop ends the goroutines, waits for them, and closes the attached index.
func (s *serving) stop() error {
	s.cancel()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attached == nil {
		return nil
	}
	if err := s.attached.Close(); err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	return nil
}

// listen opens the API address and, when set, the metrics address.
func listen(addr, metricsAddr string) ([]net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if metricsAddr == "" {
		return []net.Listener{ln}, nil
	}
	mln, err := net.Listen("tcp", metricsAddr)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("server.metrics_addr: %w", err)
	}
	return []net.Listener{ln, mln}, nil
}

// builder builds the index at opts.Path from paths.
type builder func(ctx context.Context, opts index.Options, paths []string, logger *slog.Logger) (index.IngestSummary, error)

// buildMissing builds the index that serve found missing, through the same
// path as `folio index --rebuild`, logging progress and problems.
func buildMissing(ctx context.Context, opts index.Options, paths []string, logger *slog.Logger) (index.IngestSummary, error) {
	if opts.Shards == 0 {
		opts.Shards = index.ShardsFor(paths)
	}
	logger.Info("no index yet; building it", "path", opts.Path, "sources", paths, "shards", opts.Shards)
	report := &ingestReport{logger: logger, logProblems: true}
	sum, err := rebuild(ctx, opts, inputs{fallback: paths}, report.options(false))
	report.finish()
	if err != nil {
		return sum, fmt.Errorf("build index %s: %w", opts.Path, err)
	}
	logger.Info(formatSummary(sum))
	if sum.Skipped > 0 {
		logger.Warn("some inputs were skipped; fix them and run `folio index` again", "skipped", sum.Skipped)
	}
	return sum, nil
}

// watch applies changes under sources to ix until ctx ends, logging each sync.
func watch(ctx context.Context, ix *index.Index, sources []string, logger *slog.Logger) {
	logger.Info("watching", "sources", sources)
	err := ix.Watch(ctx, sources, index.WatchOptions{
		Ingest: index.IngestOptions{Problem: func(e *article.InputError) { logger.Warn("skipped input", "problem", e.Error()) }},
		Synced: func(s index.IngestSummary, err error) {
			if err != nil {
				logger.Error("watch: sync failed", "err", err)
				return
			}
			if s.Indexed+s.Updated+s.Deleted > 0 {
				logger.Info("watch: synced", "new", s.Indexed, "updated", s.Updated, "deleted", s.Deleted, "took", s.Elapsed)
			}
		},
	})
	if err != nil && ctx.Err() == nil {
		logger.Error("watch stopped", "err", err)
	}
}

// poll re-reads the URL sources among sources until ctx ends, each every
// index.poll_interval or its own poll_interval, logging each sync.
func poll(ctx context.Context, ix *index.Index, sources []string, c config.IndexConfig, logger *slog.Logger) {
	every := map[string]time.Duration{}
	var urls []string
	for _, s := range c.SourceList() {
		if s.PollInterval > 0 {
			every[s.Path] = s.PollInterval
		}
	}
	for _, p := range sources {
		if index.IsURL(p) {
			urls = append(urls, p)
		}
	}
	if len(urls) == 0 {
		return
	}
	logger.Info("polling URL sources", "sources", urls, "every", c.PollInterval)
	err := ix.Poll(ctx, urls, index.PollOptions{Every: every, Default: c.PollInterval,
		Ingest: index.IngestOptions{Problem: func(e *article.InputError) { logger.Warn("skipped input", "problem", e.Error()) }},
		Synced: func(s index.IngestSummary, err error) {
			if err != nil {
				logger.Error("poll: sync failed", "err", err)
				return
			}
			logger.Info("poll: synced", "new", s.Indexed, "updated", s.Updated, "deleted", s.Deleted,
				"fetched", s.Fetched, "not_modified", s.NotModified, "skipped", s.Skipped, "took", s.Elapsed)
		},
	})
	if err != nil && ctx.Err() == nil {
		logger.Error("poll stopped", "err", err)
	}
}
