package main

import (
	"github.com/spf13/cobra"

	"github.com/folio-search/folio/server/analytics"
)

// newAnalyticsZeroCmd is `folio analytics zero`: the queries that found nothing.
func newAnalyticsZeroCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "zero",
		Short: "Print the top queries that found nothing, with the did-you-mean Folio offered",
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
		rep, err := analytics.ZeroResults(db, r, limit)
		if err != nil {
			return err
		}
		return analytics.WriteTable(c.stdout, rep.Rows)
	}
	return cmd
}
