// Command folio is Folio's command-line interface: it builds the full-text
// index (folio index), serves the HTTP API (folio serve), searches from the
// terminal (folio search) and shows the effective configuration (folio config).
// This package only wires config, index and server together; no other
// package may import it, and it holds no logic of its own.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/folio-search/folio/config"
)

// version is set at link time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		// One "folio: " per line, so that every problem of a joined error stands out.
		fmt.Fprintln(os.Stderr, "folio: "+strings.ReplaceAll(err.Error(), "\n", "\nfolio: "))
		os.Exit(1)
	}
}

// run executes the command line args (without the program name), writing
// results to stdout and diagnostics to stderr, until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

// cli is what every subcommand shares: the output streams and the persistent flags.
type cli struct {
	stdout, stderr io.Writer
	configFile     string
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	c := &cli{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "folio",
		Short: "Folio is a full-text search service for articles",
		Long: `Folio indexes articles (text files with headers, JSON, JSON Lines) and
searches them from the command line or over an HTTP API.

Configuration is read from defaults, then the --config file (or folio.yaml in
the working directory), then FOLIO_* environment variables (FOLIO_SERVER_ADDR
for server.addr), then flags. Run "folio config" to see the result.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&c.configFile, "config", "", "configuration file (default: "+config.DefaultFile+" in the working directory, if present)")
	root.AddCommand(
		newServeCmd(c),
		newIndexCmd(c),
		newSearchCmd(c),
		newConfigCmd(c),
		newVersionCmd(c),
		newBackupCmd(c),
		newEvalCmd(c),
		newAnalyticsCmd(c),
		newTokenCmd(c),
	)
	return root
}

// loadConfig loads the configuration with the command's flags bound to keys:
// flagKeys maps a configuration key to the name of one of cmd's flags.
func (c *cli) loadConfig(cmd *cobra.Command, flagKeys map[string]string) (config.Config, error) {
	flags := make(map[string]*pflag.Flag, len(flagKeys))
	for key, name := range flagKeys {
		f := cmd.Flags().Lookup(name)
		if f == nil {
			return config.Config{}, fmt.Errorf("command %s has no --%s flag for %s", cmd.Name(), name, key)
		}
		flags[key] = f
	}
	return config.Load(config.LoadOptions{File: c.configFile, Flags: flags})
}

// newLogger returns the structured logger described by cfg, writing to w.
func newLogger(cfg config.LogConfig, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Level)); err != nil {
		return nil, fmt.Errorf("log.level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// isTerminal reports whether w is a terminal (and so may get colour and \r redraws).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}
