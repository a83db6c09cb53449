#!/usr/bin/env bash
# Runs fuzz targets one after the other for a bounded time each (docs/FUZZING.md).
#
#   Fuzz/run.sh SECONDS [TARGET...]      every target when none is named
#
# Environment: FUZZ_BIN (the instrumented ledger-fuzz), FUZZ_WORK (working corpus and crash
# files, git-ignored), FUZZ_SEED (libFuzzer's -seed; 0 = random), FUZZ_JOBS_ARGS (more
# libFuzzer flags). New interesting inputs go to $FUZZ_WORK/corpus/TARGET, never into the
# committed seeds in Fuzz/corpus/TARGET; a crash is saved as $FUZZ_WORK/artifacts/TARGET-crash-…
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: Fuzz/run.sh SECONDS [TARGET...]}
shift
bin=${FUZZ_BIN:-.build-fuzz/debug/ledger-fuzz}
work=${FUZZ_WORK:-.build-fuzz}
seed=${FUZZ_SEED:-0}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <("$bin" --list | cut -f1)
fi
mkdir -p "$work/artifacts" "$work/logs"
# The Swift runtime's backtracer would take the crash signals from libFuzzer (ledger-fuzz also
# resets them); leaks are not checked (Swift's runtime caches look like leaks to LeakSanitizer).
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

failed=()
printf '%-20s %8s %10s %10s  %s\n' target seconds runs 'runs/s' result
for target in "${targets[@]}"; do
    mkdir -p "$work/corpus/$target"
    dict=()
    [ -f "Fuzz/dictionaries/$target.dict" ] && dict=(-dict="Fuzz/dictionaries/$target.dict")
    log="$work/logs/$target.log"
    start=$(date +%s)
    "$bin" "$target" -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$target-" "${dict[@]}" ${FUZZ_EXTRA_ARGS:-} \
        "$work/corpus/$target" "Fuzz/corpus/$target" >"$log" 2>&1 </dev/null
    status=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ $status -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $status), see $log"
        failed+=("$target")
    fi
    printf '%-20s %8s %10s %10s  %s\n' "$target" "$elapsed" "${runs:-?}" "${rate:-?}" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing failed: ${failed[*]}; crash inputs are in $work/artifacts (docs/FUZZING.md: reproduce and keep them)" >&2
    for target in "${failed[@]}"; do grep -E "rule broken|Fatal error|ERROR: (libFuzzer|AddressSanitizer)|Test unit written" "$work/logs/$target.log" | head -5 >&2; done
    exit 1
fi
