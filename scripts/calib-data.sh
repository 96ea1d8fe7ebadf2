#!/usr/bin/env bash
# calib-data.sh - synthetic calibration data for `spinscan calibrate`.
#
#   scripts/calib-data.sh [OUTDIR]        (OUTDIR defaults to models/calib)
#
# Makes sure the corpus is split (scripts/fetch-corpus.sh) and the Moby
# thesaurus is there (scripts/fetch-moby.sh), then runs scripts/synth.js on
# models/corpus/calib ONLY, with a seed different from the evaluation's, into
# OUTDIR (git-ignored): OUTDIR/<class>/<id>.txt and OUTDIR/labels.tsv, in the
# format documented at the top of scripts/synth.js.  SPINSCAN_CALIB_DOCS
# (default 200) source documents, one document of each class from each.
# Warns when models/en was trained on a corpus other than the current
# models/corpus/train (e.g. before the calib split existed), since then the
# calibration text may have been trained on.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-models/calib}
DOCS=${SPINSCAN_CALIB_DOCS:-200}
SEED=3003            # fixed, and not eval.sh's
# Real spinners leave marks beyond synonyms (repeated words, inverted
# adjectives: see synth.js --artifacts); calibration sees some, the
# evaluation's spinner none.
ARTIFACTS=${SPINSCAN_CALIB_ARTIFACTS:-0.2}
# The spinner's thesaurus (Moby's words.txt format; default Moby).
THESAURUS=${SPINSCAN_THESAURUS:-models/corpus/moby/words.txt}
command -v node >/dev/null || { echo "calib-data: node is required" >&2; exit 1; }

bash scripts/fetch-corpus.sh models/corpus
bash scripts/fetch-moby.sh models/corpus

if [ -s models/en/manifest.json ]; then
    node -e '
        const fs = require("fs");
        const m = JSON.parse(fs.readFileSync("models/en/manifest.json", "utf8"));
        const raw = (m.training && m.training.raw) || {};
        const now = fs.readdirSync("models/corpus/train").filter(f => f.endsWith(".txt")).sort();
        const stale = Object.keys(raw).sort().join() !== now.join() ||
            now.some(f => raw[f].bytes !== fs.statSync("models/corpus/train/" + f).size);
        if (stale) console.error("calib-data: warning: models/en was not trained on the current models/corpus/train " +
            "(it may include the calibration text); rebuild it with make model");' || true
fi

echo "calib-data: building calibration data from models/corpus/calib (seed $SEED, $DOCS documents per class)" >&2
node scripts/synth.js --source models/corpus/calib --thesaurus "$THESAURUS" \
    --seed "$SEED" --docs "$DOCS" --artifacts "$ARTIFACTS" --out "$OUT"
