#!/usr/bin/env bash
# make demo: score the sample documents with the default model and show the
# highlighted result (colour on a terminal; NO_COLOR or a pipe gives markers).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
[ -s models/en/detector.txt ] || { echo "demo: models/en is incomplete; run 'make model'" >&2; exit 1; }
"$S" score -m models/en tests/data/samples/*.txt tests/data/detect/*.txt
cat <<'TXT'

Each document: its spin score (0 natural .. 1 machine-made) and verdict, then every sentence
with its own score.  '>>' (or red) marks flagged sentences; [head] and [boil] are headings and
boilerplate, which are never judged.  The same in JSON or as an HTML page:
    build/spinscan score -f json FILE...        build/spinscan score -f html -o report.html FILE...
TXT
