# quotekit — make help lists the targets.
SHELL := /bin/bash
export CGO_ENABLED := 1

GO            ?= go
GOLANGCI_LINT := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
GOVULNCHECK   := golang.org/x/vuln/cmd/govulncheck@v1.9.0
BENCH_COUNT   ?= 6
FUZZTIME      ?= 2m
BENCH         ?= .
BENCH_PKGS    ?= ./...

.PHONY: help
help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: generate
generate: ## Regenerate the code generated from the contract and from the Connector interface.
	$(GO) generate ./openapi/... ./connector/

.PHONY: check-generate
check-generate: generate ## Fail when the checked-in generated code differs from the contract.
	@git diff --exit-code -- . || { echo "generated code is stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- .)" || { git status --porcelain -- .; echo "untracked generated files"; exit 1; }

.PHONY: run
run: ## Start the shared-secret sample on http://127.0.0.1:8080 (console on :8090) with its data under ./var/.
	$(GO) run ./examples/sharedsecret --dev --http

.PHONY: run-jwt
run-jwt: ## Start the JWT sample on http://127.0.0.1:8081 (trusts the test key in testdata/keys).
	$(GO) run ./examples/jwt --dev --http --addr 127.0.0.1:8081 --db var/jwt/quotekit.db

.PHONY: check-samples
check-samples: ## Start both samples on loopback and run 'quotekit check' against each.
	bash scripts/check-samples.sh

.PHONY: test
test: ## Run every test with the race detector.
	$(GO) test -race -count=1 ./...

.PHONY: update-golden
update-golden: ## Rewrite testdata/golden from the current responses (review the diff!).
	$(GO) test ./server/ -run TestEveryOperation -update

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (default 2m; FUZZ=regexp narrows the set).
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

.PHONY: lint
lint: ## gofmt, go vet and golangci-lint (.golangci.yml; generated code excluded).
	@files=$$(git ls-files '*.go' | grep -v '\.gen\.go$$') || { echo "lint: no Go files listed"; exit 1; }; \
	  unformatted=$$(gofmt -l $$files) || { echo "gofmt failed (see above)"; exit 1; }; \
	  test -z "$$unformatted" || { echo "gofmt needed: $$unformatted"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags quotekit_crashtest ./server/sqlite/
	$(GO) run $(GOLANGCI_LINT) run ./...

.PHONY: vuln
vuln: ## Check dependencies against the Go vulnerability database (needs its network).
	$(GO) run $(GOVULNCHECK) ./...

.PHONY: soak
soak: ## Drive the shared-secret sample with a NetServer call mix for SOAK_DURATION (default 10m).
	bash scripts/soak.sh

.PHONY: bench
bench: ## Run the Go benchmarks (BENCH_COUNT runs each, for benchstat; narrow with BENCH=regexp BENCH_PKGS=./server/).
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCH_COUNT) $(BENCH_PKGS)

.PHONY: bench-load
bench-load: ## HTTP load on quotekit and a bare echo baseline with wrk, ratios per target, into var/bench/results.md.
	scripts/bench-load.sh
