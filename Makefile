# Ledger: the two quick-start commands are `make run` and `make test`.
SWIFT ?= swift
APT_PACKAGES := libsqlite3-dev sqlite3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-browser screenshots bench deps build release clean fuzz fuzz-build fuzz-smoke

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

## Start ledgerd with the default data folder (./ledger-data): a single-node HQ on 127.0.0.1:8080.
run: deps
	$(SWIFT) run ledgerd

## Run the whole test suite: unit, property and end-to-end tests (real daemons on loopback
## ports), then the real-browser kiosk test in headless Chromium (installed when missing), then
## a short run of every fuzz target (docs/FUZZING.md).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 -m pytest -q tools/test_verify_bundle.py
	LEDGER_SCREENSHOTS=$(CURDIR)/.build/screenshots tests/browser/run.sh
	$(MAKE) fuzz-smoke

## Only the real-browser kiosk test (needs a debug build); screenshots go to .build/screenshots.
test-browser:
	LEDGER_SCREENSHOTS=$(CURDIR)/.build/screenshots tests/browser/run.sh

## Refresh the screenshots in docs/screenshots (the README shows one).
screenshots:
	$(SWIFT) build
	LEDGER_SCREENSHOTS=$(CURDIR)/docs/screenshots tests/browser/run.sh

## Release-mode benchmark; prints figures with the machine's own reference rates.
bench: deps
	$(SWIFT) build -c release --product ledgerd
	$(SWIFT) run -c release ledger-bench

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
	$(SWIFT) build --package-path Fuzz --scratch-path $(FUZZ_BUILD) $(FUZZ_FLAGS)

## Fuzz every target (or FUZZ_TARGETS) for FUZZ_SECONDS each, from a random seed.
fuzz: fuzz-build
	FUZZ_BIN=$(FUZZ_BUILD)/debug/ledger-fuzz Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## A short, repeatable run of every target (fixed seed), after its whole seed corpus: part of make test.
fuzz-smoke: fuzz-build
	FUZZ_BIN=$(FUZZ_BUILD)/debug/ledger-fuzz FUZZ_SEED=1 Fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf .build .build-fuzz
