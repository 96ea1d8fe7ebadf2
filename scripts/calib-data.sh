#!/usr/bin/env bash
# calib-data.sh - synthetic calibration data for `spinscan calibrate`.
#
#   scripts/calib-data.sh [OUTDIR]        (OUTDIR defaults to models/calib)
#
# Makes sure the corpus is split (scripts/fetch-corpus.sh) and the Moby
# thesaurus is there (scripts/fetch-moby.sh), then runs scripts/synth.js on
# models/corpus/calib ONLY, with a seed different from the evaluation's, into
# OUTDIR (git-ignored): OUTDIR/<class>/<id>.txt and OUTDIR/labels.tsv, in the
# format documented at the top of scripts/synth.js.  The seed, the number of
# source documents (one document of each class from each) and the share of
# spinner artefacts come from the recipe's "detector" section
# (models/en/recipe.json); SPINSCAN_CALIB_DOCS and SPINSCAN_CALIB_ARTIFACTS
# override them.  SPINSCAN_EXCLUDE_DOMAIN / SPINSCAN_EXCLUDE_SOURCE (comma
# lists) leave those domains' or sources' calibration files out.
# Warns when models/en was trained on a corpus other than the current
# models/corpus/train, since then the calibration text may have been trained on.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-models/calib}
RECIPE=${SPINSCAN_RECIPE:-models/en/recipe.json}
recipe() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2:]]; print(v)' "$RECIPE" "$@"; }
DOCS=${SPINSCAN_CALIB_DOCS:-$(recipe detector calib_docs)}
SEED=$(recipe detector calib_seed)            # fixed, and not eval.sh's
# Real spinners leave marks beyond synonyms (repeated words, inverted
# adjectives: see synth.js --artifacts); calibration sees some, the
# evaluation's spinner none.
ARTIFACTS=${SPINSCAN_CALIB_ARTIFACTS:-$(recipe detector calib_artifacts)}
# The spinner's thesaurus (Moby's words.txt format; default Moby).
THESAURUS=${SPINSCAN_THESAURUS:-models/corpus/moby/words.txt}
command -v node >/dev/null || { echo "calib-data: node is required" >&2; exit 1; }

bash scripts/fetch-corpus.sh models/corpus
bash scripts/fetch-moby.sh models/corpus

if [ -s models/en/manifest.json ]; then
    python3 - "$RECIPE" <<'PY' || true
import json, os, sys
m = json.load(open('models/en/manifest.json'))
src = json.load(open('models/corpus/sources.json'))
trained = (m.get('training') or {}).get('sources') or {}
stale = not trained or any(v.get('corpus_words', {}).get('train') != (src.get(k) or {}).get('train', {}).get('words')
                           for k, v in trained.items() if v.get('trained'))
if stale:
    sys.stderr.write('calib-data: warning: models/en was not trained on the current models/corpus/train '
                     '(it may include the calibration text); rebuild it with make model\n')
PY
fi

# The calibration files of the selected sources, linked into one folder.
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
for f in $(python3 scripts/corpus.py files --recipe "$RECIPE" --corpus models/corpus --split calib \
        --exclude-domain "${SPINSCAN_EXCLUDE_DOMAIN:-}" --exclude-source "${SPINSCAN_EXCLUDE_SOURCE:-}"); do
    ln -s "$PWD/$f" "$src/"
done
echo "calib-data: building calibration data from models/corpus/calib ($(ls "$src" | wc -l) sources, seed $SEED, $DOCS documents per class)" >&2
node scripts/synth.js --source "$src" --thesaurus "$THESAURUS" \
    --seed "$SEED" --docs "$DOCS" --artifacts "$ARTIFACTS" --out "$OUT"
