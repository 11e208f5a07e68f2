# The two commands a newcomer needs: `make up` (the workspace + usage-logger sidecar, no API keys
# required) and `make test` (everything CI runs). Each target installs what it is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help
LLMDEV := node dist/cli/main.js
# Extra flags for the llmdev command behind a target, e.g. `make up ARGS=--no-cache`.
ARGS ?=

.PHONY: help deps build engine base-images test-tools python-deps test-python up down status logs shell doctor demo test scan lint bench clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Reinstall only when the lockfile changes (package.json script edits need no install).
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

deps: node_modules/.package-lock.json ## install npm dependencies (npm ci) when the lockfile changed

# Recompile only when a source changed: a warm `make up` must not pay for tsc.
dist/cli/main.js: node_modules/.package-lock.json tsconfig.json tsconfig.build.json package.json $(shell find src -type f)
	npm run build
	@touch $@

build: dist/cli/main.js ## compile TypeScript to dist/ (when sources changed)

engine: ## make sure a Docker engine with Compose v2 answers (installs and starts one on a bare Debian machine)
	@bash scripts/provision-engine.sh

base-images: engine ## build node:22-bookworm-slim locally when it is missing and no registry answers (offline)
	@bash scripts/build-base-images.sh

test-tools: ## what the tests need besides the engine (Debian chromium for the browser tests, postgresql for team mode)
	@bash scripts/provision-test-tools.sh

# The Python client's venv: reinstalled only when its pyproject changes.
python/.venv/.installed: python/pyproject.toml scripts/python-deps.sh
	bash scripts/python-deps.sh
	@touch $@

# tiktoken's vocabularies, written from js-tiktoken's (byte-identical, hash-checked): tiktoken's own
# download host may be out of reach.
python/.venv/tiktoken-cache/.written: python/.venv/.installed scripts/tiktoken-cache.ts node_modules/.package-lock.json
	npx tsx scripts/tiktoken-cache.ts python/.venv/tiktoken-cache
	@touch $@

python-deps: python/.venv/.installed python/.venv/tiktoken-cache/.written ## the Python client's venv, python/.venv (pip install -e 'python[dev]': pytest, mypy, openai, anthropic)

test-python: python-deps build ## the Python client: mypy --strict and its pytest suite (against a real sidecar process)
	cd python && .venv/bin/mypy
	cd python && .venv/bin/python -m pytest

up: build base-images ## build (cached: seconds when nothing changed), start the workspace and the usage-logger sidecar, run the dev container's lifecycle commands (npm ci once)
	$(LLMDEV) up $(ARGS)

down: build ## stop the containers (the next `make up` starts them again; `make down ARGS=--remove` removes them, `ARGS=--volumes` the usage data too)
	$(LLMDEV) down $(ARGS)

status: build ## containers, health, ports, live/mock providers
	$(LLMDEV) status $(ARGS)

logs: build ## follow the logs (`make logs ARGS=usage-logger`)
	$(LLMDEV) logs -f $(ARGS)

shell: build ## open a shell in the workspace container
	$(LLMDEV) shell $(ARGS)

doctor: build ## check the engine, Compose, ports, secrets and disk, each failure with its fix
	$(LLMDEV) doctor $(ARGS)

demo: up ## run examples/*.ts in the workspace (mock provider without API keys; `make up` installed their packages), then show the usage table
	$(LLMDEV) shell -- bash examples/demo.sh
	$(LLMDEV) usage --since 1h
	$(LLMDEV) usage --since 1h --by prompt

lint: deps ## biome + type-check (sources and tests)
	npm run lint

test: deps base-images test-tools python-deps ## everything CI runs: lint, unit, integration, Python and end-to-end tests on a real engine
	npm run lint
	npm test
	$(MAKE) --no-print-directory test-python
	npm run test:e2e
	$(MAKE) --no-print-directory scan

scan: build ## look for leaked keys in files, git history, the images and container logs (`llmdev secrets scan`)
	$(LLMDEV) secrets scan $(ARGS)

bench: build base-images ## benchmarks (figures go in BENCHMARKS.md)
	npm run bench

clean: ## remove build output
	rm -rf dist test-results
