#!/usr/bin/env bash
# 30-train.sh - `spinscan train -o 4` speed and peak memory on the default
# corpus (about 4.5 M tokens once tokenized, as scripts/build-model.sh
# tokenizes it), beside KenLM's lmplz on the same token stream when lmplz is
# found: in $KENLM_BIN (a directory holding lmplz), else on PATH.
# Each program runs RUNS times (default 3), alternating; the medians are
# printed with the ratio.  lmplz gets -S $LMPLZ_MEM (default 2G): it sizes its
# sort buffers from -S, so its peak memory follows that setting more than the
# corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
S=$BUILD/spinscan
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ls models/corpus/train/*.txt >/dev/null 2>&1; then
    "$S" tokenize models/corpus/train/*.txt > "$tmp/corpus.tok" 2>/dev/null
    what="default corpus (models/corpus/train)"
elif [ -r "${SPINSCAN_FIXTURES:-../shared/fixtures/kenlm}/mid_train.txt" ]; then
    cp "${SPINSCAN_FIXTURES:-../shared/fixtures/kenlm}/mid_train.txt" "$tmp/corpus.tok"
    what="fixtures' mid_train.txt (run 'make model' first for the 4.5 M-token figure)"
else
    echo "train: no corpus (run 'make model' or scripts/fetch-corpus.sh); skipped"
    exit 0
fi
tokens=$(wc -w < "$tmp/corpus.tok")

LMPLZ=
if [ -n "${KENLM_BIN:-}" ] && [ -x "$KENLM_BIN/lmplz" ]; then
    LMPLZ=$KENLM_BIN/lmplz
elif command -v lmplz >/dev/null; then
    LMPLZ=$(command -v lmplz)
fi

once() { # command...: appends "seconds peak-KB" to $tmp/runs
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > /dev/null 2> "$tmp/err" ||
            { cat "$tmp/err" >&2; return 1; }
        cat "$tmp/time"
    else
        local t0; t0=$(date +%s.%N)
        "$@" > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; return 1; }
        echo "$(echo "$(date +%s.%N) - $t0" | bc) 0"
    fi
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
report() { # label file-of-runs: prints the medians, sets $secs and $mb
    local label=$1 f=$2
    secs=$(cut -d' ' -f1 "$f" | median)
    mb=$(cut -d' ' -f2 "$f" | median | awk '{printf "%.0f", $1 / 1024}')
    printf 'train: %-22s %8.2f s  %6s MB peak  %10.0f tokens/s  (median of %d: %s s)\n' "$label" \
        "$secs" "$mb" "$(echo "$tokens / $secs" | bc -l)" "$(wc -l < "$f")" \
        "$(cut -d' ' -f1 "$f" | tr '\n' ' ' | sed 's/ $//')"
}

echo "train: order 4 on $what, $tokens tokens, $RUNS runs each"
: > "$tmp/ours"; : > "$tmp/lmplz"
for _ in $(seq "$RUNS"); do
    once "$S" train -q -o 4 --tokenized -O "$tmp/a.arpa" "$tmp/corpus.tok" >> "$tmp/ours"
    if [ -n "$LMPLZ" ]; then
        once "$LMPLZ" -o 4 -S "${LMPLZ_MEM:-2G}" -T "$tmp" --text "$tmp/corpus.tok" \
            --arpa "$tmp/k.arpa" >> "$tmp/lmplz"
    fi
done
report "spinscan (ARPA)" "$tmp/ours"
ours=$secs ours_mb=$mb
: > "$tmp/gz"
once "$S" train -q -o 4 --tokenized -O "$tmp/a.arpa.gz" "$tmp/corpus.tok" >> "$tmp/gz"
report "spinscan (ARPA .gz)" "$tmp/gz"
if [ -n "$LMPLZ" ]; then
    report "lmplz -S ${LMPLZ_MEM:-2G}" "$tmp/lmplz"
    printf 'train: spinscan / lmplz: time %.2f (target <= 2), peak memory %.2f\n' \
        "$(echo "$ours / $secs" | bc -l)" "$(echo "$ours_mb / $mb" | bc -l)"
    if [ -x "$BUILD/tests/lm/test_train" ]; then
        "$BUILD/tests/lm/test_train" --compare "$tmp/k.arpa" "$tmp/a.arpa" | sed 's/^/train: parity: /' ||
            echo "train: parity: the models differ (see above)"
    fi
else
    echo "train: lmplz not found (set KENLM_BIN=DIR with DIR/lmplz); no side-by-side figure"
fi
