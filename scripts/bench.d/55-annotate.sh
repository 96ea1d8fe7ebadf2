#!/usr/bin/env bash
# `spinscan annotate` on a 100 MB JSON Lines crawl beside `spinscan rank` on the
# same crawl in the same run (both -j2; the best of 2 alternating runs each;
# speed as MB per CPU-second of all threads, user + system, which a machine
# shared with other jobs disturbs far less than wall time; wall figures too),
# with annotate's peak memory on that crawl and on a tenth of it (bounded
# memory: the two should be close), and a round-trip check of the output
# (same line count; every input line's bytes kept, in order).  The crawl is
# made from models/corpus text: documents of 3 to 40 lines with id, url,
# source and a nested metadata field.  BENCH_ANNOTATE_MB changes the size.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
MODEL=${SPINSCAN_MODEL:-models/en}
MB=${BENCH_ANNOTATE_MB:-100}
[ -x "$S" ] || { echo "annotate: $S is missing" >&2; exit 1; }
if [ ! -s "$MODEL/detector.txt" ]; then
    echo "annotate: skipped (no default model in $MODEL; make model)"
    exit 0
fi
src=$(find models/corpus/heldout models/corpus/calib models/corpus/train -type f -name '*.txt' 2>/dev/null | sort)
if [ -z "$src" ]; then
    echo "annotate: skipped (no models/corpus text to build a crawl from)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spinscan-bench-annotate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
grep -hv '^[[:space:]]*$' $src > "$tmp/all.txt" || true
node -e '
    const fs = require("fs");
    const lines = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.length);
    const want = Number(process.argv[3]) * 1e6, fd = fs.openSync(process.argv[2], "w");
    let seed = 7, n = 0, i = 0, bytes = 0, buf = [];
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    while (bytes < want) {
        const k = 3 + Math.floor(rand() * 38), doc = [];
        for (let j = 0; j < k; ++j) doc.push(lines[(i++) % lines.length]);
        const line = JSON.stringify({ id: ++n, url: "https://example.com/" + n + "?q=" + (n % 97),
            source: "bench", text: doc.join("\n") + "\n", meta: { lang: "en", score: rand(), tags: ["a", n % 5] } });
        buf.push(line);
        bytes += line.length + 1;
        if (buf.length == 1000) { fs.writeSync(fd, buf.join("\n") + "\n"); buf = []; }
    }
    if (buf.length) fs.writeSync(fd, buf.join("\n") + "\n");
' "$tmp/all.txt" "$tmp/crawl.jsonl" "$MB"
head -n $(( $(wc -l < "$tmp/crawl.jsonl") / 10 )) "$tmp/crawl.jsonl" > "$tmp/tenth.jsonl"
docs=$(wc -l < "$tmp/crawl.jsonl")
size=$(awk -v b="$(wc -c < "$tmp/crawl.jsonl")" 'BEGIN { printf "%.1f", b / 1e6 }')

run() { # CPU seconds (all threads), peak RSS (KB) and wall seconds of one run
    /usr/bin/time -f '%U %S %M %e' -o "$tmp/time" "$@" > /dev/null 2>&1 || true
    awk '{ printf "%.3f %d %.3f\n", $1 + $2, $3, $4 }' "$tmp/time"
}
best() { sort -n | head -1; }
r1=$(run "$S" rank -q -j2 -m "$MODEL" --unsorted -o "$tmp/rank.tsv" "$tmp/crawl.jsonl")
a1=$(run "$S" annotate -q -j2 -m "$MODEL" -o "$tmp/out.jsonl" "$tmp/crawl.jsonl")
r2=$(run "$S" rank -q -j2 -m "$MODEL" --unsorted -o "$tmp/rank.tsv" "$tmp/crawl.jsonl")
a2=$(run "$S" annotate -q -j2 -m "$MODEL" -o "$tmp/out.jsonl" "$tmp/crawl.jsonl")
col() { echo "$1" | cut -d' ' -f"$2"; }
rt=$(printf '%s\n%s\n' "$(col "$r1" 1)" "$(col "$r2" 1)" | best)
at=$(printf '%s\n%s\n' "$(col "$a1" 1)" "$(col "$a2" 1)" | best)
rw=$(printf '%s\n%s\n' "$(col "$r1" 3)" "$(col "$r2" 3)" | best)
aw=$(printf '%s\n%s\n' "$(col "$a1" 3)" "$(col "$a2" 3)" | best)
amem=$(printf '%s\n%s\n' "$(col "$a1" 2)" "$(col "$a2" 2)" | best)
small=$(run "$S" annotate -q -j2 -m "$MODEL" -o "$tmp/small.jsonl" "$tmp/tenth.jsonl")
# Round trip: as many lines, and each output line is its input line with
# members inserted before the final brace.
check=$(awk 'NR == FNR { a[FNR] = substr($0, 1, length($0) - 1); n = FNR; next }
             { if (index($0, a[FNR]) != 1) bad++; m = FNR }
             END { print (m == n && !bad) ? "ok" : "MISMATCH (" bad + 0 " lines, " m " vs " n ")" }' \
    "$tmp/crawl.jsonl" "$tmp/out.jsonl")
awk -v docs="$docs" -v size="$size" -v rt="$rt" -v at="$at" -v rw="$rw" -v aw="$aw" -v amem="$amem" -v small="$small" \
    -v check="$check" 'BEGIN {
    split(small, s, " ")
    printf "annotate: crawl of %d documents, %.1f MB of JSON Lines, default model, -j2, best of 2\n", docs, size
    printf "  rank --unsorted  %7.2f MB per CPU-second, %6.2f MB/s wall (same run, same crawl: the baseline)\n", size / rt, size / rw
    printf "  annotate         %7.2f MB per CPU-second, %6.2f MB/s wall   %.0f%% of rank'"'"'s speed (CPU)\n", size / at, size / aw, 100 * rt / at
    printf "  annotate peak memory: %.0f MB on the crawl, %.0f MB on a tenth of it (bounded)\n", amem / 1024, s[2] / 1024
    printf "  round trip: %s (every input line kept, in order)\n", check
}'
