package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/server"
)

func newSearchCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search [flags] QUERY...",
		Short: "Search the index from the command line",
		Long: `Search the index and print the ranked hits with their snippets. The words of
QUERY are joined by spaces and use the same query syntax as the API's q
parameter ("exact phrase", +required, -excluded, title:word). Without a query,
all articles are listed, newest first.

With --json, the output is exactly the body GET /api/search would return.`,
		Example: `  folio search '"Diamond Hexagon"'
  folio search --from 2024-01-01 --sort -date cambodia
  folio search --json oil prices | jq '.hits[].id'`,
		Args: cobra.ArbitraryArgs,
	}
	var q index.Query
	cmd.Flags().StringVar(&q.From, "from", "", "only articles dated on or after this date (e.g. 2024-12-01)")
	cmd.Flags().StringVar(&q.To, "to", "", "only articles dated on or before this date (a bare day includes the whole day)")
	cmd.Flags().IntVar(&q.Size, "size", 0, "hits per page (default search.default_size, at most search.max_size)")
	cmd.Flags().IntVar(&q.Page, "page", 1, "page of results, from 1")
	cmd.Flags().StringVar(&q.Sort, "sort", index.SortRelevance, `order: "relevance", "date" (oldest first) or "-date" (newest first)`)
	cmd.Flags().StringVar(&q.Mode, "mode", "", `"syntax" (default: query syntax) or "text" (plain words; no character is syntax)`)
	cmd.Flags().StringVar(&q.Cursor, "cursor", "", "continue after the page that returned this cursor (see --json)")
	cmd.Flags().StringSliceVar(&q.Facets, "facets", nil, "count values of these fields over all matches (date, source, author, tags, index.keyword_fields); shown with --json")
	cmd.Flags().StringArrayVar(&q.Filters, "filter", nil, "only articles with this field:value (e.g. source:Reuters); repeatable")
	jsonOut := cmd.Flags().Bool("json", false, "print the API's JSON response")
	token := cmd.Flags().String("token", "", "search as the reader of this token (server.token_keys verify it); default: every article")
	cmd.Flags().String("index", "", "index directory (index.path)")
	cmd.RunE = func(cmd *cobra.Command, args []string) (err error) {
		cfg, err := c.loadConfig(cmd, map[string]string{"index.path": "index"})
		if err != nil {
			return err
		}
		opts, err := indexOptions(cfg)
		if err != nil {
			return err
		}
		ix, err := index.Open(opts)
		if errors.Is(err, index.ErrNoIndex) {
			return fmt.Errorf("%w (build it with `folio index`)", err)
		}
		if err != nil {
			return err
		}
		defer func() {
			if cerr := ix.Close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("close index: %w", cerr))
			}
		}()

		q.Text = strings.Join(args, " ")
		q.Visible = index.AllArticles() // an operator reading the index's files sees every article
		if *token != "" {
			r, err := server.VerifyToken(serverOptions(cfg), *token)
			if err != nil {
				return fmt.Errorf("--token: %w", err)
			}
			q.Visible = r.Visible
		}
		res, err := ix.Search(cmd.Context(), q)
		if pe := (*index.ParamError)(nil); errors.As(err, &pe) {
			return paramError(pe)
		}
		if err != nil {
			return err
		}
		if *jsonOut {
			return json.NewEncoder(c.stdout).Encode(server.NewSearchResponse(res))
		}
		return printResult(c.stdout, res, isTerminal(c.stdout))
	}
	return cmd
}

// paramError names the flag (or the query) that a *index.ParamError is about.
func paramError(pe *index.ParamError) error {
	name := "--" + pe.Param
	if pe.Param == "q" {
		name = "query"
	}
	return fmt.Errorf("invalid %s: %s", name, pe.Message)
}

// printResult writes res for people: a header, then per hit its rank, title,
// date, id and score, then its snippets. On a terminal, matches are bold
// yellow; otherwise the text is plain.
func printResult(w io.Writer, res *index.Result, tty bool) error {
	pages := 1
	if res.Size > 0 && res.Total > 0 {
		pages = int((res.Total + uint64(res.Size) - 1) / uint64(res.Size))
	}
	what := `for "` + res.Query + `"`
	switch {
	case res.Query == "":
		what = "(all articles)"
	case strings.Contains(res.Query, `"`):
		what = "for '" + res.Query + "'"
	}
	fmt.Fprintf(w, "%s %s %s, page %d of %d (%s)\n", commas(int(res.Total)), plural(int(res.Total), "result", "results"),
		what, res.Page, pages, formatDuration(res.Took))
	for i, h := range res.Hits {
		rank := (res.Page-1)*res.Size + i + 1
		title := strings.TrimSpace(cleanText(h.Title))
		if len(h.Highlights.Title) > 0 {
			title = strings.TrimSpace(renderSnippet(h.Highlights.Title[0], tty))
		}
		if title == "" {
			title = "(untitled)"
		}
		date := "undated"
		if !h.Date.IsZero() {
			date = h.Date.Format("2006-01-02")
		}
		fmt.Fprintf(w, "\n%3d. %s\n     %s  %s  score %.3f\n", rank, title, date, cleanText(h.ID), h.Score)
		for _, s := range h.Highlights.Body {
			fmt.Fprintf(w, "     %s\n", strings.TrimSpace(renderSnippet(s, tty)))
		}
	}
	if res.Page < pages {
		fmt.Fprintf(w, "\nmore: --page %d\n", res.Page+1)
	}
	return nil
}

const (
	markOn  = "\x1b[1;33m" // bold yellow
	markOff = "\x1b[0m"
)

// renderSnippet turns a highlight (HTML-escaped text where only <mark>…</mark>
// is markup) into terminal text: marks become bold yellow when tty is set and
// disappear otherwise; entities are unescaped and control characters from the
// article (newlines, escape sequences) become spaces.
func renderSnippet(s string, tty bool) string {
	var b strings.Builder
	for s != "" {
		i := strings.Index(s, "<")
		if i < 0 {
			i = len(s)
		}
		b.WriteString(cleanText(html.UnescapeString(s[:i])))
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "<mark>"):
			s = s[len("<mark>"):]
			if tty {
				b.WriteString(markOn)
			}
		case strings.HasPrefix(s, "</mark>"):
			s = s[len("</mark>"):]
			if tty {
				b.WriteString(markOff)
			}
		case s != "": // a "<" that is not a mark tag; cannot happen in escaped text
			b.WriteByte('<')
			s = s[1:]
		}
	}
	return b.String()
}

// cleanText replaces control characters with spaces and collapses runs of spaces.
func cleanText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
