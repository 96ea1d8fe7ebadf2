#!/usr/bin/env bash
# Spin families (docs/families.md): `spinscan rank --families` against plain
# `rank` on the same crawl in the same run, at 1x, 4x and 16x.  The crawl is
# tests/cli/famcrawl.js's mix (14 spun families, 10 copy groups, 15 spun
# singletons and natural documents per 360 source documents, spun with the
# Ding dictionary), made R times larger from disjoint models/corpus text (no
# document repeated).  Figures: median wall seconds of 3 runs (-j2) and CPU
# seconds (all threads), the cost of --families over plain rank, time per
# document (flat from 1x to 16x when time is linear), the signature bytes per
# document, and the families' pairwise precision/recall on each crawl.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
MODEL=${SPINSCAN_MODEL:-models/en}
[ -x "$S" ] || { echo "families: $S is missing" >&2; exit 1; }
if [ ! -s "$MODEL/detector.txt" ]; then
    echo "families: skipped (no default model in $MODEL; make model)"
    exit 0
fi
command -v node >/dev/null || { echo "families: skipped (node is not installed)"; exit 0; }
[ -s models/thesauri/ding/words.txt ] || bash scripts/fetch-ding.sh >/dev/null 2>&1 || {
    echo "families: skipped (no Ding dictionary: scripts/fetch-ding.sh failed)"; exit 0; }
dirs=$(ls -d models/corpus/heldout models/corpus/calib models/corpus/train 2>/dev/null | paste -sd, -)
[ -n "$dirs" ] || { echo "families: skipped (no models/corpus text)"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spinscan-bench-families.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

secs() { # median wall seconds of 3 runs
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
cpu() { # median CPU seconds (user + system, all threads) of 3 runs
    local t=()
    for _ in 1 2 3; do
        /usr/bin/time -f '%U %S' -o "$tmp/time" "$@" > /dev/null 2>&1
        t+=("$(awk '{ printf "%.4f", $1 + $2 }' "$tmp/time")")
    done
    printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}

echo "families: rank vs rank --families (-j2, default model), medians of 3; crawl of 360 source documents x R"
printf '  %-4s %6s %7s  %8s %8s %7s  %8s %8s %7s  %9s  %s\n' R docs MB wall wall+fam cost cpu cpu+fam cost "us/doc+fam" "precision recall (families)"
for r in 1 4 16; do
    d=$tmp/x$r
    node tests/cli/famcrawl.js --thesaurus models/thesauri/ding/words.txt --web tests/data/web \
        --corpus "$dirs" --chunks 100000 --slice 360 --repeat $r --seed 5 --out "$d"
    docs=$(wc -l < "$d/crawl.jsonl")
    mb=$(awk -v b="$(wc -c < "$d/crawl.jsonl")" 'BEGIN { printf "%.1f", b / 1e6 }')
    w0=$(secs "$S" rank -q -j2 -m "$MODEL" -f jsonl -o "$d/plain.jsonl" "$d/crawl.jsonl")
    w1=$(secs "$S" rank -q -j2 -m "$MODEL" -f jsonl --families -o "$d/fam.jsonl" "$d/crawl.jsonl")
    c0=$(cpu "$S" rank -q -j2 -m "$MODEL" -f jsonl -o "$d/plain.jsonl" "$d/crawl.jsonl")
    c1=$(cpu "$S" rank -q -j2 -m "$MODEL" -f jsonl --families -o "$d/fam.jsonl" "$d/crawl.jsonl")
    pr=$(node tests/cli/famscore.js "$d/truth.tsv" "$d/fam.jsonl" | awk '{ print $2, $4 }')
    sig=$(stat -c %s "$d/fam.jsonl.sig")
    [ "$r" = 1 ] && echo "  signature file: $(( (sig - 32) / docs )) bytes per document on average (12 + id + 384); in memory 388 + id"
    awk -v r="$r" -v docs="$docs" -v mb="$mb" -v w0="$w0" -v w1="$w1" -v c0="$c0" -v c1="$c1" -v pr="$pr" 'BEGIN {
        printf "  %-4s %6d %7.1f  %8.2f %8.2f %+6.1f%%  %8.2f %8.2f %+6.1f%%  %9.0f  %s\n",
            r "x", docs, mb, w0, w1, 100 * (w1 - w0) / w0, c0, c1, 100 * (c1 - c0) / c0, 1e6 * w1 / docs, pr
    }'
    rm -rf "$d"
done
