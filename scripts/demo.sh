#!/usr/bin/env bash
# make demo: score the sample documents with the default model and show, per
# sentence, how surprised the language model is.  (Spin highlighting with a
# calibrated score is `spinscan score`, coming with the detector.)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
MODEL=models/en/model.arpa.gz
[ -s "$MODEL" ] || { echo "demo: $MODEL is missing; run 'make model'" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then red=$'\e[1;31m'; dim=$'\e[2m'; off=$'\e[0m'; else red=; dim=; off=; fi
for doc in tests/data/samples/*.txt; do
    echo "== $doc"
    "$S" tokenize "$doc" > "$tmp/tok"
    "$S" query -v sentence "$MODEL" < "$tmp/tok" > "$tmp/scores"
    # Per sentence: perplexity = 10^(-total / (tokens + 1)), the </s> included.
    paste "$tmp/tok" "$tmp/scores" | awk -F'\t' -v red="$red" -v dim="$dim" -v off="$off" '
        { n = split($1, w, " "); split($2, f, " "); total = f[2]
          ppl = exp(-total / (n + 1) * log(10))
          mark = ppl > 1000 ? red "  !! " : dim "     "
          printf "%s%8.0f  %s%s\n", mark, ppl, substr($1, 1, 100), off }'
done
echo
echo "Perplexity per sentence under the default English model (models/en); '!!' marks"
echo "sentences above 1000.  Plain perplexity is a weak spin signal on its own; the"
echo "detector (spinscan score) adds the statistics that separate spun text from rare"
echo "but honest text."
