#!/usr/bin/env bash
# End-to-end crawl throughput of `spinscan rank` with the default model, at -j1
# and -j2, beside bare tokenization (`spinscan tokenize`) of the same text in the
# same run.  The crawl is JSON Lines made from models/corpus held-out and
# calibration text (documents of 3 to 40 lines); figures are medians of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
MODEL=${SPINSCAN_MODEL:-models/en}
[ -x "$S" ] || { echo "rank: $S is missing" >&2; exit 1; }
if [ ! -s "$MODEL/detector.txt" ]; then
    echo "rank: skipped (no default model in $MODEL; make model)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spinscan-bench-rank.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$(find models/corpus/heldout models/corpus/calib -type f -name '*.txt' 2>/dev/null | sort)
if [ -z "$src" ]; then
    echo "rank: skipped (no models/corpus text to build a crawl from)"
    exit 0
fi
# Documents: runs of 3..40 non-empty lines, as JSON Lines (jq does the escaping).
cat $src | grep -v '^[[:space:]]*$' | head -c $((8 << 20)) |
    awk 'BEGIN { srand(11); n = 0 } {
        if (n == 0) { want = 3 + int(rand() * 38); doc = "" }
        doc = doc $0 "\n"; n++
        if (n >= want) { printf "%s%c", doc, 0; n = 0 } }
        END { if (n) printf "%s%c", doc, 0 }' |
    jq -R -c --raw-input -s 'split("\u0000")[] | select(length > 0) | {text: .}' |
    awk '{ sub(/^\{/, "{\"id\": \"doc-" NR "\", "); print }' > "$tmp/crawl.jsonl"
docs=$(wc -l < "$tmp/crawl.jsonl")
jq -r .text "$tmp/crawl.jsonl" > "$tmp/text.txt"
mb=$(awk -v b="$(wc -c < "$tmp/text.txt")" 'BEGIN { printf "%.2f", b / 1e6 }')

secs() { # median wall seconds of 3 runs of the command
    local t=()
    for _ in 1 2 3; do
        local a b
        a=$(date +%s.%N)
        "$@" > /dev/null 2>&1
        b=$(date +%s.%N)
        t+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b - a }')")
    done
    printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}
tok=$(secs "$S" tokenize "$tmp/text.txt")
j1=$(secs "$S" rank -q -m "$MODEL" -j1 -o "$tmp/out1.tsv" "$tmp/crawl.jsonl")
j2=$(secs "$S" rank -q -m "$MODEL" -j2 -o "$tmp/out2.tsv" "$tmp/crawl.jsonl")
cmp -s "$tmp/out1.tsv" "$tmp/out2.tsv" || echo "rank: WARNING: -j1 and -j2 outputs differ" >&2
awk -v mb="$mb" -v docs="$docs" -v tok="$tok" -v j1="$j1" -v j2="$j2" 'BEGIN {
    printf "rank: crawl of %d documents, %.2f MB of text (JSON Lines), default model; medians of 3\n", docs, mb
    printf "  tokenize (bare)  %7.2f MB/s\n", mb / tok
    printf "  rank -j1         %7.2f MB/s %8.0f docs/s   %.3f of tokenization\n", mb / j1, docs / j1, tok / j1
    printf "  rank -j2         %7.2f MB/s %8.0f docs/s   %.3f of tokenization, speed-up %.2fx over -j1\n", mb / j2, docs / j2, tok / j2, j1 / j2
}'
