# Kanmon — the two commands are `make run` and `make test`; see README.md.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

GO       ?= go
BIN      := bin/kanmon
WASMPATH := $(PATH):$(shell $(GO) env GOROOT)/lib/wasm
# The demo configuration of the manual: the issuer authenticator apps show.
ISSUER   ?= 横浜市電子請求システム

.PHONY: build run test test-go test-wasm test-web test-e2e openapi openapi-check lint ui size bench clean

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

## ui: the SPA and the WASM helper into frontend/dist (embedded by go build)
ui: node_modules/.package-lock.json
	npm run build

## build: the kanmon binary with the SPA embedded
build: ui
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o $(BIN) ./cmd/kanmon

## run: build and start a dev server on http://localhost:8080 (SQLite under ./data)
run: build
	./$(BIN) serve --dev --issuer "$(ISSUER)"

## test: every test — Go (SQLite, and PostgreSQL when KANMON_TEST_POSTGRES_DSN is set), WASM under Node, SPA unit tests, OpenAPI freshness and lint, browser end to end
test: build openapi-check lint test-go test-wasm test-web test-e2e

test-go:
	$(GO) test -race -count=1 ./...

test-wasm:
	PATH="$(WASMPATH)" GOOS=js GOARCH=wasm $(GO) test -count=1 ./wasm/...

test-web: node_modules/.package-lock.json
	npm run typecheck
	npm test

test-e2e: build
	KANMON_BIN=$(CURDIR)/$(BIN) npm run e2e

lint:
	test -z "$$(gofmt -l api cmd wasm openapi frontend/*.go)" || { gofmt -l api cmd wasm openapi frontend/*.go; exit 1; }
	$(GO) vet ./...
	npm run lint:openapi

## openapi: regenerate openapi/ from the swag annotations in api/
openapi:
	$(GO) tool swag init --quiet -d api -g doc.go -o openapi --ot json
	$(GO) run ./cmd/openapi-gen openapi/swagger.json openapi/openapi.json

## openapi-check: fail when the committed openapi/ is not what the code generates
openapi-check:
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) tool swag init --quiet -d api -g doc.go -o "$$tmp" --ot json; \
	$(GO) run ./cmd/openapi-gen "$$tmp/swagger.json" "$$tmp/openapi.json"; \
	diff -u openapi/swagger.json "$$tmp/swagger.json" && diff -u openapi/openapi.json "$$tmp/openapi.json" \
	  || { echo "openapi/ is stale: run make openapi and commit it"; exit 1; }

## size: bytes of the first screen and the WASM, raw and compressed
size: ui
	npm run size
	bash scripts/wasm-size.sh

clean:
	rm -rf bin frontend/dist frontend/public/wasm
