package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server"
)

func newTokenCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token --groups GROUP,... [--sub NAME] [--ttl 1h] [--kid KID]",
		Short: "Print a reader token signed with a configured hs256 key",
		Long: `Print a reader token (a JWT) for the given groups, signed with an hs256 key
of server.token_keys (the first one, or --kid). A request that sends it in the
X-Folio-Token header sees the articles without groups and those sharing one of
these groups. For operators and tests: portals mint their own (docs/access.md).`,
		Example: `  folio token --groups hr,finance --sub alice --ttl 30m
  curl -H "X-Folio-Token: $(folio token --groups hr)" 'http://127.0.0.1:8080/api/search?q=payroll'`,
		Args: cobra.NoArgs,
	}
	groups := cmd.Flags().String("groups", "", "comma-separated groups of the reader (none: only the articles without groups)")
	sub := cmd.Flags().String("sub", "", "the reader's name (the sub claim; recorded by analytics when analytics.record_users is on)")
	ttl := cmd.Flags().Duration("ttl", time.Hour, "how long the token is valid (at most server.token_max_ttl)")
	kid := cmd.Flags().String("kid", "", "the kid of the hs256 key to sign with (default: the first hs256 key of server.token_keys)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := c.loadConfig(cmd, nil)
		if err != nil {
			return err
		}
		if *ttl <= 0 || *ttl > cfg.Server.TokenMaxTTL {
			return fmt.Errorf("--ttl must be above 0 and at most server.token_max_ttl (%s), got %s", cfg.Server.TokenMaxTTL, *ttl)
		}
		gs := article.SplitGroups(*groups)
		if err := article.CheckGroups(gs); err != nil {
			return fmt.Errorf("--groups: %w (%s)", err, article.GroupChars)
		}
		key, err := signingKey(serverOptions(cfg).TokenKeys, *kid)
		if err != nil {
			return err
		}
		tok, err := server.MintToken(key, gs, *sub, cfg.Server.TokenAudience, time.Now(), *ttl)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(c.stdout, tok)
		return err
	}
	return cmd
}

// signingKey is the hs256 key kid of keys, or the first hs256 key for "".
func signingKey(keys []server.TokenKey, kid string) (server.TokenKey, error) {
	for _, k := range keys {
		if (kid == "" && k.Alg == server.AlgHS256) || k.ID == kid {
			if k.Alg != server.AlgHS256 {
				return k, fmt.Errorf("--kid %s is an ed25519 public key: Folio can only sign with hs256 keys", kid)
			}
			return k, nil
		}
	}
	if kid != "" {
		return server.TokenKey{}, fmt.Errorf("--kid %s: no such key in server.token_keys", kid)
	}
	return server.TokenKey{}, errors.New("no hs256 key in server.token_keys to sign with (add one such as \"portal-2026: hs256:$(openssl rand -hex 32)\")")
}
