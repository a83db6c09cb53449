#!/usr/bin/env bash
# Checks the service files in deploy/ (docs/OPERATIONS.md, "Running ledgerd as a service"):
#   - the systemd unit with 'systemd-analyze verify' (and its hardening with 'systemd-analyze
#     security --offline'), when systemd-analyze is installed;
#   - the launchd plist with python3's plistlib: valid XML and the keys launchd needs.
# Prints what it checked; exits 1 when any check fails, 2 on a usage error.
#
# For example:
#   deploy/check.sh
#   deploy/check.sh --unit /tmp/broken.service --plist /tmp/broken.plist
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
unit=$here/systemd/ledgerd.service
plist=$here/launchd/org.ledger.ledgerd.plist
# The unit's exposure ('systemd-analyze security', 0 to 10) times ten; above this it fails.
max_exposure=20

while (($#)); do
    case $1 in
        --unit) unit=${2:?--unit needs a file}; shift 2 ;;
        --plist) plist=${2:?--plist needs a file}; shift 2 ;;
        -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "check.sh: unknown argument '$1' (see 'deploy/check.sh --help')" >&2; exit 2 ;;
    esac
done

failures=0
ok() { echo "ok:   $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- the systemd unit ---------------------------------------------------------------------

check_unit() {
    local name binary copy output status line about_unit=0
    name=$(basename "$unit")
    if [[ ! -f $unit ]]; then fail "$unit: no such file"; return; fi
    if ! grep -q '^ExecStart=/usr/local/bin/ledgerd ' "$unit"; then
        fail "$unit: ExecStart does not run /usr/local/bin/ledgerd (the path docs/OPERATIONS.md installs to)"
        return
    fi
    if ! command -v systemd-analyze >/dev/null; then
        echo "note: systemd-analyze not installed: unit not verified"
        return
    fi
    # 'verify' checks that ExecStart's program exists: point it at a stand-in named ledgerd.
    binary=$scratch/bin/ledgerd
    mkdir -p "$scratch/bin" "$scratch/unit"
    cp "$(type -P true)" "$binary"
    copy=$scratch/unit/$name
    sed "s|/usr/local/bin/ledgerd|$binary|g" "$unit" > "$copy"

    status=0
    output=$(systemd-analyze verify "$copy" 2>&1) || status=$?
    while IFS= read -r line; do
        [[ -z $line ]] && continue
        if [[ $line == *"$name"* || $line == *"$scratch"* ]]; then
            echo "      systemd-analyze: ${line//$scratch\/unit\//}"
            about_unit=1
        else
            echo "note: systemd-analyze (about another unit, ignored): $line"
        fi
    done <<< "$output"
    if ((status != 0 || about_unit)); then
        fail "$unit: systemd-analyze verify reported the problems above (exit status $status)"
    else
        ok "$unit: systemd-analyze verify printed no warning ($(systemd-analyze --version | head -n 1))"
    fi

    if systemd-analyze --help 2>/dev/null | grep -q -- '--offline'; then
        status=0
        output=$(systemd-analyze security --offline=yes --threshold="$max_exposure" "$copy" 2>&1) || status=$?
        line=$(grep -o 'Overall exposure level for .*' <<< "$output" || true)
        if ((status != 0)); then
            fail "$unit: hardening weaker than allowed (${line:-no exposure level printed}; at most $((max_exposure / 10)).$((max_exposure % 10)))"
        else
            ok "$unit: systemd-analyze security: ${line#Overall exposure level for }, at most $((max_exposure / 10)).$((max_exposure % 10)) allowed"
        fi
    else
        echo "note: this systemd-analyze has no 'security --offline' (systemd < 250): hardening not scored"
    fi
}

# --- the launchd plist --------------------------------------------------------------------

check_plist() {
    if ! command -v python3 >/dev/null; then
        fail "python3 not installed: $plist not checked"
        return
    fi
    local status=0
    python3 - "$plist" <<'PYTHON' || status=$?
import os, plistlib, sys

path = sys.argv[1]
problems = []
checked = []

try:
    with open(path, "rb") as handle:
        job = plistlib.load(handle)
except FileNotFoundError:
    print(f"FAIL: {path}: no such file")
    sys.exit(1)
except Exception as error:  # plistlib raises several types for malformed XML
    print(f"FAIL: {path}: not a valid property list: {error}")
    sys.exit(1)
checked.append("valid plist XML")

if not isinstance(job, dict):
    print(f"FAIL: {path}: the top level is not a dictionary")
    sys.exit(1)

label = job.get("Label")
if label != "org.ledger.ledgerd":
    problems.append(f"Label is {label!r}, expected 'org.ledger.ledgerd'")
elif os.path.basename(path) != label + ".plist":
    problems.append(f"the file is named {os.path.basename(path)!r}, launchd expects {label + '.plist'!r}")
else:
    checked.append("Label")

arguments = job.get("ProgramArguments")
if not (isinstance(arguments, list) and arguments and all(isinstance(a, str) for a in arguments)):
    problems.append("ProgramArguments is missing or not a list of strings")
else:
    if not (arguments[0].startswith("/") and arguments[0].endswith("/ledgerd")):
        problems.append(f"ProgramArguments[0] is {arguments[0]!r}, expected an absolute path ending in /ledgerd")
    if "--data" not in arguments[:-1]:
        problems.append("ProgramArguments has no '--data DIR': ledgerd would use ./ledger-data in /")
    else:
        checked.append("ProgramArguments")

if job.get("RunAtLoad") is not True:
    problems.append(f"RunAtLoad is {job.get('RunAtLoad')!r}, expected true")
else:
    checked.append("RunAtLoad")

keep_alive = job.get("KeepAlive")
if keep_alive is True or (isinstance(keep_alive, dict) and (keep_alive.get("SuccessfulExit") is False or keep_alive.get("Crashed") is True)):
    checked.append("KeepAlive")
else:
    problems.append(f"KeepAlive is {keep_alive!r}, expected true or a dictionary with SuccessfulExit false (restart after a crash)")

# launchd expands neither ~ nor $HOME: every path is absolute, or starts with the __HOME__
# placeholder that the install step replaces.
paths = []
if isinstance(arguments, list) and "--data" in arguments[:-1]:
    paths.append(("the --data folder", arguments[arguments.index("--data") + 1]))
for key in ("StandardOutPath", "StandardErrorPath", "WorkingDirectory"):
    if key in job:
        paths.append((key, job[key]))
for what, value in paths:
    if not isinstance(value, str) or not (value.startswith("/") or value.startswith("__HOME__/")):
        problems.append(f"{what} is {value!r}: launchd needs an absolute path (or __HOME__/...)")
if not any(p for p in problems if "absolute path (or" in p):
    checked.append("absolute paths (" + ", ".join(what for what, _ in paths) + ")")

for problem in problems:
    print(f"FAIL: {path}: {problem}")
if problems:
    sys.exit(1)
print(f"ok:   {path}: " + ", ".join(checked))
PYTHON
    ((status == 0)) || failures=$((failures + 1))

    if command -v plutil >/dev/null; then
        local output
        if output=$(plutil -lint "$plist" 2>&1); then
            ok "$plist: plutil -lint"
        else
            fail "$plist: plutil -lint: $output"
        fi
    fi
}

# --- the Grafana dashboard ------------------------------------------------------------------
# Valid JSON, and every metric its queries name is one ledgerd serves (docs/OPERATIONS.md,
# "Metrics", lists them), so a renamed metric cannot leave a panel silently empty.
check_dashboard() {
    local dashboard="$here/grafana/ledger-dashboard.json" output
    if output=$(python3 - "$dashboard" "$here/../docs/OPERATIONS.md" 2>&1 <<'PY'
import json, re, sys
board = json.load(open(sys.argv[1]))
documented = open(sys.argv[2]).read()
names = set()
for panel in board["panels"]:
    for target in panel.get("targets", []):
        names |= set(re.findall(r"\b(ledger_[a-z_]+|hb_[a-z_]+|http_server_[a-z_]+)", target["expr"]))
missing = sorted(n for n in names if re.sub(r"_(bucket|sum|count)$", "", n) not in documented)
if missing:
    sys.exit("queries name metrics ledgerd does not serve: " + ", ".join(missing))
print(f"{len(board['panels'])} panels, {len(names)} metrics, all served")
PY
    ); then
        ok "$dashboard: $output"
    else
        fail "$dashboard: $output"
    fi
}

check_unit
check_plist
check_dashboard

if ((failures)); then
    echo "deploy/check.sh: $failures check(s) failed" >&2
    exit 1
fi
echo "deploy/check.sh: all checks passed"
