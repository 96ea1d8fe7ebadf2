#!/usr/bin/env bash
# build-detector.sh - the spin detector's half of the default model, in
# models/en/ beside the language model that scripts/build-model.sh made:
#
#   1. spun.arpa.gz: an order-3 language model of synthetically spun text, the training
#      split passed through the same sense-blind Moby spinner the evaluation
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
# The thesaurus of the synthetic spinner (both for the spun model's text and
# for the calibration documents) is SPINSCAN_THESAURUS, a words.txt in Moby's
# format (default: Moby, models/corpus/moby/words.txt; scripts/fetch-thesauri.sh
# makes Ding and GCIDE ones).  SPINSCAN_DETECTOR_OUT (default models/en) is the
# directory that holds the language model (model.bin or model.arpa.gz) and
# receives spun.* and detector.txt; SPINSCAN_CALIB_DIR (default models/calib)
# the calibration documents.  The evaluation matrix (scripts/eval.sh) fits the
# detector this way with each thesaurus A and measures it with the others.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
OUT=${SPINSCAN_DETECTOR_OUT:-models/en}
THESAURUS=${SPINSCAN_THESAURUS:-models/corpus/moby/words.txt}
CALIB=${SPINSCAN_CALIB_DIR:-models/calib}
ORDER=${SPINSCAN_SPUN_ORDER:-3}
RATE=0.5
ARTIFACTS=0.2 # share of replacements that leave a spinner's mark (synth.js --artifacts)
SEED=2002 # the spinner's seed for the training text (eval: 5005, calibration: 3003)
step() { echo "build-detector: $*" >&2; }
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

step "spinning the training text (rate $RATE, thesaurus $THESAURUS)"
node scripts/synth.js --spin-corpus "$RATE" --artifacts "$ARTIFACTS" --source models/corpus/train \
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

step "making calibration documents from models/corpus/calib"
SPINSCAN_THESAURUS=$THESAURUS bash scripts/calib-data.sh "$CALIB"
step "calibrating the detector"
"$S" calibrate -m "$model" --spun "$spun" -O "$tmp/detector.txt" "$CALIB/labels.tsv"

mv "$tmp/spun.arpa.gz" "$OUT/spun.arpa.gz"
[ -f "$tmp/spun.bin" ] && mv "$tmp/spun.bin" "$OUT/spun.bin"
mv "$tmp/detector.txt" "$OUT/detector.txt"
step "wrote $OUT/spun.arpa.gz$( [ -f "$OUT/spun.bin" ] && echo ", $OUT/spun.bin"), $OUT/detector.txt"
