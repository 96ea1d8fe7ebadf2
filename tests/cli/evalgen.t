#!/usr/bin/env bash
# The evaluation matrix's generators and table writer (scripts/evalgen.js,
# scripts/thesaurus.js, scripts/eval-matrix.js) on the hand-written fixtures in
# tests/data/evalgen/: each spinner's definition, labels by byte offsets, the
# thesaurus converters, the worst-cell table.  Not the detector's figures
# (`make eval` measures those).  The checks are in evalgen-check.js.
set -u
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v node >/dev/null; then
    t_skip "node is not installed"
    t_done
    exit
fi
node "$ROOT/tests/cli/evalgen-check.js" "$ROOT" "$TMP"
