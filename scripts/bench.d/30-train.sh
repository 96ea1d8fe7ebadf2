#!/usr/bin/env bash
# 30-train.sh - `spinscan train -o 4` speed and peak memory on the default
# corpus (about 4.5 M tokens once tokenized), beside KenLM's lmplz on the same
# token stream when lmplz is installed.  Prints tokens/s and the ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
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
measure() { # label, command...: prints seconds and peak RSS in MB
    local label=$1; shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; return 1; }
        read -r secs kb < "$tmp/time"
    else
        local t0; t0=$(date +%s.%N)
        "$@" > /dev/null 2> "$tmp/err" || { cat "$tmp/err" >&2; return 1; }
        secs=$(echo "$(date +%s.%N) - $t0" | bc); kb=0
    fi
    printf 'train: %-22s %8.2f s  %8.0f MB peak  %10.0f tokens/s\n' "$label" "$secs" \
        "$(echo "$kb / 1024" | bc -l)" "$(echo "$tokens / $secs" | bc -l)"
}
echo "train: order 4 on $what, $tokens tokens"
measure "spinscan (ARPA)" "$S" train -q -o 4 --tokenized -O "$tmp/a.arpa" "$tmp/corpus.tok"
ours=$secs
measure "spinscan (ARPA .gz)" "$S" train -q -o 4 --tokenized -O "$tmp/a.arpa.gz" "$tmp/corpus.tok"
if command -v lmplz >/dev/null; then
    measure "lmplz" lmplz -o 4 -S 1G -T "$tmp" --text "$tmp/corpus.tok" --arpa "$tmp/k.arpa"
    printf 'train: spinscan / lmplz time ratio %.2f (target <= 2)\n' "$(echo "$ours / $secs" | bc -l)"
else
    echo "train: lmplz not installed; reference: lmplz took 5-8 s for 2.7 M tokens on the dev machine"
fi
