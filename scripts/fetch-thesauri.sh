#!/usr/bin/env bash
# fetch-thesauri.sh - the three thesauri of the evaluation matrix, fetched and
# converted to Moby's words.txt format (headword,syn1,syn2,...; see
# scripts/thesaurus.js), so any spinner can use any of them:
#
#   scripts/fetch-thesauri.sh [DIR]        (DIR defaults to models/thesauri)
#
#   DIR/moby/words.txt    npm `moby` (scripts/fetch-moby.sh), one line per headword
#   DIR/ding/words.txt    Debian `trans-de-en` (the Ding dictionary, GPL-2+):
#                         the English alternatives of one sense are synonyms
#   DIR/gcide/words.txt   Debian `dict-gcide` (GCIDE, Webster 1913, GPL-3+): the
#                         "Syn." lists, every block tagged [WordNet 1.5] left out
#   DIR/pos.txt           word -> parts of speech from Ding and GCIDE (the
#                         careful spinner's part-of-speech check)
#   DIR/versions.json     package and version of each, with the converter's counts
#
# Debian packages are fetched with `apt-get download` (no root needed, no
# install) and cached in models/corpus/pkg.  Never WordNet or anything derived
# from it.  Nothing fetched here is ever committed.  Does nothing when
# DIR/versions.json is current.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-models/thesauri}
PKG=models/corpus/pkg
LAYOUT="spinscan thesauri 1"
step() { echo "fetch-thesauri: $*" >&2; }

if [ -s "$DIR/versions.json" ] && [ "$(cat "$DIR/layout.txt" 2>/dev/null)" = "$LAYOUT" ] &&
    [ -s "$DIR/moby/words.txt" ] && [ -s "$DIR/ding/words.txt" ] && [ -s "$DIR/gcide/words.txt" ]; then
    exit 0
fi
for tool in apt-get dpkg-deb node gzip; do
    command -v "$tool" >/dev/null || { echo "fetch-thesauri: $tool is required" >&2; exit 1; }
done
mkdir -p "$PKG" "$DIR/moby" "$DIR/ding" "$DIR/gcide"
rm -f "$DIR/layout.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# deb NAME -> the cached .deb's path (apt-get download into the cache).
deb() {
    local f
    f=$(ls "$PKG/$1"_*.deb 2>/dev/null | tail -1 || true)
    if [ -z "$f" ]; then
        step "apt-get download $1"
        (cd "$work" && apt-get download "$1" >&2) || {
            echo "fetch-thesauri: apt-get download $1 failed (run apt-get update?)" >&2; exit 1; }
        mv "$work/$1"_*.deb "$PKG/"
        f=$(ls "$PKG/$1"_*.deb | tail -1)
    fi
    echo "$f"
}

bash scripts/fetch-moby.sh models/corpus
cp models/corpus/moby/words.txt "$DIR/moby/words.txt.tmp" && mv "$DIR/moby/words.txt.tmp" "$DIR/moby/words.txt"

ding_deb=$(deb trans-de-en)
gcide_deb=$(deb dict-gcide)
dpkg-deb -x "$ding_deb" "$work/ding"
dpkg-deb -x "$gcide_deb" "$work/gcide"
step "converting Ding"
ding_stats=$(node scripts/thesaurus.js ding "$work/ding/usr/share/trans/de-en" "$DIR/ding/words.txt" "$work/ding.pos")
step "converting GCIDE (Syn. lists without [WordNet 1.5] blocks)"
gzip -dc "$work/gcide/usr/share/dictd/gcide.dict.dz" > "$work/gcide.txt"
gcide_stats=$(node scripts/thesaurus.js gcide "$work/gcide.txt" "$DIR/gcide/words.txt" "$work/gcide.pos")
# The union of both part-of-speech lists.
sort -m "$work/ding.pos" "$work/gcide.pos" | awk -F'\t' '
    $1 != w { if (w != "") print w "\t" p; w = $1; p = $2; next }
    { n = split(p "," $2, a, ","); delete s; p = ""; for (i = 1; i <= n; i++) if (!(a[i] in s)) { s[a[i]]; p = p (p == "" ? "" : ",") a[i] } }
    END { if (w != "") print w "\t" p }' > "$DIR/pos.txt"

ver() { dpkg-deb -f "$1" Package Version | paste -sd ' ' | sed 's/Package: //; s/ Version: /@/'; }
node -e '
    const [moby, ding, gcide, ds, gs, out] = process.argv.slice(1);
    const r = { moby: { source: "npm " + moby, licence: "public domain" },
        ding: { source: "Debian " + ding, licence: "GPL-2+", ...JSON.parse(ds) },
        gcide: { source: "Debian " + gcide, licence: "GPL-3+", wordnet: "blocks tagged [WordNet 1.5] left out", ...JSON.parse(gs) } };
    require("fs").writeFileSync(out, JSON.stringify(r, null, 2) + "\n");' \
    "$(cat models/corpus/moby/version.txt)" "$(ver "$ding_deb")" "$(ver "$gcide_deb")" "$ding_stats" "$gcide_stats" \
    "$DIR/versions.json"
echo "$LAYOUT" > "$DIR/layout.txt"
step "wrote $DIR/{moby,ding,gcide}/words.txt and $DIR/pos.txt ($(wc -l < "$DIR/ding/words.txt") Ding and $(wc -l < "$DIR/gcide/words.txt") GCIDE sense lines)"
