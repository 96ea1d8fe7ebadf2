#!/usr/bin/env bash
# eval.sh - the evaluation matrix of issue 13 (`make eval` runs this).
#
#   BUILD=build scripts/eval.sh
#
# Cross-thesaurus, cross-domain: the detector is FITTED with the spinner's
# thesaurus A (spun model and calibration, scripts/build-detector.sh with
# SPINSCAN_THESAURUS=A) and MEASURED on documents spun with thesaurus B, for
# A, B in {moby, ding, gcide} (scripts/fetch-thesauri.sh), on the natural text
# of each domain.  The headline is the WORST cell over A != B and domains;
# same-thesaurus cells (A = B) are shown for information only.
#
# 1. Thesauri (scripts/fetch-thesauri.sh) and the corpus (scripts/fetch-corpus.sh).
# 2. Fit: A = moby is the shipped detector (models/en, built by make model with
#    Moby); A = ding and gcide are fitted the same way into models/eval/fit/A
#    (the same language model, linked).
# 3. Domains (models/eval/domains/NAME/*.txt): "web", the project's own web
#    articles (tests/data/web, never trained on), and one domain per file of
#    models/corpus/heldout (documents of the training corpora that the model
#    was not trained on; domains.json records whether the model was trained
#    on other text of the same source).  SPINSCAN_EVAL_DOMAINS="web nlp"
#    picks some.
# 4. Documents (scripts/evalgen.js, seed 5005): per domain, the classes that
#    need no thesaurus once (natural, salad_trigram, shuffle, stuff_sparse,
#    stuff_dense) and the thesaurus classes (blind10/20/40, careful, phrase,
#    artefacts, mixed) once per thesaurus B; SPINSCAN_EVAL_DOCS (default 100)
#    source documents per domain.  Plus tests/data/foreign (must be refused).
# 5. Scoring: every document by every fitted detector (`spinscan score -f
#    json`), into models/eval/scores/A.jsonl.
# 6. Report (scripts/eval-matrix.js): models/eval/results.json, docs/eval.md
#    (the per-cell tables) and the README's evaluation block (worst cells).
#    SPINSCAN_EVAL_BASELINE=LABEL also stores this run's worst cells as a
#    baseline row named LABEL in docs/eval-baselines.json.
# Exit status 0 when the evaluation ran (whatever the figures), 1 on an error.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
DOCS=${SPINSCAN_EVAL_DOCS:-100}
SEED=5005            # fixed: the evaluation documents are the same on every machine
OUT=models/eval
THESAURI="moby ding gcide"
COMMON=natural,salad_trigram,shuffle,stuff_sparse,stuff_dense
THES_CLASSES=blind10,blind20,blind40,careful,phrase,artefacts,mixed
t0=$(date +%s)
step() { echo "eval: [$(( $(date +%s) - t0 )) s] $*" >&2; }

[ -x "$S" ] || { echo "eval: $S is missing; run make first" >&2; exit 1; }
[ -e models/en/manifest.json ] && [ -s models/en/detector.txt ] ||
    { echo "eval: no model in models/en; run make model first" >&2; exit 1; }
command -v node >/dev/null || { echo "eval: node is required" >&2; exit 1; }

bash scripts/fetch-corpus.sh models/corpus
bash scripts/fetch-thesauri.sh models/thesauri
mkdir -p "$OUT/fit" "$OUT/sets" "$OUT/scores" "$OUT/domains"

# ---- domains
rm -rf "$OUT/domains"
mkdir -p "$OUT/domains/web"
for f in tests/data/web/[0-9]*.txt; do cat "$f"; echo; done > "$OUT/domains/web/web.txt"
for f in models/corpus/heldout/*.txt; do
    d=$(basename "$f" .txt)
    mkdir -p "$OUT/domains/$d"
    ln -s "$(pwd)/$f" "$OUT/domains/$d/$d.txt"
done
DOMAINS=${SPINSCAN_EVAL_DOMAINS:-$(ls "$OUT/domains")}
node -e '
    const fs = require("fs");
    const m = JSON.parse(fs.readFileSync("models/en/manifest.json", "utf8"));
    const trained = Object.keys((m.training && m.training.raw) || {}).map(f => f.replace(/\.txt$/, ""));
    const out = {};
    for (const d of process.argv.slice(1)) out[d] = { dir: "models/eval/domains/" + d,
        source: d === "web" ? "tests/data/web (project-written, never trained on)" : "models/corpus/heldout/" + d + ".txt",
        model_trained_on_same_source: trained.includes(d) };
    fs.writeFileSync("models/eval/domains.json", JSON.stringify(out, null, 2) + "\n");' $DOMAINS

# ---- fit the detector with each thesaurus A
fit() { # fit A
    local a=$1 dir=$OUT/fit/$1
    if [ "$a" = moby ]; then
        rm -rf "$dir"; mkdir -p "$dir"
        for f in models/en/*; do ln -s "$(pwd)/$f" "$dir/"; done
        return
    fi
    rm -rf "$dir"; mkdir -p "$dir"
    for f in models/en/model.bin models/en/model.arpa.gz models/en/manifest.json; do
        [ -e "$f" ] && ln -s "$(pwd)/$f" "$dir/"
    done
    SPINSCAN_THESAURUS=models/thesauri/$a/words.txt SPINSCAN_DETECTOR_OUT=$dir SPINSCAN_CALIB_DIR=$dir/calib \
        BUILD=$BUILD bash scripts/build-detector.sh > "$dir/build.log" 2>&1 || {
        cat "$dir/build.log" >&2; echo "eval: fitting with $a failed" >&2; return 1; }
}
step "fitting the detector with each thesaurus (moby: the shipped models/en)"
fit moby
pids=()
for a in ding gcide; do fit "$a" & pids+=($!); done
gen_pids=()
# ---- documents (in parallel with the fits; two jobs at a time)
gen() { # gen DOMAIN SET CLASSES THESAURUS
    local min=8
    [ "$1" = web ] && min=6 # articles of 8..16 sentences: most become one document
    node scripts/evalgen.js --source "$OUT/domains/$1" --thesaurus "models/thesauri/$4/words.txt" \
        --pos models/thesauri/pos.txt --freq models/corpus/train --seed "$SEED" --docs "$DOCS" \
        --min-units "$min" --max-units 20 --classes "$3" --out "$OUT/sets/$1/$2" 2>> "$OUT/sets/gen.log"
}
rm -rf "$OUT/sets"; mkdir -p "$OUT/sets"
step "making documents for domains: $DOMAINS"
for d in $DOMAINS; do
    gen "$d" common "$COMMON" moby
    for b in $THESAURI; do gen "$d" "$b" "$THES_CLASSES" "$b"; done
done
for p in "${pids[@]}"; do wait "$p" || { echo "eval: a fit failed" >&2; exit 1; }; done
step "documents made; detectors fitted"

# ---- score
score() { # score A
    local a=$1
    { for d in $DOMAINS; do cut -f1 "$OUT/sets/$d/common/labels.tsv" | sed "s|^|$OUT/sets/$d/common/|"
          for b in $THESAURI; do cut -f1 "$OUT/sets/$d/$b/labels.tsv" | sed "s|^|$OUT/sets/$d/$b/|"; done
      done
      ls tests/data/foreign/*.txt; } | tr '\n' '\0' |
        xargs -0 "$S" score -f json -m "$OUT/fit/$a" > "$OUT/scores/$a.jsonl.tmp"
    mv "$OUT/scores/$a.jsonl.tmp" "$OUT/scores/$a.jsonl"
}
step "scoring with each fitted detector"
pids=()
for a in $THESAURI; do score "$a" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || { echo "eval: scoring failed" >&2; exit 1; }; done
step "scored"

elapsed=$(( $(date +%s) - t0 ))
node scripts/eval-matrix.js --eval-dir "$OUT" --thesauri "$THESAURI" --domains "$DOMAINS" --seconds "$elapsed" \
    --docs-md docs/eval.md --readme README.md ${SPINSCAN_EVAL_BASELINE:+--baseline "$SPINSCAN_EVAL_BASELINE"} \
    | tee "$OUT/table.txt"
step "wrote $OUT/results.json, docs/eval.md and the README's evaluation block (${elapsed} s before the report)"
