package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/server/analytics"
	"github.com/folio-search/folio/server/api"
)

// newAnalyticsPurgeCmd is `folio analytics purge --before DATE`.
func newAnalyticsPurgeCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "purge --before DATE",
		Short: "Delete every search (and its clicks) recorded before a date",
		Long: `Delete every search recorded before DATE (a day means its first instant,
in index.timezone), with the clicks on it. The retention sweep of the
server does the same with now - analytics.retention every hour. While
"folio serve" holds the store, the server is asked to purge it
(DELETE /api/admin/analytics?before=DATE, with the first of
server.admin_keys; in a cluster, every node that answers: those that do
not are named, purge again).`,
		Args: cobra.NoArgs,
	}
	analyticsFlags(cmd, false)
	cmd.Flags().String("before", "", "delete the searches made before this date (required)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		v, _ := cmd.Flags().GetString("before")
		if v == "" {
			return errors.New("--before DATE is required: purge deletes everything recorded before that date")
		}
		db, cfg, err := c.openAnalytics(cmd)
		if err != nil && !askable(err, cfg) {
			return err
		}
		if db != nil {
			defer db.Close()
		}
		opts, oerr := indexOptions(cfg)
		if oerr != nil {
			return oerr
		}
		before, perr := analytics.ParseBound(opts.Dates, v, false)
		if perr != nil {
			return fmt.Errorf("--before: %w", perr)
		}
		var n int
		var nodes *api.ReportNodes
		if db == nil { // the server holds the store: ask it to purge
			out, err := askAnalytics(cmd, cfg, http.MethodDelete, "/api/admin/analytics?"+url.Values{"before": {v}}.Encode())
			if err != nil {
				return err
			}
			var p api.AnalyticsPurge
			if err := json.Unmarshal(out, &p); err != nil {
				return fmt.Errorf("the server's purge answer: %w", err)
			}
			n, before, nodes = p.Deleted, p.Before, p.Nodes
		} else if n, err = db.Delete(before); err != nil {
			return err
		}
		if _, err = fmt.Fprintf(c.stdout, "deleted %d searches recorded before %s\n", n, before.Format(time.RFC3339)); err != nil || nodes == nil {
			return err
		}
		// In a cluster: whose stores that counts, and those to purge again.
		_, err = fmt.Fprintf(c.stdout, "on nodes %s\n", strings.Join(nodes.Answered, ", "))
		if err == nil && len(nodes.Missing)+len(nodes.Failed) > 0 {
			not := slices.Concat(nodes.Missing, slices.Sorted(maps.Keys(nodes.Failed)))
			_, err = fmt.Fprintf(c.stdout, "not purged (did not answer or failed; purge again): %s\n", strings.Join(not, ", "))
		}
		return err
	}
	return cmd
}
