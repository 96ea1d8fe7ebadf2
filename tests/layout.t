#!/usr/bin/env bash
# layout.t - the architecture stated in README.md ("Layout") holds in src/.
#
# 1. Layers: src/util < src/text < src/lm < src/detect < src/crawl < src/cli.  A
#    file includes project headers only from its own layer or a layer below it.
# 2. No include cycles between modules (a module is NAME.c with NAME.h): tsort
#    finds every loop in the "includes" graph.
# 3. Every subsystem's main header opens with a comment saying what it owns.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LAYERS="util text lm detect crawl api cli"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

rank_of() {
    local i=0 l
    for l in $LAYERS; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
    echo -1
}

# Nothing outside the subsystem folders.
stray=$(find src -maxdepth 1 -type f -name '*.[ch]' | sort)
if [ -z "$stray" ]; then ok "every source file is in a subsystem folder"; else notok "files directly in src/: $stray"; fi
unknown=""
for d in src/*/; do
    d=${d%/}
    [ "$(rank_of "${d#src/}")" -ge 0 ] || unknown="$unknown $d"
done
if [ -z "$unknown" ]; then ok "every folder under src/ is a known layer"; else notok "unknown layers:$unknown"; fi

bad=""
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in src/*/*.[ch]; do
    layer=$(basename "$(dirname "$f")")
    r=$(rank_of "$layer")
    mod="$layer/$(basename "${f%.*}")"
    while read -r inc; do
        case $inc in
        */*) ;;
        *) inc="$layer/$inc" ;; # a header beside the file
        esac
        il=${inc%%/*}
        ir=$(rank_of "$il")
        if [ "$ir" -lt 0 ] && [ "$il" != spinscan.h ]; then
            [ -f "src/$inc" ] || continue
        fi
        if [ "$ir" -gt "$r" ]; then bad="$bad $f->$inc"; fi
        target="${inc%.h}"
        [ "$target" != "$mod" ] && echo "$target $mod" >> "$edges"
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
if [ -z "$bad" ]; then ok "no file includes a header of a higher layer"; else notok "upward includes:$bad"; fi
if loops=$(tsort "$edges" 2>&1 >/dev/null) && [ -z "$loops" ]; then
    ok "no include cycles between modules ($(wc -l < "$edges") edges)"
else
    notok "include cycle: $(echo "$loops" | tr '\n' ' ')"
fi

# The main header of each library layer says what it owns and what it may call.
for l in util text lm detect crawl api; do
    h=$(ls src/$l/*.h 2>/dev/null | head -1)
    main="src/$l/$l.h"
    [ -f "$main" ] || main=$(grep -l "^ \* Subsystem" src/$l/*.h 2>/dev/null | head -1)
    if [ -n "$main" ] && grep -q "May call" "$main"; then
        ok "src/$l has a main header ($main) saying what it owns and may call"
    else
        notok "src/$l: no header with a 'Subsystem ... May call' comment (first header: $h)"
    fi
done

# The README's layout section names every folder under src/.
for d in src/*/; do
    d=${d%/}
    if grep -q "^ *$d/\|\`$d/\`\|^ *${d#src/}/" README.md docs/*.md 2>/dev/null; then
        ok "the layout section names $d/"
    else
        notok "README.md (or docs/) does not describe $d/"
    fi
done

echo "1..$n"
[ "$fail" -eq 0 ]
