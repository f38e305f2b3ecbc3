package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

func newBackupCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup DEST",
		Short: "Copy the index to a new directory, consistently, even while it is served",
		Long: `Write a consistent copy of the index at index.path to DEST, a directory
that must not exist (its parent must) or must be empty, outside the index
and off /proc, /sys and /dev. A relative DEST is taken from the current
directory. If a running "folio serve" holds the index, the copy is made by
the server (POST /api/admin/backup, with DEST made absolute here) when
server.admin_keys and server.addr are configured. "folio serve --index DEST"
serves the copy.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().String("index", "", "index directory (index.path)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := c.loadConfig(cmd, map[string]string{"index.path": "index"})
		if err != nil {
			return err
		}
		opts, err := indexOptions(cfg)
		if err != nil {
			return err
		}
		dest, err := filepath.Abs(args[0])
		if err != nil {
			return err
		}
		ix, err := index.Open(opts)
		if errors.Is(err, index.ErrLocked) {
			if !canHandOff(err, cfg, nil) {
				return errNoHandoff(err, cfg, "back it up")
			}
			if _, err := askServer(cmd.Context(), cfg, "/api/admin/backup", api.BackupRequest{Dest: dest}); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "the server copied the index to %s\n", dest)
			return err
		}
		if err != nil {
			return err
		}
		err = ix.Backup(dest)
		if cerr := ix.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.stdout, "copied the index to %s\n", dest)
		return err
	}
	return cmd
}
