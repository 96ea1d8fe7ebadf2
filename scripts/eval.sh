#!/usr/bin/env bash
# eval.sh - the development evaluation of issue 5 (`make eval` runs this).
#
#   BUILD=build scripts/eval.sh
#
# 1. Makes sure the corpus is split (scripts/fetch-corpus.sh) and the Moby
#    thesaurus is there (scripts/fetch-moby.sh).
# 2. Builds the development set with scripts/synth.js from models/corpus/heldout
#    ONLY, with a fixed seed, into models/eval/dev/ (git-ignored): natural,
#    spun20/40/60, salad_shuffle, salad_markov, stuffing and mixed documents,
#    SPINSCAN_EVAL_DOCS (default 200) of each.
# 3. Scores every document with `spinscan score -f json -m MODEL` into
#    models/eval/scores.jsonl.
# 4. Prints the table (scripts/eval-report.js): document-level ROC-AUC per
#    class and pooled sentence-level AUC on the mixed documents, for spinscan
#    and for the plain perplexity baseline, against issue 5's targets; writes
#    models/eval/results.json and models/eval/table.txt.
# Exit status 0 when the evaluation ran (whatever the figures), 1 on an error;
# with SPINSCAN_EVAL_STRICT=1 also 1 when a target is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
MODEL=${SPINSCAN_EVAL_MODEL:-models/en}
DOCS=${SPINSCAN_EVAL_DOCS:-200}
SEED=5005            # fixed: the development set is the same on every machine
OUT=models/eval
DEV=$OUT/dev
step() { echo "eval: $*" >&2; }

[ -x "$S" ] || { echo "eval: $S is missing; run make first" >&2; exit 1; }
"$S" score --help >/dev/null 2>&1 || { echo "eval: $S has no working 'score' command" >&2; exit 1; }
[ -e "$MODEL/manifest.json" ] || { echo "eval: no model in $MODEL; run make model first" >&2; exit 1; }
command -v node >/dev/null || { echo "eval: node is required" >&2; exit 1; }

bash scripts/fetch-corpus.sh models/corpus
bash scripts/fetch-moby.sh models/corpus
mkdir -p "$OUT"

step "building the development set from models/corpus/heldout (seed $SEED, $DOCS documents per class)"
node scripts/synth.js --source models/corpus/heldout --thesaurus models/corpus/moby/words.txt \
    --seed "$SEED" --docs "$DOCS" --out "$DEV"

step "scoring $(wc -l < "$DEV/labels.tsv") documents with $S score -m $MODEL"
start=$(date +%s)
cut -f1 "$DEV/labels.tsv" | sed "s|^|$DEV/|" | tr '\n' '\0' |
    xargs -0 "$S" score -f json -m "$MODEL" > "$OUT/scores.jsonl.tmp"
mv "$OUT/scores.jsonl.tmp" "$OUT/scores.jsonl"
step "scored in $(( $(date +%s) - start )) s"

node scripts/eval-report.js "$DEV" "$OUT/scores.jsonl" "$OUT/results.json" | tee "$OUT/table.txt"
step "wrote $OUT/results.json and $OUT/table.txt"
if [ "${SPINSCAN_EVAL_STRICT:-0}" = 1 ]; then
    node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).all_pass ? 0 : 1)' "$OUT/results.json"
fi
