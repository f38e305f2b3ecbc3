package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/folio-search/folio/config"
	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server/api"
)

// errNoHandoff explains what to do when the index is held by a running
// server and the work (on paths, when given) cannot be handed to it,
// leading with the reason: paths that are not the server's inputs, or no
// admin key on this side.
func errNoHandoff(err error, cfg config.Config, what string, paths ...string) error {
	if len(paths) > 0 && !slices.Equal(paths, cfg.Index.SourcePaths()) {
		return fmt.Errorf("%w\ncannot %s %s while the server runs: the server syncs and rebuilds only the index's own inputs (index.sources), and %s %s not among them; send other files to the server with POST /api/articles/_bulk, or stop the server",
			err, what, strings.Join(paths, " "), strings.Join(paths, " "), plural(len(paths), "is", "are"))
	}
	return fmt.Errorf("%w\nto %s while the server runs, set server.admin_keys (the same as the server's) so that this command can ask the server at server.addr %s to do it, or stop the server", err, what, cfg.Server.Addr)
}

// askServer hands the work to the running server that holds the index:
// POST path on server.addr with the first admin key and body (JSON, may be
// nil). It returns the response body of a 2xx, else an error with the
// server's message.
func askServer(ctx context.Context, cfg config.Config, path string, body any) ([]byte, error) {
	return callServer(ctx, cfg, http.MethodPost, path, body)
}

// callServer is askServer with any method.
func callServer(ctx context.Context, cfg config.Config, method, path string, body any) ([]byte, error) {
	host, port, err := net.SplitHostPort(cfg.Server.Addr)
	if err != nil {
		return nil, err
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	url := "http://" + net.JoinHostPort(host, port) + strings.TrimRight(cfg.Server.BasePath, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Server.AdminKeys[0])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask the server at %s: %w", url, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var e api.ErrorResponse
		json.Unmarshal(out, &e) // a body that is not an error body leaves the message empty
		return nil, fmt.Errorf("the server at %s answered %s: %s", url, resp.Status, e.Error.Message)
	}
	return out, nil
}

// canHandOff reports whether err says the index is held by another process
// and the work (on paths) can be given to the server: an admin key is
// configured and paths are the server's index.sources.
func canHandOff(err error, cfg config.Config, paths []string) bool {
	return errors.Is(err, index.ErrLocked) && len(cfg.Server.AdminKeys) > 0 &&
		(paths == nil || slices.Equal(paths, cfg.Index.SourcePaths()))
}
