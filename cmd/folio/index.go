package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/index"
)

func newIndexCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "index [PATH...]",
		Short: "Add articles to the index, or rebuild it",
		Long: `Read articles from files and directories (default: index.sources) and add
them to the index at index.path, creating it if needed. An article indexed
again under the same id replaces the old one, so re-running is safe.

With --rebuild, a new index is built beside the live one and swapped in when
complete; on failure the live index is left untouched.

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
		opts, err := cfg.IndexOptions()
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

		report := &ingestReport{w: c.stderr, bar: isTerminal(c.stderr), logger: logger}
		var sum index.IngestSummary
		if *rebuildFlag {
			sum, err = rebuild(cmd.Context(), opts, paths, report.options(*strict))
		} else {
			sum, err = ingestInPlace(cmd.Context(), opts, paths, report.options(*strict), c.stderr)
		}
		report.finish()
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
