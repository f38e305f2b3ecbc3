# Folio — build, run and test. `make run` and `make test` are all a fresh clone needs.
GO      ?= go
BIN     := bin/folio
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
REUTERS := ../shared/corpora/reuters21578/articles.jsonl.gz

.PHONY: build run test vet fmt-check pure-check browser-check bench bench-crawl clean crash cluster-crash cluster-model cluster-figures fuzz soak relevance

## build: the static binary bin/folio (pure Go, CGO_ENABLED=0)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/folio

## run: build, index testdata/articles (idempotent), serve on 127.0.0.1:8080
run: build
	./$(BIN) index
	./$(BIN) serve

## test: formatting, vet and pure-package checks, then the whole suite with the race detector
## (the browser tests in server/ need Chromium; without it they are skipped, and
## FOLIO_BROWSER_TESTS=required turns that skip into a failure, as in .ci/run)
## (-timeout 20m per package: the suite takes a few minutes on 2 idle cores, but
## the index package alone took over 10 minutes under -race at load 25)
test: fmt-check vet pure-check browser-check
	$(GO) test -race -count=1 -timeout 20m ./...

browser-check:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then \
		if [ "$$FOLIO_BROWSER_TESTS" = required ]; then echo "FOLIO_BROWSER_TESTS=required but no Chromium is installed (apt-get install chromium)"; exit 1; fi; \
		echo "NOTE: no Chromium found: the browser tests (server/browser_test.go) will be SKIPPED; apt-get install chromium to run them"; \
	fi

vet:
	$(GO) vet ./...

## pure-check: the pure packages (PURE, one word each) import neither bleve nor
## the Folio packages above them (index, index/internal, server, config, cmd);
## NOBLEVE packages (config) import no bleve package
PURE := index/article index/article/extract index/eval
NOBLEVE := config
pure-check:
	@for p in $(PURE); do \
	  deps=$$($(GO) list -deps ./$$p) || exit 1; \
	  bad=$$(echo "$$deps" | grep -E 'blevesearch|^github.com/folio-search/folio/(index|index/internal/.*|server.*|config|cmd/.*)$$'); \
	  if [ -n "$$bad" ]; then echo "$$p must stay pure but depends on $$(echo "$$bad" | wc -l) such packages, e.g.:"; echo "$$bad" | head -3; exit 1; fi; \
	done
	@for p in $(NOBLEVE); do \
	  n=$$($(GO) list -deps ./$$p | grep -c blevesearch); \
	  if [ "$$n" != 0 ]; then echo "$$p must not depend on bleve but pulls in $$n bleve packages"; exit 1; fi; \
	done

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## bench: Go benchmarks (benchstat-compatible output)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./index ./server | tee bench.out

## bench-crawl: pages per second of a loopback crawl of a 2,000-page sitemap into a new index (fetch, extraction, writes)
bench-crawl:
	$(GO) test -run '^$$' -bench 'BenchmarkSyncSitemap' -benchtime 3x -count 3 ./index

## fuzz: every fuzz target for FUZZTIME each (seeds in <pkg>/testdata/fuzz/<FuzzName>/)
FUZZTIME ?= 5m
FUZZ_TARGETS := index/article:FuzzParseText index/article:FuzzParseJSON index/article:FuzzDateParse server:FuzzSearchParams index/internal/sources/web:FuzzParseSitemap
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t#*:}; \
	  echo "== $$name (./$$pkg, $(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
	done

## soak: 16 clients for 10 minutes on the Reuters index (scripts/soak.sh; not part of test)
soak:
	./scripts/soak.sh

clean:
	rm -rf bin data bench.out

## crash: 200 kill -9 cycles of folio serve under writes, bulk requests and rebuilds (make test runs 20)
crash:
	$(GO) test -run '^TestCrashRecovery$$' -count=1 -timeout 60m -v ./cmd/folio -args -crash.cycles=200

## cluster-crash: 200 kill -9 cycles of a node of a three-node cluster under writes (make test runs 20;
## TestClusterExternal, the same against an external NATS cluster, runs 3 of them)
cluster-crash:
	$(GO) test -run '^TestClusterNodes$$' -count=1 -timeout 60m -v ./cmd/folio -args -cluster.cycles=200

## cluster-model: the seeded random model test of a three-node cluster (writes, deletes, bulks, kill -9,
## quorum loss, checked against the acknowledged state) with 1500 operations and 5 quorum losses
## (make test runs 150 and 1); MODEL_SEED=N replays the run whose log printed seed N
MODEL_SEED ?= 0
cluster-model:
	$(GO) test -run '^TestClusterModel$$' -count=1 -timeout 60m -v ./cmd/folio -args -cluster.model.steps=1500 -cluster.model.quorum_losses=5 -cluster.model.time=30m -cluster.model.seed=$(MODEL_SEED)

## cluster-figures: a three-node cluster on loopback: bulk ingest, search QPS idle and while ingesting, rejoin
## time from the log alone and from a backup (scripts/cluster-figures.sh; not part of test);
## SCALES="1 10" adds 10x Reuters, REPS, DUR, CLIENTS, TAIL tune it
cluster-figures:
	./scripts/cluster-figures.sh

SCIFACT ?= ../shared/relevance/scifact
CRANFIELD ?= ../shared/relevance/cranfield
## RELEVANCE_ARGS: more `folio eval` flags for every run, e.g. --param match=any
RELEVANCE_ARGS ?=

## relevance: nDCG@10, MAP, Recall@100, MRR@10 of the shipped defaults on SciFact and Cranfield,
## through the default /api/search path (query words, as the reference figures were measured),
## then through mode=text (testdata/relevance/RESULTS.md)
relevance: build
	@for c in $(SCIFACT) $(CRANFIELD); do \
	  for p in "" "--param mode=text"; do \
	    echo "== $$(basename $$c): GET /api/search?q=WORDS$${p:+ (}$${p#--param }$${p:+)} $(RELEVANCE_ARGS)"; \
	    ./$(BIN) eval --words $$p $(RELEVANCE_ARGS) --queries $$c/queries.tsv --qrels $$c/qrels.tsv --corpus $$c/corpus.jsonl.gz || exit 1; \
	  done; \
	done
