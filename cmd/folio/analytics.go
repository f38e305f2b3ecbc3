package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/config"
	"github.com/folio-search/folio/server/analytics"
)

// newAnalyticsCmd is `folio analytics`: the search analytics of the index
// at index.path, read from its store directly (top, zero, purge; one file
// each). bbolt lets one process at a time open the store, so while `folio
// serve` runs the commands fail with a clear error pointing at the
// server's report endpoints.
func newAnalyticsCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "analytics",
		Short: "Show or purge the search analytics (top queries, zero-result queries)",
		Long: `Read the search analytics recorded in <index.path>/analytics: the top
queries, the queries that found nothing, or purge old records. The store
is read directly, so the server must not be running ("folio serve" holds
it); while it runs, read the same reports from the server:
GET /api/admin/analytics/queries and /api/admin/analytics/zero-results.`,
	}
	cmd.AddCommand(newAnalyticsTopCmd(c), newAnalyticsZeroCmd(c), newAnalyticsPurgeCmd(c))
	return cmd
}

// analyticsFlags adds the flags the analytics subcommands share.
func analyticsFlags(cmd *cobra.Command, ranged bool) {
	cmd.Flags().String("index", "", "index directory (index.path)")
	if ranged {
		cmd.Flags().String("from", "", "count searches made at or after this date (forms of search's --from); default: all")
		cmd.Flags().String("to", "", "count searches made up to this date (a day includes that day); default: all")
		cmd.Flags().Int("limit", 20, "most rows to print (1 to 1000)")
	}
}

// openAnalytics loads the configuration and opens the analytics store of
// index.path, failing at once when a running server holds it.
func (c *cli) openAnalytics(cmd *cobra.Command) (*analytics.DB, config.Config, error) {
	cfg, err := c.loadConfig(cmd, map[string]string{"index.path": "index"})
	if err != nil {
		return nil, cfg, err
	}
	file := analytics.File(cfg.Index.Path)
	if _, err := os.Stat(file); err != nil {
		return nil, cfg, fmt.Errorf("no search analytics at %s: `folio serve` records them there while analytics.enabled is true (%w)", file, err)
	}
	db, err := analytics.Open(file, time.Second) // a running server holds the lock: fail within a second
	if err != nil {
		return nil, cfg, fmt.Errorf("%w\nstop the server, or read the reports from it: GET /api/admin/analytics/queries (see README, Analytics)", err)
	}
	return db, cfg, nil
}

// analyticsRange reads --from, --to and --limit in the date forms of the
// index (index.timezone, index.date_layouts).
func analyticsRange(cmd *cobra.Command, cfg config.Config) (analytics.Range, int, error) {
	opts, err := indexOptions(cfg)
	if err != nil {
		return analytics.Range{}, 0, err
	}
	var r analytics.Range
	bound := func(flag string, end bool) (time.Time, error) {
		v, _ := cmd.Flags().GetString(flag)
		t, err := analytics.ParseBound(opts.Dates, v, end)
		if err != nil {
			return t, fmt.Errorf("--%s: %w", flag, err)
		}
		return t, nil
	}
	if r.From, err = bound("from", false); err != nil {
		return r, 0, err
	}
	if r.To, err = bound("to", true); err != nil {
		return r, 0, err
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return r, 0, fmt.Errorf("--to must be after --from")
	}
	limit, _ := cmd.Flags().GetInt("limit")
	if limit < 1 || limit > analytics.MaxReportRows {
		return r, 0, fmt.Errorf("--limit must be from 1 to %d rows, got %d", analytics.MaxReportRows, limit)
	}
	return r, limit, nil
}

// reportCmd is an analytics subcommand (use, short) that prints one report,
// the rows report returns for --from, --to and --limit, as a table.
func reportCmd[R analytics.Row](c *cli, use, short string, report func(analytics.Store, analytics.Range, int) (analytics.Report[R], error)) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs}
	analyticsFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		db, cfg, err := c.openAnalytics(cmd)
		if err != nil {
			return err
		}
		defer db.Close()
		r, limit, err := analyticsRange(cmd, cfg)
		if err != nil {
			return err
		}
		rep, err := report(db, r, limit)
		if err != nil {
			return err
		}
		return analytics.WriteTable(c.stdout, rep.Rows)
	}
	return cmd
}
