package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/folio-search/folio/index"
)

// metrics are the Prometheus metrics of one Server, in its own registry.
type metrics struct {
	requests      *prometheus.CounterVec   // by route, method, status
	duration      *prometheus.HistogramVec // by route, status
	search        prometheus.Histogram     // successful searches, in the index
	zeroResults   prometheus.Counter       // successful searches that found nothing
	rejected      *prometheus.CounterVec   // error responses other than 500, by error code
	ingestDocs    *prometheus.CounterVec   // by result: indexed, updated
	ingestSkipped *prometheus.CounterVec   // by InputError.Reason
	handler       http.Handler             // the exposition of the registry
}

// latencyBuckets span 0.5ms to about 16s, doubling.
func latencyBuckets() []float64 { return prometheus.ExponentialBuckets(0.0005, 2, 16) }

func newMetrics(s *Server) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_http_requests_total", Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "folio_http_request_duration_seconds", Help: "HTTP request latency by route template and status.",
			Buckets: latencyBuckets(),
		}, []string{"route", "status"}),
		search: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "folio_search_duration_seconds", Help: "Time spent in the index by successful searches (query, ranking, highlighting).",
			Buckets: latencyBuckets(),
		}),
		zeroResults: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "folio_search_zero_results_total", Help: "Successful searches through the API that found no article.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_http_rejected_requests_total", Help: "Requests answered with an error other than 500, by error code (invalid_query, rate_limited, overloaded, timeout, ...).",
		}, []string{"reason"}),
		ingestDocs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_ingest_documents_total", Help: "Documents written by ingests in this process, by result (indexed: new, updated: replaced).",
		}, []string{"result"}),
		ingestSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_ingest_skipped_total", Help: "Input files or records skipped by ingests in this process, by reason.",
		}, []string{"reason"}),
	}
	reg.MustRegister(
		m.requests, m.duration, m.search, m.zeroResults, m.rejected, m.ingestDocs, m.ingestSkipped,
		newIndexCollector(s),
		sourcesCollector{s: s, errors: prometheus.NewDesc("folio_source_errors_total",
			"Problems the syncs of each input found (skipped inputs, unreachable URLs, ...), by reason; kept with the index.",
			[]string{"source", "reason"}, nil)},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "folio_search_in_flight", Help: "Searches running now.",
		}, func() float64 { return float64(len(s.limit.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "folio_search_queued", Help: "Searches waiting for a slot now.",
		}, func() float64 { return float64(len(s.limit.queue)) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if rec := s.opts.Analytics; rec != nil {
		reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "folio_analytics_records_total", Help: "Search analytics records written to the store (searches and clicks).",
			}, func() float64 { c := rec.Counts(); return float64(c.Searches + c.Clicks) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "folio_analytics_dropped_total", Help: "Search analytics records dropped because the recorder's buffer (analytics.buffer) was full.",
			}, func() float64 { return float64(rec.Counts().Dropped) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "folio_analytics_failed_total", Help: "Search analytics records lost because the store failed to write them (see the log).",
			}, func() float64 { return float64(rec.Counts().Failed) }),
		)
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m
}

// observeRequest counts one finished request.
func (m *metrics) observeRequest(route, method string, status int, d time.Duration) {
	st := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, st).Inc()
	m.duration.WithLabelValues(route, st).Observe(d.Seconds())
}

// RecordIngest adds the outcome of an ingest run in this process (the
// start-up build of `folio serve`) to the ingest counters.
func (s *Server) RecordIngest(sum index.IngestSummary) {
	s.m.ingestDocs.WithLabelValues("indexed").Add(float64(sum.Indexed))
	s.m.ingestDocs.WithLabelValues("updated").Add(float64(sum.Updated))
	for reason, n := range sum.SkippedByReason {
		s.m.ingestSkipped.WithLabelValues(reason).Add(float64(n))
	}
}

// indexCollector reports the index's readiness, document count and size on
// disk, computed at scrape time.
type indexCollector struct {
	s                 *Server
	ready, docs, size *prometheus.Desc
}

func newIndexCollector(s *Server) indexCollector {
	return indexCollector{
		s:     s,
		ready: prometheus.NewDesc("folio_index_ready", "1 when the index is open and answering, else 0.", nil, nil),
		docs:  prometheus.NewDesc("folio_index_documents", "Articles in the index.", nil, nil),
		size:  prometheus.NewDesc("folio_index_size_bytes", "Size of the index's files on disk.", nil, nil),
	}
}

// Describe sends the descriptors of the index metrics.
func (ic indexCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- ic.ready
	ch <- ic.docs
	ch <- ic.size
}

// Collect reads the index now; a metric that cannot be read is left out.
func (ic indexCollector) Collect(ch chan<- prometheus.Metric) {
	ix, err := ic.s.index()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(ic.ready, prometheus.GaugeValue, 0)
		return
	}
	n, err := ix.Count()
	ready := 1.0
	if err != nil {
		ready = 0
	} else {
		ch <- prometheus.MustNewConstMetric(ic.docs, prometheus.GaugeValue, float64(n))
	}
	ch <- prometheus.MustNewConstMetric(ic.ready, prometheus.GaugeValue, ready)
	if size, err := ix.DiskSize(); err == nil {
		ch <- prometheus.MustNewConstMetric(ic.size, prometheus.GaugeValue, float64(size))
	}
}

// sourcesCollector reports the problems of every source of the index, by
// reason, read at scrape time from the statuses the index keeps.
type sourcesCollector struct {
	s      *Server
	errors *prometheus.Desc
}

// Describe sends the descriptor of folio_source_errors_total.
func (sc sourcesCollector) Describe(ch chan<- *prometheus.Desc) { ch <- sc.errors }

// Collect reads the sources' statuses now; none without an index.
func (sc sourcesCollector) Collect(ch chan<- prometheus.Metric) {
	ix, err := sc.s.index()
	if err != nil {
		return
	}
	statuses, err := ix.Sources()
	if err != nil {
		return
	}
	for _, st := range statuses {
		for reason, n := range st.ErrorsTotal {
			ch <- prometheus.MustNewConstMetric(sc.errors, prometheus.CounterValue, float64(n), st.Source, reason)
		}
	}
}
