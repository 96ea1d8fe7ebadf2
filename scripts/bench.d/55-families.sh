#!/usr/bin/env bash
# Spin families (docs/families.md): `spinscan rank --families` against plain
# `rank` on the same crawl in the same run, at 1x, 4x and 16x.  The crawl is
# tests/cli/famcrawl.js's mix (14 spun families, 10 copy groups, 15 spun
# singletons and natural documents per 360 source documents, spun with the
# Ding dictionary), made R times larger from disjoint models/corpus text (no
# document repeated).  Figures: median wall seconds (-j2) and CPU seconds (all
# threads), the cost of --families over plain rank, wall time per document
# after startup (flat from 1x to 16x when time is linear), the signature bytes
# per document, and the families' pairwise precision/recall on each crawl.
# RUNS=N sets the number of runs (default 5).
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

# Interleaved runs (plain, --families, plain, ...) so that both see the same
# machine load; medians of RUNS of each, wall seconds and CPU seconds (user +
# system, all threads).
RUNS=${RUNS:-5}
pair() { # pair OUTDIR CRAWL -> "wall0 wall1 cpu0 cpu1" (medians)
    local d=$1 crawl=$2 i
    : > "$d/times"
    for i in $(seq "$RUNS"); do
        for fam in 0 1; do
            local a b opt=()
            [ $fam = 1 ] && opt=(--families)
            a=$(date +%s.%N)
            /usr/bin/time -f '%U %S' -o "$tmp/time" "$S" rank -q -j2 -m "$MODEL" -f jsonl "${opt[@]}" \
                -o "$d/out$fam.jsonl" "$crawl" > /dev/null 2>&1
            b=$(date +%s.%N)
            awk -v f=$fam -v a="$a" -v b="$b" '{ printf "%s %.4f %.4f\n", f, b - a, $1 + $2 }' "$tmp/time" >> "$d/times"
        done
    done
    med() { awk -v f="$1" -v c="$2" '$1 == f { print $c }' "$d/times" | sort -n |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    echo "$(med 0 2) $(med 1 2) $(med 0 3) $(med 1 3)"
}

echo "families: rank vs rank --families (-j2, default model), medians of $RUNS interleaved runs; crawl of 360 source documents x R"
# Startup (loading the models) does not grow with the crawl: measured on an
# empty crawl and taken off for the time per document.
: > "$tmp/empty.jsonl"
mkdir -p "$tmp/e"
read -r t0 t1 _ _ <<< "$(pair "$tmp/e" "$tmp/empty.jsonl")"
echo "  startup (empty crawl): ${t0} s, with --families ${t1} s"
printf '  %-4s %6s %7s  %8s %8s %7s  %8s %8s %7s  %10s %10s  %s\n' R docs MB wall wall+fam cost cpu cpu+fam cost "us/doc" "us/doc+fam" "precision recall (families)"
for r in 1 4 16; do
    d=$tmp/x$r
    node tests/cli/famcrawl.js --thesaurus models/thesauri/ding/words.txt --web tests/data/web \
        --corpus "$dirs" --chunks 100000 --slice 360 --repeat $r --seed 5 --out "$d"
    docs=$(wc -l < "$d/crawl.jsonl")
    mb=$(awk -v b="$(wc -c < "$d/crawl.jsonl")" 'BEGIN { printf "%.1f", b / 1e6 }')
    read -r w0 w1 c0 c1 <<< "$(pair "$d" "$d/crawl.jsonl")"
    pr=$(node tests/cli/famscore.js "$d/truth.tsv" "$d/out1.jsonl" | awk '{ print $2, $4 }')
    sig=$(stat -c %s "$d/out1.jsonl.sig")
    [ "$r" = 1 ] && echo "  signature file: $(( (sig - 32) / docs )) bytes per document on average (12 + id + 384); in memory 388 + id"
    awk -v r="$r" -v docs="$docs" -v mb="$mb" -v w0="$w0" -v w1="$w1" -v c0="$c0" -v c1="$c1" -v pr="$pr" \
        -v t0="$t0" -v t1="$t1" 'BEGIN {
        printf "  %-4s %6d %7.1f  %8.2f %8.2f %+6.1f%%  %8.2f %8.2f %+6.1f%%  %10.0f %10.0f  %s\n",
            r "x", docs, mb, w0, w1, 100 * (w1 - w0) / w0, c0, c1, 100 * (c1 - c0) / c0,
            1e6 * (w0 - t0) / docs, 1e6 * (w1 - t1) / docs, pr
    }'
    rm -rf "$d"
done
