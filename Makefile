# The verbs a person uses. `make dev` and `make test` work on a fresh clone.
.PHONY: install dev test test-unit test-integration lint format build bench chart clean docs

NPM_STAMP := node_modules/.install-stamp

install: $(NPM_STAMP)
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NPM_STAMP)

## Run the dataplane in standalone mode on the embedded default (PostgreSQL under ./.data).
dev: install
	npx tsx dataplane/src/main.ts

## Start PostgreSQL, MariaDB and Redis if down, then run every mocha suite.
test: install
	bash scripts/ensure-services.sh
	npx mocha 'test/**/*.test.ts'

test-unit: install
	npx mocha 'test/unit/**/*.test.ts'

lint: install
	npx eslint .
	npx prettier --check .
	npx tsc --noEmit

format: install
	npx prettier --write .

build: install
	npx tsc -p tsconfig.build.json

bench: install
	bash scripts/ensure-services.sh
	npx tsx bench/run.ts

## Copy crds/ (the source of truth) into the chart, lint it, and package it into dist/chart.
chart: install
	rm -f charts/live-tables/crds/*.yaml
	cp crds/*.yaml charts/live-tables/crds/
	tools=$$(bash scripts/kube-tools.sh) && \
	  "$$tools/helm" lint --strict charts/live-tables && \
	  "$$tools/helm" package charts/live-tables --destination dist/chart

docs: install
	npx tsx scripts/generate-docs.ts

clean:
	rm -rf dist node_modules
