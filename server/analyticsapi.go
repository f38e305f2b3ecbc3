package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/analytics"
	"github.com/folio-search/folio/server/api"
)

// The analytics reports (GET /api/admin/analytics/...): each node records
// its own searches in its own store; a report adds up this node's part
// (analytics.Compute) and, in a cluster, the parts the other nodes answer
// (index.AskNodes, scatter-gather over NATS), naming the nodes missing.

// Report limits: the rows a report returns by default and at most.
const (
	defaultReportRows = 100
	maxReportRows     = analytics.MaxReportRows
)

// reportFlushWait bounds how long a report waits for the records still in
// the recorder's buffer to be written, so that it counts the searches made
// just before it; past it, the report reads what is written.
const reportFlushWait = 2 * time.Second

// errAnalyticsOff is the answer of the reports when analytics are disabled.
var errAnalyticsOff = &apiError{Status: http.StatusNotFound, Code: "analytics_disabled",
	Message: "search analytics are disabled on this server (analytics.enabled: false)"}

// reportRequest is a report's parsed parameters.
type reportRequest struct {
	rg    analytics.Range
	limit int
	step  time.Duration // volume only
	name  string        // volume only: the interval's name
}

// reportParams parses the parameters of a report; accepted are from, to
// and, per report, limit or interval. Each error names the parameter.
func (s *Server) reportParams(c echo.Context, accepted ...string) (reportRequest, error) {
	if s.opts.Analytics == nil {
		return reportRequest{}, errAnalyticsOff
	}
	if err := onlyParams(c, append([]string{"from", "to"}, accepted...)...); err != nil {
		return reportRequest{}, err
	}
	r := reportRequest{limit: defaultReportRows, step: 24 * time.Hour, name: "day"}
	var err error
	for _, b := range []struct {
		param string
		end   bool
		t     *time.Time
	}{{"from", false, &r.rg.From}, {"to", true, &r.rg.To}} {
		if *b.t, err = s.reportBound(c, b.param, b.end); err != nil {
			return r, err
		}
	}
	if !r.rg.From.IsZero() && !r.rg.To.IsZero() && !r.rg.From.Before(r.rg.To) {
		return r, bad("to", "to (%s) must be after from (%s)", c.QueryParam("to"), c.QueryParam("from"))
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxReportRows {
			return r, bad("limit", "limit must be a whole number of rows from 1 to %d, got %q", maxReportRows, v)
		}
		r.limit = n
	}
	if v := c.QueryParam("interval"); v != "" {
		step, ok := analytics.Intervals[v]
		if !ok {
			return r, bad("interval", "interval must be day or hour, got %q", v)
		}
		r.step, r.name = step, v
	}
	s.flushAnalytics(c) // count the searches made just before
	return r, nil
}

// bad is a 400 naming param.
func bad(param, format string, a ...any) error {
	return &index.ParamError{Kind: index.ErrInvalidParameter, Param: param, Message: fmt.Sprintf(format, a...)}
}

// onlyParams refuses a query parameter not in known, or given twice.
func onlyParams(c echo.Context, known ...string) error {
	for name, values := range c.QueryParams() {
		if !slices.Contains(known, name) {
			return bad(clipParam(name), "unknown parameter %q (accepted: %v)", clipParam(name), known)
		}
		if len(values) > 1 {
			return bad(name, "%s is given %d times; give it once", name, len(values))
		}
	}
	return nil
}

// reportBound parses the date parameter param (see analytics.ParseBound).
func (s *Server) reportBound(c echo.Context, param string, end bool) (time.Time, error) {
	dates := s.opts.Dates
	if dates == nil {
		dates = article.DefaultDateParser()
	}
	t, err := analytics.ParseBound(dates, c.QueryParam(param), end)
	if err != nil {
		return t, bad(param, "%s: %v", param, err)
	}
	return t, nil
}

// flushAnalytics writes what the recorder's buffer holds, waiting at most
// reportFlushWait (past it, the caller goes on with what is written).
func (s *Server) flushAnalytics(c echo.Context) {
	ctx, cancel := context.WithTimeout(c.Request().Context(), reportFlushWait)
	defer cancel()
	_ = s.opts.Analytics.Flush(ctx)
}

// handleAnalyticsPurge serves DELETE /api/admin/analytics?before=DATE: it
// deletes the searches this node recorded before DATE, with their clicks
// (what `folio analytics purge` asks of a running server, which holds the
// store). In a cluster it asks every other node to purge its store too
// and names the nodes that did not (a purge is idempotent: ask again).
func (s *Server) handleAnalyticsPurge(c echo.Context) error {
	if s.opts.Analytics == nil {
		return errAnalyticsOff
	}
	if err := onlyParams(c, "before"); err != nil {
		return err
	}
	if c.QueryParam("before") == "" {
		return bad("before", "before=DATE is required: the searches recorded before DATE are deleted")
	}
	before, err := s.reportBound(c, "before", false)
	if err != nil {
		return err
	}
	asked, err := s.askOthers(c, analytics.Request{Report: analytics.ReportPurge, To: before})
	if err != nil {
		return err
	}
	s.flushAnalytics(c) // the searches still in the buffer are purged too
	n, err := s.opts.Analytics.Store().Delete(before)
	if err != nil {
		if asked != nil {
			<-asked
		}
		return err
	}
	out := api.AnalyticsPurge{Before: before, Deleted: n}
	if asked != nil {
		out.Nodes = s.gather(c, analytics.ReportPurge, <-asked, func(data []byte) error {
			var a analytics.PurgeAnswer
			if err := json.Unmarshal(data, &a); err != nil {
				return fmt.Errorf("a node's purge answer: %w", err)
			}
			out.Deleted += a.Deleted
			return nil
		})
	}
	s.log.InfoContext(c.Request().Context(), "analytics purged", "before", before, "deleted_searches", out.Deleted, "nodes", out.Nodes)
	return c.JSON(http.StatusOK, out)
}

// handleQueryReport serves GET /api/admin/analytics/queries: the top queries.
func (s *Server) handleQueryReport(c echo.Context) error {
	r, err := s.reportParams(c, "limit")
	if err != nil {
		return err
	}
	parts, nodes, err := s.reportParts(c, r, analytics.ReportQueries)
	if err != nil {
		return err
	}
	rep := analytics.QueryRows(parts, r.limit)
	return sendReport(c, analytics.ReportQueries, r, nodes, rep.Rows, rep.Truncated)
}

// handleZeroReport serves GET /api/admin/analytics/zero-results: the top
// queries that found nothing, with the did-you-mean Folio offered.
func (s *Server) handleZeroReport(c echo.Context) error {
	r, err := s.reportParams(c, "limit")
	if err != nil {
		return err
	}
	parts, nodes, err := s.reportParts(c, r, analytics.ReportZeroResults)
	if err != nil {
		return err
	}
	rep := analytics.ZeroRows(parts, r.limit)
	return sendReport(c, analytics.ReportZeroResults, r, nodes, rep.Rows, rep.Truncated)
}

// handleVolumeReport serves GET /api/admin/analytics/volume: searches and
// the share that found nothing, per day or hour.
func (s *Server) handleVolumeReport(c echo.Context) error {
	r, err := s.reportParams(c, "interval")
	if err != nil {
		return err
	}
	parts, nodes, err := s.reportParts(c, r, analytics.ReportVolume) // a node's part may have too many buckets too
	var rows []analytics.VolumeRow
	if err == nil {
		rows, err = analytics.VolumeRows(parts, r.rg, r.step)
	}
	if errors.Is(err, analytics.ErrTooManyBuckets) {
		return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "interval", Message: err.Error()}
	}
	if err != nil {
		return err
	}
	return sendReport(c, analytics.ReportVolume, r, nodes, rows, slices.ContainsFunc(parts, func(p analytics.Part) bool { return p.Truncated }))
}

// handleArticleReport serves GET /api/admin/analytics/articles: the most
// opened articles and the queries they were opened from.
func (s *Server) handleArticleReport(c echo.Context) error {
	r, err := s.reportParams(c, "limit")
	if err != nil {
		return err
	}
	parts, nodes, err := s.reportParts(c, r, analytics.ReportArticles)
	if err != nil {
		return err
	}
	rep := analytics.ArticleRows(parts, r.limit)
	return sendReport(c, analytics.ReportArticles, r, nodes, rep.Rows, rep.Truncated)
}

// askingNodes is what a cluster node adds to Index for the reports
// (index.Index in cluster mode; test doubles need not have it).
type askingNodes interface {
	Clustered() bool
	AskNodes(ctx context.Context, req []byte) (index.NodeAnswers, error)
}

// askNodesWait bounds how long a report waits for the other nodes' parts;
// a node that has not answered by then is reported missing.
const askNodesWait = 3 * time.Second

// reportParts returns the parts of report: this node's and, in a cluster,
// every other node's (asked while this one computes its own), with which
// nodes answered (nil on a single node).
func (s *Server) reportParts(c echo.Context, r reportRequest, report string) ([]analytics.Part, *api.ReportNodes, error) {
	q := analytics.Request{Report: report, From: r.rg.From, To: r.rg.To}
	if report == analytics.ReportVolume {
		q.Step = r.step
	}
	asked, err := s.askOthers(c, q)
	if err != nil {
		return nil, nil, err
	}
	local, err := analytics.Compute(s.opts.Analytics.Store(), q)
	if asked == nil || err != nil {
		if asked != nil {
			<-asked
		}
		return []analytics.Part{local}, nil, err
	}
	parts := []analytics.Part{local}
	nodes := s.gather(c, report, <-asked, func(data []byte) error {
		p, err := analytics.DecodePart(data)
		if err == nil {
			parts = append(parts, p)
		}
		return err
	})
	return parts, nodes, nil
}

// askOthers sends q to the cluster's other nodes (bounded by
// askNodesWait) and returns where their answers will be; nil on a single
// node.
func (s *Server) askOthers(c echo.Context, q analytics.Request) (<-chan index.NodeAnswers, error) {
	ix, err := s.index()
	if err != nil {
		return nil, nil
	}
	an, ok := ix.(askingNodes)
	if !ok || !an.Clustered() {
		return nil, nil
	}
	req, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	asked := make(chan index.NodeAnswers, 1)
	parent := c.Request().Context() // not c in the goroutine: echo pools its contexts
	go func() {
		ctx, cancel := context.WithTimeout(parent, askNodesWait)
		defer cancel()
		a, err := an.AskNodes(ctx, req)
		if err != nil {
			a.NodesErr = err
		}
		asked <- a
	}()
	return asked, nil
}

// gather reads the other nodes' answers a to request what: take is given
// each reply's data (an error it returns marks the node failed), and the
// nodes that answered, failed or are missing are returned and logged.
func (s *Server) gather(c echo.Context, what string, a index.NodeAnswers, take func(data []byte) error) *api.ReportNodes {
	nodes := &api.ReportNodes{Answered: []string{a.Self}, Missing: a.Missing}
	for _, rep := range a.Replies {
		if rep.Err == "" {
			if err := take(rep.Data); err != nil {
				rep.Err = err.Error()
			}
		}
		if rep.Err != "" {
			if nodes.Failed == nil {
				nodes.Failed = map[string]string{}
			}
			nodes.Failed[rep.Node] = rep.Err
			continue
		}
		nodes.Answered = append(nodes.Answered, rep.Node)
	}
	slices.Sort(nodes.Answered)
	if nodes.Missing == nil {
		nodes.Missing = []string{}
	}
	if a.NodesErr != nil {
		nodes.Error = "the cluster's nodes could not all be asked; this answer counts only the nodes answered: " + a.NodesErr.Error()
	}
	if len(nodes.Missing) > 0 || len(nodes.Failed) > 0 {
		s.log.WarnContext(c.Request().Context(), "analytics without every node", "request", what, "missing", nodes.Missing, "failed", nodes.Failed)
	}
	return nodes
}

// sendReport answers rows as CSV when the request accepts text/csv, else
// as JSON under "rows" with the range (and interval) echoed.
func sendReport[R analytics.Row](c echo.Context, name string, r reportRequest, nodes *api.ReportNodes, rows []R, truncated bool) error {
	if rows == nil {
		rows = []R{}
	}
	if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv") {
		if nodes != nil { // CSV has no room for them: headers say which nodes counted
			c.Response().Header().Set("Folio-Nodes-Answered", strings.Join(nodes.Answered, ","))
			c.Response().Header().Set("Folio-Nodes-Missing", strings.Join(nodes.Missing, ","))
		}
		c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		c.Response().Header().Set(echo.HeaderContentDisposition, `inline; filename="folio-`+name+`.csv"`)
		c.Response().WriteHeader(http.StatusOK)
		return analytics.WriteCSV(c.Response(), rows)
	}
	out := api.AnalyticsReport{Report: name, Truncated: truncated, Nodes: nodes, Rows: rows}
	if !r.rg.From.IsZero() {
		out.From = &r.rg.From
	}
	if !r.rg.To.IsZero() {
		out.To = &r.rg.To
	}
	if name == analytics.ReportVolume {
		out.Interval = r.name
	}
	return c.JSON(http.StatusOK, out)
}
