#!/usr/bin/env bash
# Real-browser end-to-end test of the kiosk (tests/browser/kiosk_test.py) in headless Chromium.
# Installs what it needs when missing: chromium and chromium-driver (apt), selenium (pip).
# Uses the binaries in $LEDGER_BIN (default: .build/debug); build them first (`swift build`).
# The last line of output is "N passed, M failed"; the exit status is non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
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

for tool in ledgerd ledgerctl; do
    if [ ! -x "$LEDGER_BIN/$tool" ]; then
        echo "$LEDGER_BIN/$tool is missing: run \`swift build\` first (or set LEDGER_BIN)" >&2
        echo "0 passed, 8 failed"
        exit 1
    fi
done

exec timeout --kill-after=10 180 "$PYTHON" "$here/kiosk_test.py"
