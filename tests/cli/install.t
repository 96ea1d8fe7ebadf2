#!/usr/bin/env bash
# install.t - `make install PREFIX=DIR` gives what users of the library and the
# tool expect: a 20-line C program built with nothing but pkg-config detects
# spin and prints exactly the JSON `score -f json` prints (shared and static
# linking), the installed binary and library find the installed model
# whatever PREFIX the build had, man pages for spinscan and every command
# carry every option of --help, and the installed Python package works.
. "$(dirname "$0")/lib.sh"
SRC=${SPINSCAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${SPINSCAN_BUILD:-$SRC/build}
PY=${PYTHON:-python3}
if [ "$(basename "$BUILD")" != build ] || ! ls "$SRC"/models/en/model.* > /dev/null 2>&1 ||
    ! command -v pkg-config > /dev/null; then
    echo "1..0 # skip needs the plain build/ (not sanitized), models/en and pkg-config"
    exit 0
fi
P=$TMP/prefix
make -s -C "$SRC" install PREFIX="$P" BUILD="$BUILD" > "$TMP/install.log" 2>&1
t_ok $? "make install PREFIX=$P"
export PKG_CONFIG_PATH=$P/lib/pkgconfig
pkg-config --exists spinscan; t_ok $? "spinscan.pc is installed"
t_is "$(pkg-config --modversion spinscan)" "$("$SPINSCAN" --version | cut -d' ' -f2)" "  with the tool's version"

cat > "$TMP/prog.c" <<'C'
#include <spinscan.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text, stdin);
    spin_detector *d;
    spin_result *r;
    spin_diag diag;
    if (spin_detector_open(argc > 1 ? argv[1] : NULL, &d, &diag) != SPIN_OK ||
        spin_detect(d, text, len, &r, &diag) != SPIN_OK) {
        fprintf(stderr, "%s: %s\n", diag.path, diag.message);
        return 1;
    }
    spin_result_set_id(r, "-", 1);
    char *json = spin_result_json(r);
    printf("%s\n", json);
    free(json);
    spin_result_free(r);
    spin_detector_free(d);
    return 0;
}
C
t_ok $(( $(wc -l < "$TMP/prog.c") <= 25 ? 0 : 1 )) "the program is short ($(wc -l < "$TMP/prog.c") lines)"
# shellcheck disable=SC2046
cc -o "$TMP/prog" "$TMP/prog.c" $(pkg-config --cflags --libs spinscan) 2> "$TMP/cc.err"
t_ok $? "it builds with pkg-config --cflags --libs spinscan only"
DOC=$SRC/tests/data/samples/spun-back-pain.txt
# No SPINSCAN_MODEL, run from elsewhere: the library finds PREFIX/share/spinscan/en.
(cd "$TMP" && env -u SPINSCAN_MODEL LD_LIBRARY_PATH="$P/lib" ./prog < "$DOC") > "$TMP/api.json" 2> "$TMP/api.err"
t_ok $? "it detects spin with the default model lookup"
(cd "$TMP" && env -u SPINSCAN_MODEL "$P/bin/spinscan" score -f json - < "$DOC") > "$TMP/cli.json"
t_ok $? "the installed spinscan scores the same text"
cmp -s "$TMP/api.json" "$TMP/cli.json"; t_ok $? "  the program's JSON equals score -f json byte for byte"
grep -Eq '"verdict": "(spun|suspect)"' "$TMP/api.json"; t_ok $? "  and says spun or suspect (as test_api accepts)"

# The installed binary and library look beside themselves first: a broken
# installed calibration is what they report (not the source tree's model).
cp "$P/share/spinscan/en/detector.txt" "$TMP/detector.keep"
echo "not a calibration" > "$P/share/spinscan/en/detector.txt"
env -u SPINSCAN_MODEL "$P/bin/spinscan" score - < "$DOC" > /dev/null 2> "$TMP/err"
grep -q "$P/share/spinscan/en/detector.txt" "$TMP/err"; t_ok $? "the installed binary looks in PREFIX/share/spinscan/en (built with another PREFIX)"
(cd "$TMP" && env -u SPINSCAN_MODEL LD_LIBRARY_PATH="$P/lib" ./prog < "$DOC") > /dev/null 2> "$TMP/err"
grep -q "$P/share/spinscan/en/detector.txt" "$TMP/err"; t_ok $? "  and so does the installed shared library"
cp "$TMP/detector.keep" "$P/share/spinscan/en/detector.txt"

# Static: only the archive in the prefix, linked with pkg-config --static.
S=$TMP/static
mkdir -p "$S/lib/pkgconfig" "$S/include"
cp "$P/lib/libspinscan.a" "$S/lib/"
cp "$P/include/spinscan.h" "$S/include/"
sed "s|^prefix=.*|prefix=$S|" "$P/lib/pkgconfig/spinscan.pc" > "$S/lib/pkgconfig/spinscan.pc"
# shellcheck disable=SC2046
PKG_CONFIG_PATH=$S/lib/pkgconfig cc -o "$TMP/prog-static" "$TMP/prog.c" \
    $(PKG_CONFIG_PATH=$S/lib/pkgconfig pkg-config --static --cflags --libs spinscan) 2> "$TMP/cc.err"
t_ok $? "static linking with pkg-config --static --libs spinscan"
ldd "$TMP/prog-static" 2>/dev/null | grep -q libspinscan; t_ok $((! $?)) "  the program does not need libspinscan.so"
"$TMP/prog-static" "$P/share/spinscan/en" < "$DOC" > "$TMP/static.json"
cmp -s "$TMP/static.json" "$TMP/cli.json"; t_ok $? "  and prints the same JSON"

# Man pages: spinscan(1) and one per command, with every option of --help.
cmds=$("$SPINSCAN" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
[ -s "$P/share/man/man1/spinscan.1" ]; t_ok $? "spinscan.1 is installed"
missing=""
for c in $cmds; do
    page=$P/share/man/man1/spinscan-$c.1
    [ -s "$page" ] || { missing="$missing $c(no page)"; continue; }
    grep -qF "spinscan\\-$c\\fR(1)" "$P/share/man/man1/spinscan.1" || missing="$missing $c(not in spinscan.1)"
    for o in $("$SPINSCAN" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$page" || missing="$missing $c:$o"
    done
done
t_is "${missing:-none}" none "a man page per command ($(echo $cmds | wc -w)) with every --help option"

# The installed Python package finds the installed library and model.
PYD=$(dirname "$(dirname "$(find "$P/lib" -path '*dist-packages/spinscan/__init__.py' | head -1)")")
(cd "$TMP" && env -u SPINSCAN_MODEL -u SPINSCAN_LIBRARY PYTHONPATH="$PYD" "$PY" -c '
import json, sys, spinscan
assert spinscan.__file__.startswith(sys.argv[1]), spinscan.__file__
print(json.dumps(spinscan.Detector().score(open(sys.argv[2]).read(), id="-"), ensure_ascii=False))
' "$PYD" "$DOC") > "$TMP/py.json" 2> "$TMP/py.err"
t_ok $? "the installed Python package imports and scores (no PYTHONPATH to the source)"
"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a != b)' \
    "$TMP/py.json" "$TMP/cli.json"
t_ok $? "  giving the dict of score -f json"
t_done
