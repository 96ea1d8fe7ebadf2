#!/usr/bin/env bash
# Every command the README shows runs as written: the lines of its ```sh
# blocks are run one by one, in order, in a fresh directory, with the built
# spinscan first on PATH, the built library and Python package found, and the
# default model (models/en) as the installed one would be.  Each must exit 0.
# `make` lines are not run here (CI
# runs make check itself); `make -n TARGET` checks that each target exists.
# Needs the default model: skips, counted, without it.
set -u
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MD=${SPINSCAN_TEST_MODEL_DIR:-$SRC/models/en}
BIN=$(cd "$(dirname "$SPINSCAN")" && pwd)
README=$SRC/README.md

# The commands: lines of ```sh blocks, with "\" continuations joined.
python3 - "$README" > "$TMP/commands" <<'PY'
import sys
lines, out, block, cont = open(sys.argv[1], encoding="utf-8").read().split("\n"), [], False, ""
for l in lines:
    if l.startswith("```"):
        block = l.strip() == "```sh"
        continue
    if not block:
        continue
    l = cont + l
    if l.endswith("\\"):
        cont = l[:-1] + " "
        continue
    cont = ""
    if l.strip() and not l.lstrip().startswith("#"):
        out.append(l)
print("\n".join(out))
PY
n=$(grep -c . "$TMP/commands")
t_ok $(( n >= 8 ? 0 : 1 )) "the README shows commands in \`\`\`sh blocks ($n)"

if ! [ -f "$MD/model.bin" ] && ! [ -f "$MD/model.arpa.gz" ]; then
    t_skip "no default model in $MD (make model): the README's commands need it"
    t_done
    exit
fi

W=$TMP/work
mkdir -p "$W"
export PATH="$BIN:$PATH" SPINSCAN_MODEL=$MD PYTHONPATH=$SRC/python \
    SPINSCAN_LIBRARY=$BIN/libspinscan.so
while IFS= read -r cmd; do
    case $cmd in
    make\ *)
        target=${cmd#make }
        target=${target%%#*}
        (cd "$SRC" && make -n $target > /dev/null 2>&1)
        t_ok $? "README: '$cmd' (make -n: the target exists)"
        continue
        ;;
    esac
    case $cmd in
    python3\ *)
        # A sanitized library: python loads it only with the sanitizer's
        # runtime preloaded (as make pytest does), never under TSan.
        case ${SPINSCAN_SANITIZE:-} in *thread*)
            t_skip "README: $cmd (python cannot load a library built with -fsanitize=thread)"
            continue ;;
        esac
        (cd "$W" && eval "${SPINSCAN_PY_ENV:-} bash -c \"\$cmd\"") > "$TMP/out" 2> "$TMP/err" < /dev/null ;;
    *)
        (cd "$W" && bash -c "$cmd") > "$TMP/out" 2> "$TMP/err" < /dev/null ;;
    esac
    rc=$?
    t_is "$rc" 0 "README: $cmd"
    [ "$rc" = 0 ] || sed 's/^/#   /' "$TMP/err" | head -5
done < "$TMP/commands"
t_done
