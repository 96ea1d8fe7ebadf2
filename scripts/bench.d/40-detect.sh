#!/usr/bin/env bash
# Spin detection beside plain perplexity scoring (the CCNet-style baseline:
# same tokenizer, one pass of the same model) on the same held-out documents,
# in the same run.  Issue 5's target: detection at most 3x the baseline's cost.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
if [ ! -s models/en/detector.txt ] || [ ! -d models/corpus/heldout ]; then
    echo "bench detect: models/en or models/corpus/heldout missing (run 'make model'); skipped"
    exit 0
fi
echo "== spin detection vs plain perplexity (held-out text, medians of 5)"
"$BUILD/bench/bench_detect" models/en models/corpus/heldout/*.txt | awk -F'\t' '
    /^documents/   {printf "   documents                         %8d\n", $2}
    /^text/        {printf "   text                              %8.2f MB\n", $2}
    /^spun_model/  {printf "   spun model                        %8s\n", $2}
    /^plain_mb_s/  {printf "   plain perplexity scoring          %8.2f MB/s\n", $2}
    /^detect_mb_s/ {printf "   full detection                    %8.2f MB/s\n", $2}
    /^detect_docs/ {printf "   full detection                    %8d docs/s\n", $2}
    /^ratio/       {printf "   detection / perplexity cost       %8.2fx   (target <= 3x)\n", $2}'
