#!/usr/bin/env bash
# build-detector.sh - the spin detector's half of the default model, in
# models/en/ beside the language model that scripts/build-model.sh made:
#
#   1. spun.arpa.gz: an order-3 language model of synthetically spun text, (part of)
#      the training split passed through the same sense-blind Moby spinner the evaluation
#      uses (scripts/synth.js --spin-corpus), at half of the eligible words,
#      a fifth of the replacements leaving a spinner's mark (a repeated word,
#      an inverted adjective), as real spinners do.
#      The per-sentence log-likelihood ratio between this model and the
#      natural one is the detector's strongest feature for thesaurus spinning.
#      Order 3 rather than 4: half the memory and 13-18% more documents per
#      CPU-second for 0.005 of sentence-level AUC (calibration-split validation).
#   2. detector.txt: the detector's parameters, fitted by `spinscan calibrate`
#      on synthetic documents made from the calibration split only
#      (scripts/calib-data.sh), text neither model was trained on.
#
#   BUILD=build scripts/build-detector.sh        (make model runs this)
#
# The settings (orders, spin rate, seeds, how much text the spun model sees)
# come from the recipe's "detector" section (models/en/recipe.json).  The same
# options as scripts/build-model.sh select the text and the output:
#   SPINSCAN_MODEL_DIR (default models/en; the language model must be there),
#   SPINSCAN_EXCLUDE_DOMAIN, SPINSCAN_EXCLUDE_SOURCE: neither the spun model
#   nor the calibration sees those domains or sources.
# The thesaurus of the synthetic spinner (for the spun model's text and for the
# calibration documents) is SPINSCAN_THESAURUS, a words.txt in Moby's format
# (default Moby, models/corpus/moby/words.txt; scripts/fetch-thesauri.sh makes
# Ding and GCIDE ones); SPINSCAN_CALIB_DIR overrides where the calibration
# documents go.  The evaluation matrix (scripts/eval.sh) fits the detector this
# way with each thesaurus A and measures it with the others.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
RECIPE=${SPINSCAN_RECIPE:-models/en/recipe.json}
OUT=${SPINSCAN_MODEL_DIR:-models/en}
XDOM=${SPINSCAN_EXCLUDE_DOMAIN:-}
XSRC=${SPINSCAN_EXCLUDE_SOURCE:-}
THESAURUS=${SPINSCAN_THESAURUS:-models/corpus/moby/words.txt}
recipe() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2:]]; print(v)' "$RECIPE" "$@"; }
ORDER=${SPINSCAN_SPUN_ORDER:-$(recipe detector spun_order)}
RATE=$(recipe detector spin_rate)
ARTIFACTS=$(recipe detector artifacts) # share of replacements that leave a spinner's mark (synth.js --artifacts)
SEED=$(recipe detector spin_seed) # the spinner's seed for the training text (eval: 5005, calibration: 3003)
SPUN_WORDS=$(recipe detector spun_train_words) # how much of the training split is spun (0: all)
step() { echo "build-detector: [$(date +%H:%M:%S)] $*" >&2; }
[ -x "$S" ] || { echo "build-detector: $S is missing; run make first" >&2; exit 1; }
model=
for f in "$OUT"/model.bin "$OUT"/model.arpa.gz; do
    if [ -s "$f" ]; then model=$f; break; fi
done
[ -n "$model" ] || { echo "build-detector: no model in $OUT; run scripts/build-model.sh first" >&2; exit 1; }

bash scripts/fetch-corpus.sh models/corpus
bash scripts/fetch-moby.sh models/corpus
[ -s "$THESAURUS" ] || { echo "build-detector: no thesaurus $THESAURUS (scripts/fetch-thesauri.sh makes them)" >&2; exit 1; }
tmp=$(mktemp -d "$OUT/.detector.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

step "selecting about $SPUN_WORDS words of the training split for the spun model"
python3 scripts/corpus.py train-text --recipe "$RECIPE" --corpus models/corpus --out "$tmp/natural" \
    --budget "$SPUN_WORDS" --exclude-domain "$XDOM" --exclude-source "$XSRC"
step "spinning it (rate $RATE, thesaurus $THESAURUS)"
node scripts/synth.js --spin-corpus "$RATE" --artifacts "$ARTIFACTS" --source "$tmp/natural" \
    --thesaurus "$THESAURUS" --seed "$SEED" --out "$tmp/spun.txt"
step "training the spun model (order $ORDER)"
"$S" train -o "$ORDER" -O "$tmp/spun.arpa.gz" "$tmp/spun.txt" 2> "$tmp/train.err" || {
    cat "$tmp/train.err" >&2; exit 1; }
spun=$tmp/spun.arpa.gz
if "$S" --help 2>/dev/null | grep -q '^  compile '; then
    step "compiling the spun model"
    "$S" compile "$tmp/spun.arpa.gz" "$tmp/spun.bin"
    spun=$tmp/spun.bin
fi

calib=models/calib
[ -z "$XDOM$XSRC" ] || calib=$tmp/calib
calib=${SPINSCAN_CALIB_DIR:-$calib}
step "making calibration documents from models/corpus/calib into $calib"
SPINSCAN_THESAURUS=$THESAURUS bash scripts/calib-data.sh "$calib"
step "calibrating the detector"
"$S" calibrate -m "$model" --spun "$spun" -O "$tmp/detector.txt" "$calib/labels.tsv"

mv "$tmp/spun.arpa.gz" "$OUT/spun.arpa.gz"
[ -f "$tmp/spun.bin" ] && mv "$tmp/spun.bin" "$OUT/spun.bin"
mv "$tmp/detector.txt" "$OUT/detector.txt"
step "wrote $OUT/spun.arpa.gz$( [ -f "$OUT/spun.bin" ] && echo ", $OUT/spun.bin"), $OUT/detector.txt"
