package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/folio-search/folio/config"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

func newIndexCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "index [PATH|URL...]",
		Short: "Add articles to the index, or rebuild it",
		Long: `Read articles from files and directories, and from URLs (a feed, a sitemap
or a page, see index.crawl), and add them to the index at index.path,
creating it if needed. An article indexed again under the same id replaces
the old one, so re-running is safe. A folder indexed before is synced: only
new and modified files are read, and the articles of files that disappeared
are deleted (the state is kept in the index directory). A URL indexed before
is fetched with conditional requests; pages that left its sitemap are
deleted, feed items that left the feed stay.

The index records the inputs it was built from (absolute paths): each PATH
is added to them. Without PATH, the recorded inputs are synced; an index that
records none (a new one) reads index.sources.

With --rebuild, a new index is built beside the live one from PATH (which
then replaces the recorded inputs) or the recorded inputs, and swapped in
when complete; on failure the live index is left untouched.

A sync or rebuild that would lose more than index.max_rebuild_loss of the
articles is refused, and nothing is deleted, unless --force.

On a cluster node (cluster.* set) the command never writes the index
itself: its writes go through the replicated log, so the sync or rebuild is
always handed to the node's running "folio serve" (a rebuild there replays
the log), and the command fails saying so when it cannot be.

If a running "folio serve" holds the index, the work is handed to it
(POST /api/admin/sync or /api/admin/rebuild) when server.admin_keys is
configured and no PATH differs from index.sources; otherwise the command
says what to do.

Every skipped input is printed to stderr as path:line: problem. The command
fails if anything was skipped; with --strict it stops at the first problem.`,
		Args: cobra.ArbitraryArgs,
	}
	rebuildFlag := cmd.Flags().Bool("rebuild", false, "build a fresh index from the inputs and swap it in atomically")
	strict := cmd.Flags().Bool("strict", false, "stop at the first bad file or record")
	force := cmd.Flags().Bool("force", false, "sync or rebuild even if more than index.max_rebuild_loss of the articles would be lost")
	cmd.Flags().String("index", "", "index directory (index.path)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := c.loadConfig(cmd, map[string]string{"index.path": "index"})
		if err != nil {
			return err
		}
		logger, err := newLogger(cfg.Log, c.stderr)
		if err != nil {
			return err
		}
		opts, err := indexOptions(cfg)
		if err != nil {
			return err
		}
		if cfg.Cluster.Enabled() {
			return clusterIndex(cmd.Context(), c, cfg, args, *rebuildFlag, *force)
		}
		in := inputs{paths: args, fallback: cfg.Index.SourcePaths()}
		tuneIndexGC(cfg.Index.GCPercent)
		if opts.Shards == 0 { // auto: only a new index takes it
			opts.Shards = index.ShardsFor(in.forNew())
		}
		report := &ingestReport{w: c.stderr, bar: isTerminal(c.stderr), logger: logger}
		iopts := report.options(*strict)
		iopts.Force = *force
		var sum index.IngestSummary
		if *rebuildFlag {
			sum, err = rebuild(cmd.Context(), opts, in, iopts)
		} else {
			sum, err = ingestInPlace(cmd.Context(), opts, in, iopts, c.stderr)
		}
		report.finish()
		if errors.Is(err, index.ErrLocked) {
			return handOffIndex(cmd.Context(), c, cfg, err, args, *rebuildFlag, *force)
		}
		if errors.Is(err, index.ErrWouldLose) {
			return fmt.Errorf("%w with --force", err)
		}
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(c.stdout, formatSummary(sum)); err != nil {
			return err
		}
		return skippedError(sum)
	}
	return cmd
}

// clusterIndex is `folio index` on a cluster node (cluster.* set): only
// the node's own `folio serve` writes its directory, through the
// replicated log, so the command never opens the index; it hands the work
// to that server (a sync publishes the changed files' articles to the
// log, a rebuild replays the log into a new generation), or says what to
// do when it cannot.
func clusterIndex(ctx context.Context, c *cli, cfg config.Config, args []string, rebuild, force bool) error {
	what := "index"
	if rebuild {
		what = "rebuild"
	}
	node := fmt.Sprintf("%s is the index of a cluster node (cluster.* is set): only its `folio serve` writes it, through the replicated log", cfg.Index.Path)
	switch {
	case len(cfg.Server.AdminKeys) == 0:
		return fmt.Errorf("%s; set server.admin_keys (the same as the server's) so that this command can ask the server at server.addr %s to %s, or send articles to any node with POST /api/articles/_bulk", node, cfg.Server.Addr, what)
	case !canHandOff(index.ErrLocked, cfg, argsOrNil(args)):
		return fmt.Errorf("%s, and it syncs only the index's own inputs (index.sources), which %s %s not among; send other files to any node with POST /api/articles/_bulk", node, strings.Join(args, " "), plural(len(args), "is", "are"))
	}
	err := handOffIndex(ctx, c, cfg, index.ErrLocked, args, rebuild, force)
	if ne := (*net.OpError)(nil); errors.As(err, &ne) { // no server answered
		return fmt.Errorf("%w\n%s: start it on this node first (this command does not write the index itself)", err, node)
	}
	return err
}

// handOffIndex asks the server that holds the index to sync or rebuild it
// from index.sources, or explains what to do when it cannot.
func handOffIndex(ctx context.Context, c *cli, cfg config.Config, err error, args []string, rebuild, force bool) error {
	what, path := "index", "/api/admin/sync"
	if rebuild {
		what, path = "rebuild", "/api/admin/rebuild"
	}
	if !canHandOff(err, cfg, argsOrNil(args)) {
		return errNoHandoff(err, cfg, what, args...)
	}
	if force {
		path += "?force=true"
	}
	fmt.Fprintf(c.stderr, "the index is held by a running server; asking it to %s its inputs\n", what)
	out, herr := askServer(ctx, cfg, path, nil)
	if herr != nil {
		return herr
	}
	var r api.RebuildResponse
	if err := json.Unmarshal(out, &r); err != nil {
		return fmt.Errorf("unexpected answer from the server: %s", out)
	}
	web := ""
	if r.Fetched+r.NotModified > 0 {
		web = fmt.Sprintf(", %s URL documents fetched, %s not modified", commas(r.Fetched), commas(r.NotModified))
	}
	_, werr := fmt.Fprintf(c.stdout, "server indexed %s, %s skipped, %s deleted, %s unchanged files%s in %s; %s → %s articles\n",
		commas(r.Indexed), commas(r.Skipped), commas(r.Deleted), commas(r.Unchanged), web, formatDuration(time.Duration(r.TookMS)*time.Millisecond),
		commas(r.Before), commas(r.After))
	return werr
}

func argsOrNil(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	return args
}

// tuneIndexGC raises the Go GC target of a bulk load: analysis allocates
// heavily and briefly, and on Reuters GC target 400 cut `folio index`'s CPU
// by 15% (11.6 → 9.9 CPU-seconds). A 2 GiB soft memory limit, unless
// GOMEMLIMIT sets one, makes the GC work harder before the heap grows past
// it on large loads.
func tuneIndexGC(percent int) {
	if percent <= 0 {
		return
	}
	debug.SetGCPercent(percent)
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(2 << 30)
	}
}
