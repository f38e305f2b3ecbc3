package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/folio-search/folio/index"
	"github.com/folio-search/folio/index/article"
	"github.com/folio-search/folio/server/api"
)

// Writer is the part of Index that the write and admin routes use.
type Writer interface {
	// DecodeArticle validates one JSON object as file ingest does; defaultID is the id from the path.
	DecodeArticle(b []byte, defaultID string) (article.Article, error)
	// Put writes one article once persisted and reports whether its id was new.
	Put(ctx context.Context, a article.Article) (bool, error)
	// PutJSON writes one object or an array of objects, with per-element results.
	PutJSON(ctx context.Context, body []byte) ([]index.WriteResult, error)
	// Delete removes one article, or returns an error wrapping index.ErrNotFound.
	Delete(ctx context.Context, id string) error
	// Bulk writes NDJSON from r, emitting per-line results batch by batch.
	Bulk(ctx context.Context, r io.Reader, maxLine int, emit func([]index.WriteResult) error) error
	// Rebuild builds a new index from paths beside the live one and swaps it in.
	Rebuild(ctx context.Context, paths []string, opts index.IngestOptions) (index.IngestSummary, error)
	// Sync re-reads what changed in paths since the last sync.
	Sync(ctx context.Context, paths []string, opts index.IngestOptions) (index.IngestSummary, error)
	// InputsOr returns the inputs the index records, or fallback when it records none.
	InputsOr(fallback []string) ([]string, error)
	// Backup writes a consistent copy of the live index to a new directory.
	Backup(dest string) error
	// Sources returns what the syncs did per source (last sync, counts, last error).
	Sources() ([]index.SourceStatus, error)
}

// newWriteResult converts r into its JSON shape; array results carry their index.
func newWriteResult(r index.WriteResult, array bool) api.WriteResult {
	w := api.WriteResult{Line: r.Line, ID: r.ID, Status: r.Status, Ignored: r.Ignored, Seq: r.Seq}
	if array {
		w.Index = &r.Index
	}
	if r.Err != nil {
		w.Error = r.Err.Error()
	}
	return w
}

// countResults adds rs to the summary w.
func countResults(w *api.WriteSummary, rs []index.WriteResult) {
	for _, r := range rs {
		switch r.Status {
		case index.StatusCreated:
			w.Created++
		case index.StatusUpdated:
			w.Updated++
		default:
			w.Failed++
			w.Errors = true
		}
	}
}

// requireAdmin lets a request through only with "Authorization: Bearer
// <key>" naming one of the admin keys, compared in constant time. Without
// any key configured every write is refused (403): writes are never open.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.checkAdmin(c); err != nil {
			return err
		}
		ix, err := s.index()
		if err != nil {
			return err
		}
		c.Set(admittedKey, ix)
		return next(c)
	}
}

// checkAdmin accepts a request whose "Authorization: Bearer <key>" names
// one of the admin keys: 403 when none is configured, 401 otherwise.
func (s *Server) checkAdmin(c echo.Context) error {
	if len(s.adminKeys) == 0 {
		return echo.NewHTTPError(http.StatusForbidden, "writes are disabled: no admin key is configured; set server.admin_keys (or FOLIO_SERVER_ADMIN_KEYS) and send \"Authorization: Bearer <key>\"")
	}
	token, ok := bearer(c.Request().Header.Get(echo.HeaderAuthorization))
	if !ok || !s.isAdminKey(token) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="folio"`)
		return echo.NewHTTPError(http.StatusUnauthorized, "missing or wrong admin key: send \"Authorization: Bearer <key>\" with one of server.admin_keys")
	}
	return nil
}

// admittedKey is the echo context key under which requireAdmin leaves the
// index a request was admitted to write to.
const admittedKey = "folio.admitted"

// errNotAdmitted is the error of a write route registered without requireAdmin.
var errNotAdmitted = errors.New("write route registered without requireAdmin: no writer for this request")

// admitted returns the index that requireAdmin admitted this request to
// write to. On a route registered without requireAdmin there is none: it
// returns errNotAdmitted (500, logged), so such a route fails closed rather
// than writing without a key.
func admitted(c echo.Context) (Writer, error) {
	if ix, ok := c.Get(admittedKey).(Index); ok {
		return ix, nil
	}
	return nil, errNotAdmitted
}

// isAdminKey compares SHA-256 digests in constant time, so neither a key's
// content nor its length leaks through timing; every key is compared.
func (s *Server) isAdminKey(token string) bool {
	got := sha256.Sum256([]byte(token))
	match := 0
	for _, k := range s.adminKeys {
		match |= subtle.ConstantTimeCompare(got[:], k[:])
	}
	return match == 1
}

// readBody reads the whole request body, up to MaxBodyBytes (413 past it).
func (s *Server) readBody(c echo.Context) ([]byte, error) {
	r := http.MaxBytesReader(c.Response(), c.Request().Body, s.opts.MaxBodyBytes)
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, bodyError(err)
	}
	return b, nil
}

// bodyError is the error of a failed read of the request body: 413 past
// server.max_body_bytes; 408 when the body did not arrive within
// server.read_timeout; 499 (context.Canceled) when the connection closed
// before the body was complete, as when the client hangs up; else 400, a
// malformed body such as a bad chunked encoding.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes (server.max_body_bytes); send many articles with POST /api/articles/_bulk", mbe.Limit))
	case errors.Is(err, os.ErrDeadlineExceeded):
		return echo.NewHTTPError(http.StatusRequestTimeout, "the request body did not arrive within server.read_timeout")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: read request body: %w", context.Canceled, err)
	}
	return echo.NewHTTPError(http.StatusBadRequest, "cannot read the request body: "+err.Error())
}

// handlePutArticle serves PUT /api/articles/*: create or replace the article whose id is the rest of the path.
func (s *Server) handlePutArticle(c echo.Context) error {
	w, err := admitted(c)
	if err != nil {
		return err
	}
	id, err := articleID(c)
	if err != nil {
		return err
	}
	b, err := s.readBody(c)
	if err != nil {
		return err
	}
	a, err := w.DecodeArticle(b, id)
	if err != nil {
		return err
	}
	ctx, rec, cancel := s.writeContext(c)
	defer cancel()
	created, err := w.Put(ctx, a)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, api.WriteResult{ID: id, Status: index.StatusCreated, Seq: rec.Last()})
	}
	return c.JSON(http.StatusOK, api.WriteResult{ID: id, Status: index.StatusUpdated, Seq: rec.Last()})
}

// handlePostArticles serves POST /api/articles: one article object (201/200, 400 if invalid) or an array (200 with per-element results).
func (s *Server) handlePostArticles(c echo.Context) error {
	w, err := admitted(c)
	if err != nil {
		return err
	}
	b, err := s.readBody(c)
	if err != nil {
		return err
	}
	if t := strings.TrimSpace(string(b)); !strings.HasPrefix(t, "[") {
		a, err := w.DecodeArticle(b, "")
		if err != nil {
			return err
		}
		ctx, rec, cancel := s.writeContext(c)
		defer cancel()
		created, err := w.Put(ctx, a)
		if err != nil {
			return err
		}
		if created {
			return c.JSON(http.StatusCreated, api.WriteResult{ID: a.ID, Status: index.StatusCreated, Seq: rec.Last()})
		}
		return c.JSON(http.StatusOK, api.WriteResult{ID: a.ID, Status: index.StatusUpdated, Seq: rec.Last()})
	}
	ctx, rec, cancel := s.writeContext(c)
	defer cancel()
	res, err := w.PutJSON(ctx, b)
	if err != nil {
		return err
	}
	out := api.ArrayResponse{Results: make([]api.WriteResult, len(res))}
	countResults(&out.WriteSummary, res)
	out.Seq = rec.Last()
	for i, r := range res {
		out.Results[i] = newWriteResult(r, true)
	}
	return c.JSON(http.StatusOK, out)
}

// handleBulk serves POST /api/articles/_bulk: NDJSON in, one result line per
// input line out, streamed batch by batch, and a last api.WriteSummary line
// ("done" or "aborted"). The server's read and write timeouts apply to each
// read and write of the stream rather than to the whole request, so a bulk
// may run as long as both sides keep it moving.
func (s *Server) handleBulk(c echo.Context) error {
	w, err := admitted(c)
	if err != nil {
		return err
	}
	resp := c.Response()
	rc := http.NewResponseController(resp)
	// Results are written while the body is still read: without this,
	// HTTP/1.1 would consume the rest of the body when the status is sent.
	rc.EnableFullDuplex() // ErrNotSupported (HTTP/2, recorders): already full duplex or not needed
	body := &streamBody{r: c.Request().Body, rc: rc, timeout: s.opts.ReadTimeout}
	enc := json.NewEncoder(resp)
	var sum api.WriteSummary
	write := func(v any) error {
		// ErrNotSupported (a writer without deadlines) leaves no deadline to extend.
		rc.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
		return enc.Encode(v)
	}
	start := func() {
		if !resp.Committed {
			resp.Header().Set(echo.HeaderContentType, "application/x-ndjson")
			resp.WriteHeader(http.StatusOK)
		}
	}
	ctx, rec := index.WithSeqRecorder(s.batchContext(c.Request().Context()))
	err = w.Bulk(ctx, body, int(s.opts.MaxBodyBytes), func(rs []index.WriteResult) error {
		start()
		countResults(&sum, rs)
		sum.Seq = rec.Last()
		for _, r := range rs {
			if err := write(newWriteResult(r, false)); err != nil {
				return err
			}
		}
		resp.Flush()
		return nil
	})
	if err != nil && body.err != nil && errors.Is(err, body.err) {
		err = bodyError(body.err)
	}
	if err != nil && !resp.Committed {
		return err
	}
	start()
	sum.Status = "done"
	if err != nil {
		// The status is sent: end the stream with a line saying why it stopped.
		s.logFailure(c, slog.LevelError, err)
		sum.Status, sum.Errors, sum.Error = "aborted", true, "bulk stopped: "+publicWriteError(err)
	}
	write(sum)
	return nil
}

// streamBody is the body of a streamed request: each read extends the
// connection's read deadline by timeout, and it keeps the read error.
type streamBody struct {
	r       io.Reader
	rc      *http.ResponseController
	timeout time.Duration
	err     error
}

func (b *streamBody) Read(p []byte) (int, error) {
	b.rc.SetReadDeadline(time.Now().Add(b.timeout)) // ErrNotSupported: no deadline to extend
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// publicWriteError is what a client may see of a write failure.
func publicWriteError(err error) string {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return fmt.Sprint(he.Message) + "; later lines were not read"
	case errors.Is(err, context.Canceled):
		return "the request body ended early; later lines were not read"
	case errors.Is(err, index.ErrNoSpace):
		return "the index's disk is full; later lines were not written"
	case errors.Is(err, index.ErrNoQuorum):
		return "the replicated write log has no quorum; later lines were not written"
	case errors.Is(err, index.ErrWriteFailed):
		return "the index cannot be written; later lines were not written"
	}
	return "internal error; later lines were not written"
}

// handleDeleteArticle serves DELETE /api/articles/*: remove the article whose id is the rest of the path.
func (s *Server) handleDeleteArticle(c echo.Context) error {
	w, err := admitted(c)
	if err != nil {
		return err
	}
	id, err := articleID(c)
	if err != nil {
		return err
	}
	ctx, rec, cancel := s.writeContext(c)
	defer cancel()
	if err := w.Delete(ctx, id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.WriteResult{ID: id, Status: index.StatusDeleted, Seq: rec.Last()})
}

// writeContext is the context of a single write request: it records the
// write's log sequence (cluster mode) and ends a little before
// server.write_timeout, so a log without quorum is answered (503) in time.
func (s *Server) writeContext(c echo.Context) (context.Context, *index.SeqRecorder, context.CancelFunc) {
	ctx, rec := index.WithSeqRecorder(c.Request().Context())
	cancel := context.CancelFunc(func() {})
	if s.opts.WriteTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, s.opts.WriteTimeout*9/10)
	}
	return ctx, rec, cancel
}

// batchContext is the context of a write of many batches that may run
// longer than server.write_timeout (a bulk, a sync): each batch's write to
// a replicated log ends a little before server.write_timeout, so that a
// log without quorum is answered (503, or an aborted bulk stream) in time.
func (s *Server) batchContext(ctx context.Context) context.Context {
	if s.opts.WriteTimeout > 0 {
		ctx = index.WithWriteTimeout(ctx, s.opts.WriteTimeout*9/10)
	}
	return ctx
}

// newRebuildResponse converts sum into the body of a rebuild or a sync.
func newRebuildResponse(sum index.IngestSummary) api.RebuildResponse {
	return api.RebuildResponse{Indexed: sum.Indexed + sum.Updated, Skipped: sum.Skipped, Deleted: sum.Deleted, Unchanged: sum.Unchanged,
		Before: sum.Before, After: sum.After, TookMS: sum.Elapsed.Milliseconds(), Fetched: sum.Fetched, NotModified: sum.NotModified}
}

// refreshOptions returns the inputs of a sync or rebuild (those the index
// records, else index.sources) and its ingest options, with ?force=true.
func (s *Server) refreshOptions(c echo.Context, w Writer, what string) ([]string, index.IngestOptions, error) {
	var opts index.IngestOptions
	if f := c.QueryParam("force"); f != "" {
		force, err := strconv.ParseBool(f)
		if err != nil {
			return nil, opts, &index.ParamError{Kind: index.ErrInvalidParameter, Param: "force", Message: fmt.Sprintf("want true or false, got %q", f)}
		}
		opts.Force = force
	}
	paths, err := w.InputsOr(s.opts.Sources)
	if err != nil {
		return nil, opts, err
	}
	if r, ok := w.(replicated); ok && r.Clustered() && what == "rebuild" {
		paths = nil // a cluster node rebuilds from the log, not from files
	} else if len(paths) == 0 {
		return nil, opts, echo.NewHTTPError(http.StatusConflict, "nothing to "+what+": the index records no inputs and index.sources is empty")
	}
	opts.Problem = func(e *article.InputError) { s.log.Warn(what+": skipped input", "problem", e.Error()) }
	return paths, opts, nil
}

// handleSync serves POST /api/admin/sync[?force=true]: re-read what changed in the index's inputs since the last sync.
func (s *Server) handleSync(c echo.Context) error {
	return s.refresh(c, "sync", Writer.Sync)
}

// handleRebuild serves POST /api/admin/rebuild[?force=true]: rebuild from the index's inputs beside the live index and swap it in.
func (s *Server) handleRebuild(c echo.Context) error {
	return s.refresh(c, "rebuild", Writer.Rebuild)
}

// refresh runs a sync or a rebuild (what) over the index's inputs and
// answers its summary. It finishes even if the client goes away.
func (s *Server) refresh(c echo.Context, what string, run func(Writer, context.Context, []string, index.IngestOptions) (index.IngestSummary, error)) error {
	w, err := admitted(c)
	if err != nil {
		return err
	}
	paths, opts, err := s.refreshOptions(c, w, what)
	if err != nil {
		return err
	}
	// It may take longer than server.write_timeout (a rebuild of a large
	// index): the answer is written once it is done, however long that is
	// (ErrNotSupported, a writer without deadlines, has none to lift).
	http.NewResponseController(c.Response()).SetWriteDeadline(time.Time{})
	sum, err := run(w, s.batchContext(context.WithoutCancel(c.Request().Context())), paths, opts)
	if err != nil {
		return err
	}
	if what == "rebuild" {
		s.log.Info("rebuilt index", "inputs", paths, "from_log", paths == nil, "indexed", sum.Indexed+sum.Updated, "skipped", sum.Skipped, "before", sum.Before, "after", sum.After, "took", sum.Elapsed)
	}
	return c.JSON(http.StatusOK, newRebuildResponse(sum))
}

// handleSources serves GET /api/admin/sources: every input of the index
// (those it records, else index.sources), in order, with its last sync,
// counts and last error (null and zeros for one not synced yet).
func (s *Server) handleSources(c echo.Context) error {
	w, err := admitted(c)
	if err != nil {
		return err
	}
	inputs, err := w.InputsOr(s.opts.Sources)
	if err != nil {
		return err
	}
	statuses, err := w.Sources()
	if err != nil {
		return err
	}
	by := make(map[string]index.SourceStatus, len(statuses))
	for _, st := range statuses {
		by[st.Source] = st
	}
	out := api.SourcesResponse{Sources: make([]api.SourceStatus, 0, len(inputs))}
	for _, in := range inputs {
		out.Sources = append(out.Sources, newSourceStatus(in, by[in]))
	}
	return c.JSON(http.StatusOK, out)
}

// newSourceStatus converts the status st of the input source into its JSON shape.
func newSourceStatus(source string, st index.SourceStatus) api.SourceStatus {
	a := api.SourceStatus{Source: source, Kind: "files", TookMS: st.Took.Milliseconds(), Articles: st.Articles, Files: st.Files,
		Unchanged: st.Unchanged, Fetched: st.Fetched, NotModified: st.Unmodified, Errors: st.Errors,
		ErrorsTotal: st.ErrorsTotal, LastError: st.LastError}
	if index.IsURL(source) {
		a.Kind = "url"
	}
	if a.ErrorsTotal == nil {
		a.ErrorsTotal = map[string]int{}
	}
	if !st.LastSync.IsZero() {
		t := st.LastSync.UTC()
		a.LastSync = &t
	}
	if !st.LastErrorAt.IsZero() {
		t := st.LastErrorAt.UTC()
		a.LastErrorAt = &t
	}
	return a
}

// handleBackup serves POST /api/admin/backup {"dest": DIR}: copy the live index to a new directory on the server's disk.
func (s *Server) handleBackup(c echo.Context) error {
	w, err := admitted(c)
	if err != nil {
		return err
	}
	b, err := s.readBody(c)
	if err != nil {
		return err
	}
	var req api.BackupRequest
	if err := json.Unmarshal(b, &req); err != nil || strings.TrimSpace(req.Dest) == "" {
		return &index.ParamError{Kind: index.ErrInvalidParameter, Param: "dest", Message: `send {"dest": "/path/to/new/directory"}`}
	}
	start := time.Now()
	if err := w.Backup(req.Dest); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.BackupResponse{Dest: req.Dest, TookMS: time.Since(start).Milliseconds()})
}
