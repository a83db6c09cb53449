# Ledger: the two quick-start commands are `make run` and `make test`.
SWIFT ?= swift
# systemd: only for systemd-analyze, which deploy/check.sh runs on the service unit; chromium prints
# the delivery pack to PDF, and poppler-utils' pdftotext reads it back in the tests.
APT_PACKAGES := libsqlite3-dev sqlite3 systemd chromium poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-browser test-a11y test-field-day soak screenshots bench bench-full bench-scale deps build release clean fuzz fuzz-build fuzz-smoke

## Install missing system packages (Debian/Ubuntu), and Python's cryptography for the
## independent verifier in tools/.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@python3 -c 'import cryptography' 2>/dev/null || python3 -m pip install --quiet cryptography \
		|| $(SUDO) apt-get install -y -qq python3-cryptography
	@python3 -c 'import pytest' 2>/dev/null || python3 -m pip install --quiet pytest \
		|| $(SUDO) apt-get install -y -qq python3-pytest

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Start ledgerd on ./ledger-data (or $LEDGER_DATA), serving http://127.0.0.1:8080. On the first
## start the folder holds no node: make creates a single-node HQ there ('ledgerctl init --hq') and
## publishes the example campaign docs/examples/free-the-press.json. ledgerd itself never creates
## a ledger: creating HQ is this explicit step.
RUN_DATA := $(if $(LEDGER_DATA),$(LEDGER_DATA),ledger-data)
run: deps
	$(SWIFT) build --product ledgerctl
	$(SWIFT) build --product ledgerd
	@bin="$$($(SWIFT) build --show-bin-path)"; \
	if [ ! -e "$(RUN_DATA)/ledger.sqlite" ]; then \
		echo "First start: creating a single-node HQ in $(RUN_DATA) with an example campaign"; \
		"$$bin/ledgerctl" init --hq --name "Ledger HQ" --data "$(RUN_DATA)" >/dev/null || exit $$?; \
		"$$bin/ledgerctl" campaign publish docs/examples/free-the-press.json --data "$(RUN_DATA)" || exit $$?; \
	fi; \
	exec "$$bin/ledgerd" --data "$(RUN_DATA)"

## Run the whole test suite: unit, property and end-to-end tests (real daemons on loopback
## ports), then the real-browser kiosk test in headless Chromium (installed when missing), the
## accessibility check of every kiosk page (axe-core), the field day (HQ and three laptops),
## the service units (deploy/check.sh) and a short run of every fuzz target (docs/FUZZING.md).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 -m pytest -q tools/test_verify_bundle.py
	python3 -m pytest -q tools/test_verify_transparency.py
	deploy/check.sh
	LEDGER_SCREENSHOTS=$(CURDIR)/.build/screenshots browser-tests/run.sh
	browser-tests/run.sh a11y
	browser-tests/run.sh field-day
	$(MAKE) fuzz-smoke

## The partition test with 100 seeded schedules instead of make test's 20 (HQ and four laptops
## on loopback ports, partitions and heals, signatures meanwhile); about 5 minutes.
soak: deps
	$(SWIFT) build --build-tests
	LEDGER_SOAK_SCHEDULES=100 $(SWIFT) test --skip-build --filter PartitionEndToEndTests

## Only the real-browser kiosk test (needs a debug build); screenshots go to .build/screenshots.
test-browser:
	LEDGER_SCREENSHOTS=$(CURDIR)/.build/screenshots browser-tests/run.sh

## axe-core on every kiosk page, in en and nb (needs a debug build).
test-a11y:
	browser-tests/run.sh a11y

## The field day: HQ and three laptops with real ledgerd, ledgerctl and Chromium (needs a debug build).
test-field-day:
	browser-tests/run.sh field-day

## Refresh the screenshots in docs/screenshots (the README shows one).
screenshots:
	$(SWIFT) build
	LEDGER_SCREENSHOTS=$(CURDIR)/docs/screenshots browser-tests/run.sh

## Release-mode benchmark; prints figures with the machine's own reference rates.
bench: deps
	$(SWIFT) build -c release --product ledgerd
	$(SWIFT) run -c release ledger-bench

## The benchmark with the 1,000,000-signature read-model rebuild of issue 11.
bench-full: deps
	$(SWIFT) build -c release --product ledgerd
	$(SWIFT) run -c release ledger-bench --projection-entries 1000000

## An HQ of ten million signatures: ledgerctl's queries, memory and bytes on disk (issue 11;
## takes hours on a small machine: SCALE=1000000 for a shorter run).
SCALE ?= 10000000
bench-scale: deps
	$(SWIFT) build -c release --product ledgerd
	$(SWIFT) build -c release --product ledgerctl
	$(SWIFT) run -c release ledger-bench --scale $(SCALE)

## Fuzzing (docs/FUZZING.md). The targets are a package of their own in Fuzz/, built with
## libFuzzer's coverage and AddressSanitizer into .build-fuzz; the normal build never compiles them.
FUZZ_BUILD := $(CURDIR)/.build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 4
FUZZ_TARGETS ?=
LIBFUZZER = $(shell PATH="$(PATH)" clang -print-file-name=libclang_rt.fuzzer_no_main-$$(uname -m).a)
FUZZ_FLAGS = -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table \
	-Xcc -O2 -Xlinker $(LIBFUZZER)

## The Swift driver does not recompile on changed sanitizer flags: start over when they change.
fuzz-build: deps
	@mkdir -p $(FUZZ_BUILD)
	@if [ "$$(cat $(FUZZ_BUILD)/flags 2>/dev/null)" != "$(FUZZ_FLAGS)" ]; then \
		rm -rf $(FUZZ_BUILD)/*-linux-gnu $(FUZZ_BUILD)/*-apple-* $(FUZZ_BUILD)/debug; echo "$(FUZZ_FLAGS)" > $(FUZZ_BUILD)/flags; fi
	@# SwiftPM does not notice files added to a path dependency (the main package): plan the build afresh, compile incrementally.
	@rm -f $(FUZZ_BUILD)/debug.yaml
	$(SWIFT) build --package-path Fuzz --scratch-path $(FUZZ_BUILD) $(FUZZ_FLAGS)

## Fuzz every target (or FUZZ_TARGETS) for FUZZ_SECONDS each, from a random seed.
fuzz: fuzz-build
	FUZZ_BIN=$(FUZZ_BUILD)/debug/ledger-fuzz Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## A short, repeatable run of every target (fixed seed), after its whole seed corpus: part of make test.
fuzz-smoke: fuzz-build
	FUZZ_BIN=$(FUZZ_BUILD)/debug/ledger-fuzz FUZZ_SEED=1 Fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf .build .build-fuzz
