#!/usr/bin/env bash
# Builds the libFuzzer targets and fuzzes one of them for a given time.
#
#   fuzz/run.sh TARGET SECONDS [libFuzzer flags ...]
#   fuzz/run.sh expression 600
#   fuzz/run.sh case-loader 600 -jobs=2
#
# TARGET is `expression` (ExpressionParser) or `case-loader` (CaseLoader.load(path:) and a sweep
# of every loaded case). New corpus entries go to fuzz/work/TARGET/corpus, crashes, timeouts and
# out-of-memory inputs to fuzz/work/TARGET/artifacts/, the log to fuzz/work/TARGET/*.log; the
# committed seeds in fuzz/corpus/TARGET and past findings in fuzz/regressions/TARGET are only
# read. Exit status: libFuzzer's (0: nothing found).
set -euo pipefail
cd "$(dirname "$0")"

usage() { echo "usage: fuzz/run.sh expression|case-loader SECONDS [libFuzzer flags ...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
target=$1 seconds=$2
shift 2
case "$target" in
    expression) product=FuzzExpression max_len=4096 ;;
    case-loader) product=FuzzCaseLoader max_len=8192 ;;
    *) usage ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

SWIFT=${SWIFT:-swift}
# libFuzzer's coverage and AddressSanitizer. SwiftPM hands swiftc one -sanitize= flag per
# --sanitize, and swiftc keeps only the last of them, so the pair is repeated as one flag for
# the Swift code; --sanitize still instruments the C code (Yams' libyaml) and links the runtimes.
build=(-c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)
nice "$SWIFT" build "${build[@]}" --product "$product"
bin="$("$SWIFT" build "${build[@]}" --show-bin-path)/$product"

work="work/$target"
mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
corpora=("$work/corpus" "corpus/$target")
[ -d "regressions/$target" ] && corpora+=("regressions/$target")
log="$work/fuzz-$(date +%Y%m%d-%H%M%S).log"
echo "fuzzing $product for ${seconds}s; log: fuzz/$log" >&2

# -timeout: an input running longer than 10 s is a hang; -rss_limit_mb: the process may not grow
# past 2 GiB (and no single allocation may be larger); -dict: the language's tokens and keys.
status=0
TMPDIR="$PWD/$work/tmp" nice "$bin" "${corpora[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -dict="$target.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$@" 2>&1 | tee "$log" || status=$?
rm -rf "${work:?}/tmp"
exit "$status"
