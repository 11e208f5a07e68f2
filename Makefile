# The two commands a newcomer needs: `make up` (the workspace + usage-logger sidecar, no API keys
# required) and `make test` (everything CI runs). Each target installs what it is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help
LLMDEV := node dist/cli/main.js

.PHONY: help deps build engine base-images up down status logs shell doctor test lint bench clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

deps: node_modules/.package-lock.json ## install npm dependencies (npm ci) when the lockfile changed

build: deps ## compile TypeScript to dist/
	npm run build

engine: ## make sure a Docker engine with Compose v2 answers (installs and starts one on a bare Debian machine)
	bash scripts/provision-engine.sh

base-images: engine ## build node:22-bookworm-slim locally when no registry answers (offline / air-gapped)
	bash scripts/build-base-images.sh

up: build base-images ## build and start the workspace and the usage-logger sidecar
	$(LLMDEV) up

down: build ## stop and remove the containers (keeps usage data; `make down ARGS=--volumes` drops it)
	$(LLMDEV) down $(ARGS)

status: build ## containers, health, ports, live/mock providers
	$(LLMDEV) status

logs: build ## follow the logs (`make logs ARGS=usage-logger`)
	$(LLMDEV) logs -f $(ARGS)

shell: build ## open a shell in the workspace container
	$(LLMDEV) shell

doctor: build ## check the engine, Compose, ports, secrets and disk, each failure with its fix
	$(LLMDEV) doctor

lint: deps ## biome + type-check (sources and tests)
	npm run lint

test: deps base-images ## everything CI runs: lint, unit, integration and end-to-end tests on a real engine
	npm run lint
	npm test
	npm run test:e2e

bench: build base-images ## benchmarks (figures go in BENCHMARKS.md)
	npm run bench

clean: ## remove build output
	rm -rf dist test-results
