# opswarehouse — see README.md. `make demo` runs the main job end to end;
# `make test` installs and starts the real services and runs the full suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := $(CURDIR)/bin
SERVICES := scripts/services.sh
# An execution count, not a duration: a -fuzztime duration races Go's fuzz
# coordinator at its deadline and fails with a bare "context deadline
# exceeded" (go.dev/issue/75804, fixed in Go 1.27).
FUZZTIME ?= 100000x
# Integration tests fail, never skip, when `make test` runs them.
export OPSW_REQUIRE_SERVICES := 1

.PHONY: all build services services-stop test test-go fuzz chaos chaos-negative bench-ingest pgo-ingester bench-sim bench-fingerprint bench-guard bench-emitter demo lint fmt clean eval-fingerprint eval bench-detect

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

services:
	$(SERVICES) install
	$(SERVICES) start

services-stop:
	$(SERVICES) stop

## test: the full suite on real services (what CI runs)
test: services build
	$(MAKE) lint
	$(MAKE) test-go
	$(MAKE) fuzz
	$(MAKE) chaos
	$(MAKE) chaos-negative

test-go:
	$(GO) test -count=1 -timeout 30m ./...

## fuzz: every fuzz target, briefly
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

## chaos: exactly-once under SIGKILLs, a ClickHouse outage and a broker restart
chaos: services build
	$(BIN)/chaos -bin $(BIN)

## chaos-negative: with deduplication disabled the same check must report duplicates
## (shorter: SIGKILLs alone make replays)
chaos-negative: services build
	$(BIN)/chaos -bin $(BIN) -negative-control -events 30000 -rate 3000 -kills 3 -clickhouse-down 0 -restart-kafka=false

bench-ingest: services build
	$(BIN)/benchingest

## pgo-ingester: refresh the ingester's profile-guided optimisation profile
## (cmd/ingester/default.pgo, used by every build) from two end-to-end runs
pgo-ingester: services build
	rm -rf .bench/pgo
	$(BIN)/benchingest -skip-kafka-engine -latency-for 5s -profile 10s -out .bench/pgo
	$(BIN)/benchingest -skip-kafka-engine -latency-for 5s -profile 10s -out .bench/pgo
	$(GO) tool pprof -proto .bench/pgo/*-ingester.cpu.pprof > cmd/ingester/default.pgo

## bench-emitter: Emit (caller cost, with its validate+scrub+encode baseline), end-to-end produce rate, intake requests
bench-emitter: services
	$(GO) test -run '^$$' -bench . -benchmem ./ingest/emitter/ ./ingest/intake/

bench-sim:
	$(GO) test -run '^$$' -bench . -benchmem ./ingest/sim/

## bench-guard: client-data guard on clean, dirty and adversarial text, with an event-decode yardstick
bench-guard:
	$(GO) test -run '^$$' -bench . -benchmem ./ingest/guard/

bench-fingerprint:
	$(GO) test -run '^$$' -bench . -benchmem ./aggregator/fingerprint/

## eval: the simulator's incident mix through the pipeline, detectors scored (docs/eval.md); EVAL_FLAGS=-duration=24h ... for a bigger run
eval: services build
	$(BIN)/aggregator eval $(EVAL_FLAGS)

## bench-detect: detector cycle time over 10M and 100M backfilled events (docs/benchmarks.md)
bench-detect: services build
	$(BIN)/aggregator bench-detect $(BENCH_DETECT_FLAGS)

eval-fingerprint:
	$(GO) test -count=1 -run TestLoghubAccuracy -v ./aggregator/fingerprint/

demo: services build
	scripts/demo.sh

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)
