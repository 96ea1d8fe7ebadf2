#!/usr/bin/env bash
# Tokenizer throughput beside a bare ICU word-break loop over the same text.
# Uses up to 32 MB of models/corpus/ text when the trainer's fetch has put it
# there, else English synthesised by the benchmark itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$BUILD/bench/bench_tokenize
[ -x "$bin" ] || { echo "tokenize: $bin is missing (make bench builds it)" >&2; exit 1; }
input=
if [ -d models/corpus ]; then
    tmp=$(mktemp "${TMPDIR:-/tmp}/spinscan-bench.XXXXXX")
    trap 'rm -f "$tmp"' EXIT
    # plain text files only; compressed or binary files are skipped
    find models/corpus/train models/corpus/heldout -type f -name '*.txt' -print0 2>/dev/null | sort -z |
        xargs -0r cat 2>/dev/null | head -c $((32 << 20)) > "$tmp" || true
    [ -s "$tmp" ] && input=$tmp
fi
if [ -n "$input" ]; then
    "$bin" "$input" "models/corpus/{train,heldout}/*.txt (first 32 MB)"
else
    "$bin"
fi
