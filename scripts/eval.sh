#!/usr/bin/env bash
# eval.sh - the evaluation matrix of issue 13 (`make eval` runs this).
#
#   BUILD=build scripts/eval.sh
#
# Cross-thesaurus, cross-domain: the detector is FITTED with the spinner's
# thesaurus A (spun model and calibration: scripts/build-detector.sh with
# SPINSCAN_THESAURUS=A) and MEASURED on documents spun with thesaurus B, for
# A, B in {moby, ding, gcide} (scripts/fetch-thesauri.sh), on the natural text
# of each domain, with a language model that never saw that domain.  The
# headline is the WORST cell over A != B and domains; same-thesaurus cells
# (A = B) are shown for information only.
#
# Domains (SPINSCAN_EVAL_DOMAINS, default "web documentation fiction game
# speeches"):
#   web      the project's own articles (tests/data/web), never trained on:
#            measured with the default model, models/en (A = moby is the
#            shipped detector; ding and gcide are fitted the same way, with the
#            recipe's settings, into models/eval/fit/web/A).
#   others   a domain of the recipe (models/en/recipe.json), measured on its
#            held-out documents with a leave-one-domain-out model: the language
#            model (scripts/build-model.sh --exclude-domain D --train-words
#            SPINSCAN_EVAL_TRAIN_WORDS, default 3 M) and every detector fit
#            (SPINSCAN_EXCLUDE_DOMAIN=D) are made without the domain, in
#            models/eval/fit/D/.  To stay within 20 minutes on 2 cores these
#            fits spin SPINSCAN_EVAL_SPUN_WORDS (default 1.5 M) words of
#            training text and calibrate on SPINSCAN_EVAL_CALIB_DOCS (default
#            120) source documents instead of the recipe's figures.
#   With the old three-corpus layout (no models/corpus/sources.json) each file
#   of models/corpus/heldout is a domain measured with the default model.
#
# Steps: thesauri and corpus; fits (two jobs at a time); documents
# (scripts/evalgen.js, seed 5005; the classes without a thesaurus once per
# domain, the thesaurus classes once per domain and thesaurus B;
# SPINSCAN_EVAL_DOCS, default 100, source documents per domain);
# tests/data/foreign (must be refused); scoring with every fitted detector
# (`spinscan score -f json`); the report (scripts/eval-matrix.js):
# models/eval/results.json, docs/eval.md (every cell) and the README's block
# (worst cells).  SPINSCAN_EVAL_BASELINE=LABEL also stores this run's worst
# cells as a baseline row named LABEL in docs/eval-baselines.json.
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
TRAIN_WORDS=${SPINSCAN_EVAL_TRAIN_WORDS:-3000000}
SPUN_WORDS=${SPINSCAN_EVAL_SPUN_WORDS:-1500000}
CALIB_DOCS=${SPINSCAN_EVAL_CALIB_DOCS:-120}
RECIPE=${SPINSCAN_RECIPE:-models/en/recipe.json}
t0=$(date +%s)
step() { echo "eval: [$(( $(date +%s) - t0 )) s] $*" >&2; }

[ -x "$S" ] || { echo "eval: $S is missing; run make first" >&2; exit 1; }
[ -e models/en/manifest.json ] && [ -s models/en/detector.txt ] ||
    { echo "eval: no model in models/en; run make model first" >&2; exit 1; }
command -v node >/dev/null || { echo "eval: node is required" >&2; exit 1; }

bash scripts/fetch-corpus.sh models/corpus
bash scripts/fetch-thesauri.sh models/thesauri
rm -rf "$OUT/fit" "$OUT/sets" "$OUT/scores" "$OUT/domains" "$OUT/domains.json" "$OUT/results.json" "$OUT/table.txt"
mkdir -p "$OUT/fit" "$OUT/sets" "$OUT/scores" "$OUT/domains"

# ---- domains: NAME -> models/eval/domains/NAME/*.txt and its model ("default" or "lodo")
lodo=0
[ -s models/corpus/sources.json ] && [ -s "$RECIPE" ] && lodo=1
mkdir -p "$OUT/domains/web"
for f in tests/data/web/[0-9]*.txt; do cat "$f"; echo; done > "$OUT/domains/web/web.txt"
if [ "$lodo" = 1 ]; then
    DOMAINS=${SPINSCAN_EVAL_DOMAINS:-web documentation fiction game speeches}
    for d in $DOMAINS; do
        [ "$d" = web ] && continue
        mkdir -p "$OUT/domains/$d"
        files=$(python3 scripts/corpus.py files --recipe "$RECIPE" --corpus models/corpus --split heldout --domain "$d")
        [ -n "$files" ] || { echo "eval: domain $d has no held-out files" >&2; exit 1; }
        for f in $files; do ln -s "$(pwd)/$f" "$OUT/domains/$d/"; done
    done
else
    for f in models/corpus/heldout/*.txt; do
        d=$(basename "$f" .txt); mkdir -p "$OUT/domains/$d"; ln -s "$(pwd)/$f" "$OUT/domains/$d/"
    done
    DOMAINS=${SPINSCAN_EVAL_DOMAINS:-$(ls "$OUT/domains" | tr '\n' ' ')}
fi
DOMAINS=$(echo $DOMAINS)
model_of() { if [ "$lodo" = 1 ] && [ "$1" != web ]; then echo lodo; else echo default; fi; }
node -e '
    const fs = require("fs");
    const [lodo, ...ds] = process.argv.slice(1);
    const out = {};
    for (const d of ds) out[d] = { dir: "models/eval/domains/" + d,
        source: d === "web" ? "tests/data/web (project-written, never trained on)" :
            fs.readdirSync("models/eval/domains/" + d).map(f => "heldout/" + f).join(", "),
        model: d === "web" || lodo !== "1" ? "models/en (default)" : "leave-one-domain-out: models/eval/fit/" + d,
        model_trained_on_same_source: d !== "web" && lodo !== "1" };
    fs.writeFileSync("models/eval/domains.json.tmp", JSON.stringify(out, null, 2) + "\n");
    fs.renameSync("models/eval/domains.json.tmp", "models/eval/domains.json");' "$lodo" $DOMAINS

# ---- fits: models/eval/fit/D/A for every domain D and thesaurus A
# An eval recipe for the leave-one-domain-out fits: fewer spun words and calibration documents.
if [ "$lodo" = 1 ]; then
    node -e '
        const fs = require("fs");
        const [src, out, spun, calib] = process.argv.slice(1);
        const r = JSON.parse(fs.readFileSync(src, "utf8"));
        r.detector.spun_train_words = Number(spun);
        r.detector.calib_docs = Number(calib);
        fs.writeFileSync(out, JSON.stringify(r, null, 2) + "\n");' "$RECIPE" "$OUT/fit/recipe-eval.json" "$SPUN_WORDS" "$CALIB_DOCS"
fi
fit() { # fit DOMAIN A
    local d=$1 a=$2 dir=$OUT/fit/$1/$2 lm=models/en xdom= recipe=$RECIPE
    if [ "$(model_of "$d")" = lodo ]; then lm=$OUT/fit/$d/lm; xdom=$d; recipe=$OUT/fit/recipe-eval.json; fi
    rm -rf "$dir"; mkdir -p "$dir"
    if [ "$lm" = models/en ] && [ "$a" = moby ]; then # the shipped detector
        for f in models/en/*; do ln -s "$(pwd)/$f" "$dir/"; done
        return
    fi
    for f in model.bin model.arpa.gz manifest.json; do
        [ -e "$lm/$f" ] && ln -s "$(pwd)/$lm/$f" "$dir/"
    done
    SPINSCAN_RECIPE=$recipe SPINSCAN_THESAURUS=models/thesauri/$a/words.txt SPINSCAN_MODEL_DIR=$dir \
        SPINSCAN_EXCLUDE_DOMAIN=$xdom SPINSCAN_CALIB_DIR=$dir/calib \
        BUILD=$BUILD nice -n 5 bash scripts/build-detector.sh > "$dir/build.log" 2>&1 || {
        cat "$dir/build.log" >&2; echo "eval: fitting $d with $a failed" >&2; return 1; }
}
lm() { # lm DOMAIN: the leave-one-domain-out language model
    local d=$1
    rm -rf "$OUT/fit/$d"; mkdir -p "$OUT/fit/$d"
    BUILD=$BUILD nice -n 5 bash scripts/build-model.sh --out "$OUT/fit/$d/lm" --exclude-domain "$d" \
        --train-words "$TRAIN_WORDS" > "$OUT/fit/$d.lm.log" 2>&1 || {
        cat "$OUT/fit/$d.lm.log" >&2; echo "eval: the model without $d failed" >&2; return 1; }
}
lodo_domain() { # the model without domain D, then the detector fitted with each thesaurus
    lm "$1" || return 1
    step "model without $1 built"
    for a in $THESAURI; do fit "$1" "$a" || return 1; done
}
# A tiny job runner: at most 2 jobs at a time; a failed job fails the run.
jobs_pids=()
run2() {
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || { echo "eval: a job failed" >&2; exit 1; }; done
    "$@" & jobs_pids+=($!)
}
wait_all() { for p in "${jobs_pids[@]}"; do wait "$p" || { echo "eval: a job failed" >&2; exit 1; }; done; jobs_pids=(); }

step "domains: $DOMAINS; fitting the detector with each thesaurus (web, moby: the shipped models/en)"
for d in $DOMAINS; do
    if [ "$(model_of "$d")" = lodo ]; then
        run2 lodo_domain "$d"
    else
        for a in $THESAURI; do run2 fit "$d" "$a"; done
    fi
done

# ---- documents (while the fits run)
node -e 'require("./scripts/evalgen.js").writeFreq(process.argv[1], process.argv[2])' models/corpus/train "$OUT/freq.tsv"
gen() { # gen DOMAIN SET CLASSES THESAURUS
    local min=8
    [ "$1" = web ] && min=6 # articles of 8..16 sentences: most become one document
    node scripts/evalgen.js --source "$OUT/domains/$1" --thesaurus "models/thesauri/$4/words.txt" \
        --pos models/thesauri/pos.txt --freq "$OUT/freq.tsv" --seed "$SEED" --docs "$DOCS" \
        --min-units "$min" --max-units 20 --classes "$3" --out "$OUT/sets/$1/$2" 2>> "$OUT/sets/gen.log"
}
step "making documents"
for d in $DOMAINS; do
    run2 gen "$d" common "$COMMON" moby
    for b in $THESAURI; do run2 gen "$d" "$b" "$THES_CLASSES" "$b"; done
done
wait_all
step "documents made; detectors fitted"

# ---- score: every domain's documents with that domain's detectors; foreign documents with the default ones
score() { # score DOMAIN A
    local d=$1 a=$2
    { cut -f1 "$OUT/sets/$d/common/labels.tsv" | sed "s|^|$OUT/sets/$d/common/|"
      for b in $THESAURI; do cut -f1 "$OUT/sets/$d/$b/labels.tsv" | sed "s|^|$OUT/sets/$d/$b/|"; done
      if [ "$d" = web ]; then ls tests/data/foreign/*.txt; fi; } | tr '\n' '\0' |
        xargs -0 "$S" score -f json -m "$OUT/fit/$d/$a" > "$OUT/scores/$d.$a.jsonl.tmp"
    mv "$OUT/scores/$d.$a.jsonl.tmp" "$OUT/scores/$d.$a.jsonl"
}
step "scoring"
for d in $DOMAINS; do for a in $THESAURI; do run2 score "$d" "$a"; done; done
wait_all
for a in $THESAURI; do cat "$OUT"/scores/*."$a".jsonl > "$OUT/scores/$a.jsonl"; done
step "scored"

elapsed=$(( $(date +%s) - t0 ))
# CPU seconds of everything this script ran (the machine may be shared: wall time is noisy).
times > "$OUT/times.txt" # in this shell: a command substitution would see no children
cpu=$(tail -1 "$OUT/times.txt" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.0f", t }')
node scripts/eval-matrix.js --eval-dir "$OUT" --thesauri "$THESAURI" --domains "$DOMAINS" --seconds "$elapsed" --cpu-seconds "$cpu" \
    --docs-md docs/eval.md --readme README.md ${SPINSCAN_EVAL_BASELINE:+--baseline "$SPINSCAN_EVAL_BASELINE"}
step "wrote $OUT/results.json, docs/eval.md and the README's evaluation block (${elapsed} s wall, ${cpu} CPU-s before the report)"
