package main

import (
	"github.com/spf13/cobra"

	"github.com/folio-search/folio/server/analytics"
)

// newAnalyticsTopCmd is `folio analytics top`: the top queries.
func newAnalyticsTopCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Print the top queries: searches, mean hits, clicks, click-through rate, mean click position",
		Args:  cobra.NoArgs,
	}
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
		rep, err := analytics.Queries(db, r, limit)
		if err != nil {
			return err
		}
		return analytics.WriteTable(c.stdout, rep.Rows)
	}
	return cmd
}
