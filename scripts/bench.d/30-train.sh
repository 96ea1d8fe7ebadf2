#!/usr/bin/env bash
# 30-train.sh - `spinscan train -o 4` CPU time and peak memory beside KenLM's
# `lmplz -o 4 -S 2G` on the same token stream, in the same run: the default
# corpus as scripts/build-model.sh tokenizes it (1x), and a 4x stream (the
# corpus, then three copies in which about 30 % of the word pairs are swapped,
# so that a third of their n-grams are new, as a larger corpus's would be).
# lmplz comes from $KENLM_BIN (a directory holding lmplz), else from PATH.
#
# Every figure is printed; one that cannot be measured says why ("n/a ...").
# CPU time is user + system time of all threads (lmplz runs several), the
# median of RUNS runs (default 3 at 1x, RUNS4 = 1 at 4x), the two programs
# alternating.  lmplz gets -S $LMPLZ_MEM (default 2G): it sizes its sort
# buffers from -S, so its peak memory follows that setting more than the
# corpus.  Parity: tests/lm/test_train --compare (make bench builds it) on the
# two ARPA files of the 1x run: the same n-grams, |delta log10 p| <= 1e-5.
#   BENCH_TRAIN_4X=0   skip the 4x stream (said so on its line)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
RUNS4=${RUNS4:-1}
S=$BUILD/spinscan
COMPARE=$BUILD/tests/lm/test_train
[ -x "$COMPARE" ] || { echo "train: $COMPARE is missing (make bench builds it)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ls models/corpus/train/*.txt >/dev/null 2>&1; then
    "$S" tokenize models/corpus/train/*.txt > "$tmp/corpus.tok" 2>/dev/null
    what="default corpus (models/corpus/train)"
elif [ -r "${SPINSCAN_FIXTURES:-../shared/fixtures/kenlm}/mid_train.txt" ]; then
    cp "${SPINSCAN_FIXTURES:-../shared/fixtures/kenlm}/mid_train.txt" "$tmp/corpus.tok"
    what="fixtures' mid_train.txt (no default corpus: run 'make model' for the real figure)"
else
    echo "train: n/a (no corpus: run 'make model' or scripts/fetch-corpus.sh)"
    exit 0
fi

LMPLZ= why_not="n/a (KENLM_BIN unset and no lmplz on PATH)"
if [ -n "${KENLM_BIN:-}" ] && [ -x "$KENLM_BIN/lmplz" ]; then
    LMPLZ=$KENLM_BIN/lmplz
elif [ -n "${KENLM_BIN:-}" ]; then
    why_not="n/a (no lmplz in KENLM_BIN=$KENLM_BIN)"
elif command -v lmplz >/dev/null; then
    LMPLZ=$(command -v lmplz)
fi

once() { # command...: appends "cpu-seconds peak-KB wall-seconds" to the file $out
    /usr/bin/time -f "%U %S %M %e" -o "$tmp/time" "$@" > /dev/null 2> "$tmp/err" ||
        { cat "$tmp/err" >&2; return 1; }
    awk '{printf "%.2f %d %.2f\n", $1 + $2, $3, $4}' "$tmp/time" >> "$out"
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
report() { # label file-of-runs tokens: prints the medians, sets $cpu and $mb
    local label=$1 f=$2 tokens=$3
    cpu=$(cut -d' ' -f1 "$f" | median)
    mb=$(cut -d' ' -f2 "$f" | median | awk '{printf "%.0f", $1 / 1024}')
    printf 'train: %-26s %7.2f s CPU %6s MB peak %9.0f tokens/CPU-s  (CPU s of %d runs: %s; wall %s s)\n' \
        "$label" "$cpu" "$mb" "$(echo "$tokens / $cpu" | bc -l)" "$(wc -l < "$f")" \
        "$(cut -d' ' -f1 "$f" | tr '\n' ' ' | sed 's/ $//')" "$(cut -d' ' -f3 "$f" | median)"
}

measure() { # scale-label corpus runs
    local label=$1 corpus=$2 runs=$3 tokens
    tokens=$(wc -w < "$corpus")
    echo "train $label: order 4, $tokens tokens of the $what, $runs run(s) each"
    : > "$tmp/ours"; : > "$tmp/lmplz"
    for _ in $(seq "$runs"); do
        out=$tmp/ours once "$S" train -q -o 4 --tokenized -O "$tmp/a.arpa" "$corpus"
        if [ -n "$LMPLZ" ]; then
            out=$tmp/lmplz once "$LMPLZ" -o 4 -S "${LMPLZ_MEM:-2G}" -T "$tmp" --text "$corpus" \
                --arpa "$tmp/k.arpa"
        fi
    done
    report "spinscan ($label)" "$tmp/ours" "$tokens"
    local ours=$cpu ours_mb=$mb
    if [ -n "$LMPLZ" ]; then
        report "lmplz -S ${LMPLZ_MEM:-2G} ($label)" "$tmp/lmplz" "$tokens"
        printf 'train %s: spinscan / lmplz: CPU time %.2f (target <= 0.7), peak memory %.2f (target <= 0.5)\n' \
            "$label" "$(echo "$ours / $cpu" | bc -l)" "$(echo "$ours_mb / $mb" | bc -l)"
        "$COMPARE" --compare "$tmp/k.arpa" "$tmp/a.arpa" | sed "s/^/train $label: parity: /" ||
            echo "train $label: parity: the models differ (see above)"
    else
        printf 'train: %-26s %s\n' "lmplz -S ${LMPLZ_MEM:-2G} ($label)" "$why_not"
        echo "train $label: spinscan / lmplz: $why_not"
        echo "train $label: parity with lmplz: $why_not"
    fi
}

measure 1x "$tmp/corpus.tok" "$RUNS"
out=$tmp/gz once "$S" train -q -o 4 --tokenized -O "$tmp/a.arpa.gz" "$tmp/corpus.tok"
report "spinscan (1x, ARPA .gz)" "$tmp/gz" "$(wc -w < "$tmp/corpus.tok")"

if [ "${BENCH_TRAIN_4X:-1}" = 0 ]; then
    echo "train 4x: not measured (BENCH_TRAIN_4X=0)"
    exit 0
fi
cp "$tmp/corpus.tok" "$tmp/corpus4.tok"
for seed in 1 2 3; do
    awk -v seed=$seed 'BEGIN { srand(seed) }
        { n = split($0, w, " ")
          for (i = 1; i < n; i++) if (rand() < 0.3) { t = w[i]; w[i] = w[i + 1]; w[i + 1] = t; i++ }
          s = w[1]; for (i = 2; i <= n; i++) s = s " " w[i]; print s }' "$tmp/corpus.tok"
done >> "$tmp/corpus4.tok"
measure 4x "$tmp/corpus4.tok" "$RUNS4"
