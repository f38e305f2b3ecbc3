package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/config"
	"github.com/folio-search/folio/server/analytics"
)

// newAnalyticsCmd is `folio analytics`: the search analytics of the index
// at index.path (top, zero, purge; one file each), read from its store
// directly. bbolt lets one process at a time open the store, so while
// `folio serve` holds it the commands ask the server instead (its report
// endpoints and DELETE /api/admin/analytics, with the first of
// server.admin_keys), or, without an admin key, fail at once saying so.
func newAnalyticsCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "analytics",
		Short: "Show or purge the search analytics (top queries, zero-result queries)",
		Long: `Read the search analytics recorded in <index.path>/analytics: the top
queries, the queries that found nothing, or purge old records. The store
is read directly when no server runs; while "folio serve" holds it, the
commands ask the server at server.addr with the first of server.admin_keys
(GET /api/admin/analytics/queries or zero-results, DELETE
/api/admin/analytics?before=DATE): in a cluster, top and zero then count
every node, and purge purges every node that answers (those that do not
are named: purge again).`,
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
// index.path. When a running server holds it, the error wraps
// analytics.ErrLocked and, without an admin key to ask the server with,
// says what to do; it never waits more than a second.
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
	if errors.Is(err, analytics.ErrLocked) && len(cfg.Server.AdminKeys) == 0 {
		return nil, cfg, fmt.Errorf("%w\nset server.admin_keys (the same as the server's) so that this command asks the server at server.addr %s, stop the server, or read the reports from it: GET /api/admin/analytics/queries (see README, Analytics)", err, cfg.Server.Addr)
	}
	return db, cfg, err
}

// askable reports whether err, from openAnalytics, says a running server
// holds the store and the server can be asked instead (an admin key is set).
func askable(err error, cfg config.Config) bool {
	return errors.Is(err, analytics.ErrLocked) && len(cfg.Server.AdminKeys) > 0
}

// serverWait bounds a request to the running server.
const serverWait = time.Minute

// askAnalytics asks the running server for what the store, which it
// holds, would have answered: method on path with the first admin key.
func askAnalytics(cmd *cobra.Command, cfg config.Config, method, path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(cmd.Context(), serverWait)
	defer cancel()
	out, err := callServer(ctx, cfg, method, path, nil)
	if err != nil {
		return nil, fmt.Errorf("the analytics store is held by the running server, and asking it failed: %w", err)
	}
	return out, nil
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
// the rows report returns for --from, --to and --limit, as a table; while
// a server holds the store it prints the rows of the server's endpoint
// GET /api/admin/analytics/<endpoint> instead.
func reportCmd[R analytics.Row](c *cli, use, short, endpoint string, report func(analytics.Store, analytics.Range, int) (analytics.Report[R], error)) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs}
	analyticsFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		db, cfg, err := c.openAnalytics(cmd)
		if err != nil && !askable(err, cfg) {
			return err
		}
		if db != nil {
			defer db.Close()
		}
		r, limit, rerr := analyticsRange(cmd, cfg)
		if rerr != nil {
			return rerr
		}
		if db == nil { // the server holds the store: ask it
			v := url.Values{"limit": {strconv.Itoa(limit)}}
			for _, f := range []string{"from", "to"} {
				if s, _ := cmd.Flags().GetString(f); s != "" {
					v.Set(f, s)
				}
			}
			out, err := askAnalytics(cmd, cfg, http.MethodGet, "/api/admin/analytics/"+endpoint+"?"+v.Encode())
			if err != nil {
				return err
			}
			var rep struct {
				Rows []R `json:"rows"`
			}
			if err := json.Unmarshal(out, &rep); err != nil {
				return fmt.Errorf("the server's %s report: %w", endpoint, err)
			}
			return analytics.WriteTable(c.stdout, rep.Rows)
		}
		rep, err := report(db, r, limit)
		if err != nil {
			return err
		}
		return analytics.WriteTable(c.stdout, rep.Rows)
	}
	return cmd
}
