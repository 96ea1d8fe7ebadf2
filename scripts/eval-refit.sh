#!/usr/bin/env bash
# eval-refit.sh - the evaluation matrix again after a detector change, without
# refetching, respinning or retraining (detector development loop):
#
#   BUILD=build scripts/eval-refit.sh [--no-fit]
#
# Needs a complete `make eval` run in models/eval (the documents in
# models/eval/sets and the fitted spun models in models/eval/fit/A).  For each
# thesaurus A it refits the detector parameters with `spinscan calibrate` on A's
# calibration documents (models/calib for Moby, models/eval/fit/A/calib for the
# others), rescores every evaluation document and rewrites the tables exactly
# as scripts/eval.sh does (docs/eval.md, models/eval/results.json, README block).
# --no-fit keeps the parameters and only rescores.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
OUT=models/eval
THESAURI="moby ding gcide"
t0=$(date +%s)
[ -d "$OUT/sets" ] && [ -d "$OUT/fit" ] || { echo "eval-refit: run make eval first" >&2; exit 1; }
DOMAINS=${SPINSCAN_EVAL_DOMAINS:-$(ls "$OUT/domains")}
fit=1
[ "${1:-}" = --no-fit ] && fit=0
refit() {
    local a=$1 dir=$OUT/fit/$1 calib=$OUT/fit/$1/calib
    [ "$a" = moby ] && calib=models/calib
    [ -L "$dir/detector.txt" ] && { cp --remove-destination "$(readlink -f "$dir/detector.txt")" "$dir/detector.txt"; }
    "$S" calibrate -m "$dir/model.bin" --spun "$dir/spun.bin" -O "$dir/detector.txt" "$calib/labels.tsv"
}
score() {
    local a=$1
    { for d in $DOMAINS; do cut -f1 "$OUT/sets/$d/common/labels.tsv" | sed "s|^|$OUT/sets/$d/common/|"
          for b in $THESAURI; do cut -f1 "$OUT/sets/$d/$b/labels.tsv" | sed "s|^|$OUT/sets/$d/$b/|"; done
      done
      ls tests/data/foreign/*.txt; } | tr '\n' '\0' |
        xargs -0 "$S" score -f json -m "$OUT/fit/$a" > "$OUT/scores/$a.jsonl.tmp"
    mv "$OUT/scores/$a.jsonl.tmp" "$OUT/scores/$a.jsonl"
}
pids=()
for a in $THESAURI; do ( [ $fit = 0 ] || refit "$a"; score "$a" ) & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || { echo "eval-refit: failed" >&2; exit 1; }; done
elapsed=$(( $(date +%s) - t0 ))
node scripts/eval-matrix.js --eval-dir "$OUT" --thesauri "$THESAURI" --domains "$DOMAINS" --seconds "$elapsed" \
    --docs-md docs/eval.md --readme README.md ${SPINSCAN_EVAL_BASELINE:+--baseline "$SPINSCAN_EVAL_BASELINE"} \
    | tee "$OUT/table.txt"
