#!/usr/bin/env bash
# refresh-binaries.sh - recompile models/en/*.bin from their ARPA files when a
# binary is missing or this build cannot load it (for example after a format
# version change), so that an existing checkout keeps working after an update.
# Loading a binary costs about a millisecond, so the check is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
"$S" --help 2>/dev/null | grep -q '^  compile ' || exit 0
for name in model spun; do
    arpa=models/en/$name.arpa.gz bin=models/en/$name.bin
    [ -s "$arpa" ] || continue
    if [ -s "$bin" ] && "$S" query -v summary "$bin" < /dev/null > /dev/null 2>&1; then
        continue
    fi
    echo "refresh-binaries: compiling $bin from $arpa" >&2
    "$S" compile "$arpa" "$bin"
done
