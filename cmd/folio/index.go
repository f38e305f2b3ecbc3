package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"time"

	"github.com/folio-search/folio/config"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/index"
)

func newIndexCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "index [PATH...]",
		Short: "Add articles to the index, or rebuild it",
		Long: `Read articles from files and directories (default: index.sources) and add
them to the index at index.path, creating it if needed. An article indexed
again under the same id replaces the old one, so re-running is safe. A folder
indexed before is synced: only new and modified files are read, and the
articles of files that disappeared are deleted (the state is kept in the
index directory).

With --rebuild, a new index is built beside the live one and swapped in when
complete; on failure the live index is left untouched.

If a running "folio serve" holds the index, the work is handed to it
(POST /api/admin/sync or /api/admin/rebuild) when server.admin_keys and
server.addr are configured and no PATH differs from index.sources; otherwise
the command says what to do.

Every skipped input is printed to stderr as path:line: problem. The command
fails if anything was skipped; with --strict it stops at the first problem.`,
		Args: cobra.ArbitraryArgs,
	}
	rebuildFlag := cmd.Flags().Bool("rebuild", false, "build a fresh index from the inputs and swap it in atomically")
	strict := cmd.Flags().Bool("strict", false, "stop at the first bad file or record")
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
		paths := args
		if len(paths) == 0 {
			paths = cfg.Index.Sources
		}
		if len(paths) == 0 {
			return errors.New("nothing to index: give PATH arguments or set index.sources")
		}

		tuneIndexGC(cfg.Index.GCPercent)
		if opts.Shards == 0 { // auto: only a new index takes it
			opts.Shards = index.ShardsFor(paths)
		}
		report := &ingestReport{w: c.stderr, bar: isTerminal(c.stderr), logger: logger}
		var sum index.IngestSummary
		if *rebuildFlag {
			sum, err = rebuild(cmd.Context(), opts, paths, report.options(*strict))
		} else {
			sum, err = ingestInPlace(cmd.Context(), opts, paths, report.options(*strict), c.stderr)
		}
		report.finish()
		if errors.Is(err, index.ErrLocked) {
			return handOffIndex(cmd.Context(), c, cfg, err, args, *rebuildFlag)
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

// handOffIndex asks the server that holds the index to sync or rebuild it
// from index.sources, or explains what to do when it cannot.
func handOffIndex(ctx context.Context, c *cli, cfg config.Config, err error, args []string, rebuild bool) error {
	what, path := "index", "/api/admin/sync"
	if rebuild {
		what, path = "rebuild", "/api/admin/rebuild"
	}
	if !canHandOff(err, cfg, argsOrNil(args)) {
		return errNoHandoff(err, cfg, what+" (only index.sources can be handed to the server; other files can be sent with POST /api/articles/_bulk)")
	}
	fmt.Fprintf(c.stderr, "the index is held by a running server; asking it to %s index.sources\n", what)
	out, herr := askServer(ctx, cfg, path, nil)
	if herr != nil {
		return herr
	}
	var r handedOff
	if err := json.Unmarshal(out, &r); err != nil {
		return fmt.Errorf("unexpected answer from the server: %s", out)
	}
	_, werr := fmt.Fprintf(c.stdout, "server indexed %s, %s skipped, %s deleted, %s unchanged files in %s\n",
		commas(r.Indexed), commas(r.Skipped), commas(r.Deleted), commas(r.Unchanged), formatDuration(time.Duration(r.TookMS)*time.Millisecond))
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
