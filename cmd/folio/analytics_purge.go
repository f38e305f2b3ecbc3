package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/server/analytics"
)

// newAnalyticsPurgeCmd is `folio analytics purge --before DATE`.
func newAnalyticsPurgeCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "purge --before DATE",
		Short: "Delete every search (and its clicks) recorded before a date",
		Long: `Delete every search recorded before DATE (a day means its first instant,
in index.timezone), with the clicks on it. The retention sweep of the
server does the same with now - analytics.retention every hour.`,
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
		if err != nil {
			return err
		}
		defer db.Close()
		opts, err := indexOptions(cfg)
		if err != nil {
			return err
		}
		before, err := analytics.ParseBound(opts.Dates, v, false)
		if err != nil {
			return fmt.Errorf("--before: %w", err)
		}
		n, err := db.Delete(before)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.stdout, "deleted %d searches recorded before %s\n", n, before.Format(time.RFC3339))
		return err
	}
	return cmd
}
