#!/usr/bin/env bash
# End-to-end crawl throughput of `spinscan rank` with the default model, at -j1
# and -j2, beside bare tokenization (`spinscan tokenize`) of the same text in the
# same run, and text per CPU-second (per core).  The crawl is about 20 MB of
# JSON Lines made from models/corpus text (documents of 3 to 40 lines); figures
# are medians of 3 runs.
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
src=$(find models/corpus/heldout models/corpus/calib models/corpus/train -type f -name '*.txt' 2>/dev/null | sort)
if [ -z "$src" ]; then
    echo "rank: skipped (no models/corpus text to build a crawl from)"
    exit 0
fi
# Documents: runs of 3..40 non-empty lines of corpus text (about 20 MB), as JSON
# Lines with ids; node does the JSON escaping.  The text file holds the same
# documents for the tokenization baseline.
grep -hv '^[[:space:]]*$' $src > "$tmp/all.txt" || true
head -c $((20 << 20)) "$tmp/all.txt" |
    node -e '
        const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(l => l.length);
        let seed = 11, n = 0, i = 0, out = [], text = [];
        const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
        while (i < lines.length) {
            const want = 3 + Math.floor(rand() * 38), doc = lines.slice(i, i + want).join("\n") + "\n";
            i += want;
            out.push(JSON.stringify({ id: "doc-" + (++n), text: doc }));
            text.push(doc);
        }
        require("fs").writeFileSync(process.argv[1], out.join("\n") + "\n");
        require("fs").writeFileSync(process.argv[2], text.join(""));
    ' "$tmp/crawl.jsonl" "$tmp/text.txt"
docs=$(wc -l < "$tmp/crawl.jsonl")
mb=$(awk -v b="$(wc -c < "$tmp/text.txt")" 'BEGIN { printf "%.2f", b / 1e6 }')
: > "$tmp/empty.jsonl"

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
cpu() { # median CPU seconds (user + system, every thread) of 3 runs of the command
    local t=()
    for _ in 1 2 3; do
        /usr/bin/time -f '%U %S' -o "$tmp/time" "$@" > /dev/null 2>&1
        t+=("$(awk '{ printf "%.4f", $1 + $2 }' "$tmp/time")")
    done
    printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}
tok=$(secs "$S" tokenize "$tmp/text.txt")
# Startup (loading the models into memory) does not depend on the crawl's size;
# it is measured on an empty crawl and also reported apart.
t0=$(secs "$S" rank -q -m "$MODEL" -j1 -o "$tmp/out0.tsv" "$tmp/empty.jsonl")
j1=$(secs "$S" rank -q -m "$MODEL" -j1 -o "$tmp/out1.tsv" "$tmp/crawl.jsonl")
j2=$(secs "$S" rank -q -m "$MODEL" -j2 -o "$tmp/out2.tsv" "$tmp/crawl.jsonl")
cmp -s "$tmp/out1.tsv" "$tmp/out2.tsv" || echo "rank: WARNING: -j1 and -j2 outputs differ" >&2
# Per core: text over the CPU time of every thread (reader, workers, writer).
c1=$(cpu "$S" rank -q -m "$MODEL" -j1 -o "$tmp/out1.tsv" "$tmp/crawl.jsonl")
c2=$(cpu "$S" rank -q -m "$MODEL" -j2 -o "$tmp/out2.tsv" "$tmp/crawl.jsonl")
awk -v mb="$mb" -v docs="$docs" -v tok="$tok" -v t0="$t0" -v j1="$j1" -v j2="$j2" \
    -v c1="$c1" -v c2="$c2" 'BEGIN {
    printf "rank: crawl of %d documents, %.2f MB of text (JSON Lines), default model; medians of 3\n", docs, mb
    printf "  tokenize (bare)  %7.2f MB/s\n", mb / tok
    printf "  startup          %7.2f s (loading the models; measured on an empty crawl)\n", t0
    printf "  rank -j1         %7.2f MB/s %8.0f docs/s   %.3f of tokenization; %.2f MB/s after startup\n", mb / j1, docs / j1, tok / j1, mb / (j1 - t0)
    printf "  rank -j2         %7.2f MB/s %8.0f docs/s   %.3f of tokenization; %.2f MB/s after startup\n", mb / j2, docs / j2, tok / j2, mb / (j2 - t0)
    printf "  speed-up -j1 -> -j2: %.2fx end to end, %.2fx after startup\n", j1 / j2, (j1 - t0) / (j2 - t0)
    printf "  per core (MB of text per CPU-second, all threads): -j1 %.2f, -j2 %.2f; -j2 wall MB/s / 2 cores: %.2f\n", mb / c1, mb / c2, mb / j2 / 2
}'
