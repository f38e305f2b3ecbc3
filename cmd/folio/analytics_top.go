package main

import (
	"github.com/spf13/cobra"

	"github.com/folio-search/folio/server/analytics"
)

// newAnalyticsTopCmd is `folio analytics top`: the top queries.
func newAnalyticsTopCmd(c *cli) *cobra.Command {
	return reportCmd(c, "top", "Print the top queries: searches, mean hits, clicks, click-through rate, mean click position", "queries", analytics.Queries)
}
