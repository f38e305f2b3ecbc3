# Folio — build, run and test. `make run` and `make test` are all a fresh clone needs.
GO      ?= go
BIN     := bin/folio
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
REUTERS := ../shared/corpora/reuters21578/articles.jsonl.gz

.PHONY: build run test vet fmt-check bench clean relevance

## build: the static binary bin/folio (pure Go, CGO_ENABLED=0)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/folio

## run: build, index testdata/articles (idempotent), serve on 127.0.0.1:8080
run: build
	./$(BIN) index
	./$(BIN) serve

## test: formatting and vet checks, then the whole suite with the race detector
test: fmt-check vet
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## bench: Go benchmarks (benchstat-compatible output)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./index ./server | tee bench.out

clean:
	rm -rf bin data bench.out

SCIFACT ?= ../shared/relevance/scifact

## relevance: nDCG@10, MAP, Recall@100, MRR@10 of the default settings on SciFact
relevance: build
	./$(BIN) eval --queries $(SCIFACT)/queries.tsv --qrels $(SCIFACT)/qrels.tsv --corpus $(SCIFACT)/corpus.jsonl.gz
