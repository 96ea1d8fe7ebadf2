#!/usr/bin/env bash
# eval-refit.sh - the evaluation matrix again after a detector change, without
# refetching, respinning or retraining (detector development loop):
#
#   BUILD=build scripts/eval-refit.sh [--no-fit]
#
# Needs a complete `make eval` run in models/eval (the documents in
# models/eval/sets and the fitted models in models/eval/fit/D/A).  For each
# domain D and thesaurus A it refits the detector parameters with `spinscan
# calibrate` on that fit's calibration documents (fit/D/A/calib; models/calib
# for the shipped fit/web/moby), rescores D's documents with fit/D/A as
# scripts/eval.sh does, and rewrites the tables exactly as it does
# (docs/eval.md, models/eval/results.json, README block).
# --no-fit keeps the parameters and only rescores.
# SPINSCAN_EVAL_ADAPT=1 measures the crawl-adaptive reference (docs/detector.md):
# per fit and domain, `score --adapt` on half of the domain's natural documents
# (odd numbers) saves a reference, and every document of that domain is scored
# against it (--reference); foreign documents as usual.  Tables go to
# docs/eval-adapt.md instead of docs/eval.md and the README.
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
# The same layout as scripts/eval.sh: every domain D has its detectors
# models/eval/fit/D/A (the leave-one-domain-out model for D, fitted with
# thesaurus A); fit/web/moby is the shipped models/en (symlinks), calibrated
# from models/calib.
refit() { # refit DOMAIN A
    local d=$1 a=$2 dir=$OUT/fit/$1/$2 calib=$OUT/fit/$1/$2/calib
    [ -d "$calib" ] || calib=models/calib
    [ -L "$dir/detector.txt" ] && { cp --remove-destination "$(readlink -f "$dir/detector.txt")" "$dir/detector.txt"; }
    "$S" calibrate -m "$dir/model.bin" --spun "$dir/spun.bin" -O "$dir/detector.txt" "$calib/labels.tsv"
}
docs_of() { # docs_of DOMAIN: its documents, one per line (foreign ones with web's)
    local d=$1
    cut -f1 "$OUT/sets/$d/common/labels.tsv" | sed "s|^|$OUT/sets/$d/common/|"
    for b in $THESAURI; do cut -f1 "$OUT/sets/$d/$b/labels.tsv" | sed "s|^|$OUT/sets/$d/$b/|"; done
    if [ "$d" = web ]; then ls tests/data/foreign/*.txt; fi
}
score_adapt() { # score_adapt DOMAIN A
    local d=$1 a=$2 ref=$OUT/fit/$1/$2/ref.txt
    ls "$OUT/sets/$d/common/natural/"*[13579].txt | tr '\n' '\0' |
        xargs -0 "$S" score -f json --adapt --save-reference "$ref" -m "$OUT/fit/$d/$a" > /dev/null
    docs_of "$d" | tr '\n' '\0' |
        xargs -0 "$S" score -f json --reference "$ref" -m "$OUT/fit/$d/$a" > "$OUT/scores/$d.$a.jsonl.tmp"
}
score() { # score DOMAIN A
    local d=$1 a=$2
    if [ "${SPINSCAN_EVAL_ADAPT:-0}" = 1 ]; then score_adapt "$d" "$a"
    else docs_of "$d" | tr '\n' '\0' | xargs -0 "$S" score -f json -m "$OUT/fit/$d/$a" > "$OUT/scores/$d.$a.jsonl.tmp"
    fi
    mv "$OUT/scores/$d.$a.jsonl.tmp" "$OUT/scores/$d.$a.jsonl"
}
job() { ( [ $fit = 0 ] || refit "$1" "$2" ) && score "$1" "$2"; }
pids=()
for d in $DOMAINS; do for a in $THESAURI; do
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || { echo "eval-refit: failed" >&2; exit 1; }; done
    job "$d" "$a" & pids+=($!)
done; done
for p in "${pids[@]}"; do wait "$p" || { echo "eval-refit: failed" >&2; exit 1; }; done
for a in $THESAURI; do cat "$OUT"/scores/*."$a".jsonl > "$OUT/scores/$a.jsonl"; done
elapsed=$(( $(date +%s) - t0 ))
node scripts/eval-matrix.js --eval-dir "$OUT" --thesauri "$THESAURI" --domains "$DOMAINS" --seconds "$elapsed" \
    $( [ "${SPINSCAN_EVAL_ADAPT:-0}" = 1 ] && echo "--docs-md docs/eval-adapt.md" || echo "--docs-md docs/eval.md --readme README.md" ) \
    ${SPINSCAN_EVAL_BASELINE:+--baseline "$SPINSCAN_EVAL_BASELINE"} \
    | tee "$OUT/table.txt"
