package main

import (
	"github.com/spf13/cobra"
)

func newConfigCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration as YAML",
		Long: `Print the configuration folio would use, after defaults, the configuration
file, FOLIO_* environment variables and flags, as YAML that can be saved as
folio.yaml. Invalid settings are reported, each with its key. Admin keys
(server.admin_keys) and literal header values of URL sources (index.sources)
are shown as "<redacted>" unless --show-secrets is given.`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().String("index", "", "index directory (index.path)")
	showSecrets := cmd.Flags().Bool("show-secrets", false, "print server.admin_keys instead of <redacted>")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := c.loadConfig(cmd, map[string]string{"index.path": "index"})
		if err != nil {
			return err
		}
		if !*showSecrets {
			keys := make([]string, len(cfg.Server.AdminKeys))
			for i := range keys {
				keys[i] = "<redacted>"
			}
			cfg.Server.AdminKeys = keys
			cfg.Index.Sources = cfg.Index.RedactedSources()
		}
		return cfg.WriteYAML(c.stdout)
	}
	return cmd
}
