package main

import (
	"github.com/spf13/cobra"

	"github.com/folio-search/folio/server/analytics"
)

// newAnalyticsZeroCmd is `folio analytics zero`: the queries that found nothing.
func newAnalyticsZeroCmd(c *cli) *cobra.Command {
	return reportCmd(c, "zero", "Print the top queries that found nothing, with the did-you-mean Folio offered", "zero-results", analytics.ZeroResults)
}
