#!/usr/bin/env bash
# Real-browser tests in headless Chromium: run.sh [TEST] runs browser-tests/TEST_test.py, where
# TEST is kiosk (the default: the kiosk end to end), a11y (axe-core on every kiosk page) or
# field-day (HQ and three laptops through an event day).
# Installs what it needs when missing: chromium and chromium-driver (apt), selenium (pip), and for
# a11y the axe-core wheel pinned in requirements-axe.txt (pip download into .build/browser/).
# Uses the binaries in $LEDGER_BIN (default: .build/debug); build them first (`swift build`).
# The last line of output is "N passed, M failed"; the exit status is non-zero on any failure.
set -euo pipefail

test="${1:-kiosk}"
case "$test" in
    kiosk) limit=180 ;;
    a11y) limit=240 ;;
    field-day) limit=300 ;;
    *) echo "usage: run.sh [kiosk|a11y|field-day]" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
export LEDGER_BIN="${LEDGER_BIN:-$repo/.build/debug}"
# Selenium must use the system chromedriver and never fetch one.
export SE_OFFLINE=true
PYTHON="${PYTHON:-python3}"

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    echo "Installing chromium and chromium-driver"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"

if ! "$PYTHON" -c 'import selenium' 2>/dev/null; then
    echo "Installing selenium"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check selenium 2>/dev/null \
        || "$PYTHON" -m pip install --quiet --disable-pip-version-check --user --break-system-packages selenium \
        || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-selenium >/dev/null
fi

if [ "$test" = a11y ] && [ -z "${LEDGER_AXE:-}" ]; then
    # axe-core (JavaScript) comes in a PyPI wheel; only its axe.min.js is used, read from the wheel.
    wheels="$repo/.build/browser"
    if ! ls "$wheels"/axe_playwright_python-0.1.8-*.whl >/dev/null 2>&1; then
        echo "Downloading axe-core (browser-tests/requirements-axe.txt)"
        mkdir -p "$wheels"
        "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
            -r "$here/requirements-axe.txt" -d "$wheels" \
            || echo "Could not download axe-core; the accessibility check will fail" >&2
    fi
fi

for tool in ledgerd ledgerctl; do
    if [ ! -x "$LEDGER_BIN/$tool" ]; then
        echo "$LEDGER_BIN/$tool is missing: run \`swift build\` first (or set LEDGER_BIN)" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
done

exec timeout --kill-after=10 "$limit" "$PYTHON" "$here/${test//-/_}_test.py"
