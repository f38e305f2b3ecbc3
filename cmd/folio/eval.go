package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/eval"
	"github.com/folio-search/folio/server"
)

func newEvalCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eval --queries Q.tsv --qrels R.tsv [--index PATH | --corpus C.jsonl.gz]",
		Short: "Measure ranking quality against relevance judgments",
		Long: `Run every query of a test collection through the same search code as
GET /api/search?q=TEXT (same parameter checks, parsing, tiers, boosts and
analyzers; the shipped defaults unless --param or the configuration say
otherwise) and print nDCG@10, MAP (top 1000), Recall@100 and MRR@10
averaged over the queries, with trec_eval's definitions.

--param NAME=VALUE adds a parameter of GET /api/search to every query (for
example --param mode=text, or a matching option); configuration keys are
set as usual (--config, FOLIO_* variables). --words sends each query as its
lower-cased words without punctuation (how ../shared/relevance's reference
figures were measured). A query the API would refuse
with 400 (text that is not valid query syntax) ranks nothing and is counted
as refused.

Formats: queries are "id<TAB>text" lines; qrels are
"query_id<TAB>doc_id<TAB>grade" lines (grade 0 = not relevant). With --corpus,
a temporary index is built from the given files first (any format "folio
index" reads) and removed afterwards; otherwise the index at --index
(index.path) is used.`,
		Example: `  folio eval --queries ../shared/relevance/scifact/queries.tsv \
    --qrels ../shared/relevance/scifact/qrels.tsv \
    --corpus ../shared/relevance/scifact/corpus.jsonl.gz`,
		Args: cobra.NoArgs,
	}
	queriesPath := cmd.Flags().String("queries", "", "queries file: id<TAB>text per line (required)")
	qrelsPath := cmd.Flags().String("qrels", "", "judgments file: query_id<TAB>doc_id<TAB>grade per line (required)")
	corpus := cmd.Flags().StringSlice("corpus", nil, "build a temporary index from these files instead of using --index")
	jsonOut := cmd.Flags().Bool("json", false, "print the metrics as JSON")
	words := cmd.Flags().Bool("words", false, "send each query as its words (lower-cased, punctuation replaced by spaces), as the reference figures were measured")
	params := cmd.Flags().StringArray("param", nil, "a GET /api/search parameter NAME=VALUE added to every query (repeatable)")
	cmd.Flags().String("index", "", "index directory (index.path)")
	// Variants for tuning (testdata/relevance/RESULTS.md); the defaults are Folio's settings.
	cmd.Flags().Float64("title-boost", 0, "weight of title matches (index.title_boost)")
	cmd.Flags().Float64("k1", 0, "BM25 k1 (search.bm25_k1)")
	cmd.Flags().Float64("b", 0, "BM25 b (search.bm25_b)")
	tier := cmd.Flags().Bool("tier", false, "rank documents containing every query word first (as syntax mode does)")
	bleveAvgDL := cmd.Flags().Bool("bleve-avgdl", false, "score with bleve's own BM25 average field length instead of the true one")
	cmd.RunE = func(cmd *cobra.Command, args []string) (err error) {
		if *queriesPath == "" || *qrelsPath == "" {
			return errors.New("eval needs --queries FILE and --qrels FILE")
		}
		cfg, err := c.loadConfig(cmd, map[string]string{"index.path": "index", "index.title_boost": "title-boost", "search.bm25_k1": "k1", "search.bm25_b": "b"})
		if err != nil {
			return err
		}
		opts, err := indexOptions(cfg)
		if err != nil {
			return err
		}
		base, err := evalQuery(*params, cfg.Search.MaxQueryLength)
		if err != nil {
			return err
		}
		queries, err := readFile(*queriesPath, eval.ReadQueries)
		if err != nil {
			return err
		}
		if *words {
			for i := range queries {
				queries[i].Text = eval.Words(queries[i].Text)
			}
		}
		qrels, err := readFile(*qrelsPath, eval.ReadQrels)
		if err != nil {
			return err
		}
		// Evaluation reads the top 1000 hits of every query: fetch them in
		// pages of that size (the same Search, fewer round trips).
		opts.MaxSize = 1000
		opts.TextTier = *tier
		opts.BleveAvgDL = *bleveAvgDL
		var ix *index.Index
		if len(*corpus) > 0 {
			dir, err := os.MkdirTemp("", "folio-eval-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			opts.Path = dir + "/index"
			if ix, err = index.Create(opts); err != nil {
				return err
			}
			start := time.Now()
			sum, err := ix.Ingest(cmd.Context(), *corpus, index.IngestOptions{Strict: true})
			if err != nil {
				ix.Close()
				return err
			}
			fmt.Fprintf(c.stderr, "indexed %d documents in %s\n", sum.Indexed+sum.Updated, time.Since(start).Round(time.Millisecond))
		} else {
			ix, err = index.Open(opts)
			if errors.Is(err, index.ErrNoIndex) {
				return fmt.Errorf("%w (build it with `folio index`, or pass --corpus)", err)
			}
			if err != nil {
				return err
			}
		}
		defer func() {
			if cerr := ix.Close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("close index: %w", cerr))
			}
		}()
		start := time.Now()
		m, err := ix.Evaluate(cmd.Context(), base, queries, qrels)
		if err != nil {
			return err
		}
		if *jsonOut {
			return json.NewEncoder(c.stdout).Encode(m)
		}
		return printMetrics(c.stdout, m, time.Since(start))
	}
	return cmd
}

// evalQuery is the search every query of an evaluation runs with: the
// parameters NAME=VALUE read as GET /api/search reads them (q is each
// query's text, size and page are the evaluation's).
func evalQuery(params []string, maxQueryLength int) (index.Query, error) {
	v := url.Values{}
	for _, p := range params {
		name, value, ok := strings.Cut(p, "=")
		switch {
		case !ok || name == "":
			return index.Query{}, fmt.Errorf("--param %q: want NAME=VALUE, a parameter of GET /api/search (e.g. mode=text)", p)
		case name == "q" || name == "size" || name == "page" || name == "cursor":
			return index.Query{}, fmt.Errorf("--param %q: %s is set by the evaluation for each query", p, name)
		}
		v.Add(name, value)
	}
	q, err := server.SearchQuery(v, maxQueryLength)
	if err != nil {
		return q, fmt.Errorf("--param: %w", err)
	}
	q.Visible = index.AllArticles() // relevance is judged over every article
	return q, nil
}

// readFile opens path and reads it with read, which names path in its errors.
func readFile[T any](path string, read func(io.Reader, string) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	return read(f, path)
}

func printMetrics(w io.Writer, m eval.Metrics, took time.Duration) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "metric\tvalue\n")
	fmt.Fprintf(tw, "nDCG@10\t%.4f\n", m.NDCG10)
	fmt.Fprintf(tw, "MAP@1000\t%.4f\n", m.MAP)
	fmt.Fprintf(tw, "Recall@100\t%.4f\n", m.Recall)
	fmt.Fprintf(tw, "MRR@10\t%.4f\n", m.MRR10)
	fmt.Fprintf(tw, "queries\t%d\n", m.Queries)
	if m.Refused > 0 {
		fmt.Fprintf(tw, "refused (400: not valid query syntax), scored 0\t%d (first: %s)\n", m.Refused, m.FirstRefusal)
	}
	if m.Skipped > 0 {
		fmt.Fprintf(tw, "skipped (no relevant judgment)\t%d\n", m.Skipped)
	}
	fmt.Fprintf(tw, "time\t%s\n", took.Round(time.Millisecond))
	return tw.Flush()
}
