#!/usr/bin/env bash
# CLI tests for `spinscan tokenize` (TAP).  Needs $SPINSCAN.
set -u
cd "$(dirname "$0")/../.."
S=${SPINSCAN:-build/spinscan}
D=tests/data/tokenize
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spinscan-tok.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { # ok STATUS DESCRIPTION
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
run() { # run ARGS... : sets rc, out, err
    "$S" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

run tokenize --help
ok $(( rc != 0 )) "--help exits 0"
grep -q '^usage: spinscan tokenize' "$tmp/out"; ok $? "--help prints usage to stdout"
for opt in --format --quiet --help --version; do
    grep -q -- "$opt" "$tmp/out"; ok $? "--help lists $opt"
done
grep -q 'exit status: 0 success, 1 data or runtime error, 2 usage error' "$tmp/out"; ok $? "--help documents exit codes"
run tokenize --version
ok $(( rc != 0 )) "--version exits 0"
grep -q '^spinscan [0-9]' "$tmp/out"; ok $? "--version prints the version"

run tokenize --bogus
ok $(( rc != 2 )) "unknown option exits 2"
grep -q "Try 'spinscan tokenize --help'" "$tmp/err"; ok $? "usage error hints at --help"
run tokenize -f yaml "$D/web.txt"
ok $(( rc != 2 )) "unknown format exits 2"
[ -z "$out" ]; ok $? "usage error prints nothing on stdout"

# the line stream, from a file, from '-', from stdin
run tokenize "$D/web.txt"
ok $(( rc != 0 )) "tokenize a file exits 0"
diff -u "$D/web.expected" "$tmp/out" >"$tmp/diff"; ok $? "line stream matches the golden file"
[ $? -eq 0 ] || sed 's/^/# /' "$tmp/diff"
"$S" tokenize - <"$D/web.txt" >"$tmp/dash" 2>/dev/null
cmp -s "$tmp/out" "$tmp/dash"; ok $? "'-' reads standard input"
"$S" tokenize <"$D/web.txt" >"$tmp/stdin" 2>/dev/null
cmp -s "$tmp/out" "$tmp/stdin"; ok $? "no operand reads standard input"
! grep -q -P '\t|^$|  |^ | $' "$tmp/out"; ok $? "no tabs, empty lines or double spaces (lmplz-ready)"
! grep -q -E '(^| )(<s>|</s>|<unk>)( |$)' "$tmp/out"; ok $? "no LM markers as tokens"

# TSV: every token offset slices the input to text whose lower case is the token
run tokenize -f tsv "$D/web.txt"
ok $(( rc != 0 )) "-f tsv exits 0"
head -1 "$tmp/out" | grep -q -P "^D\t$D/web.txt\t$(wc -c <"$D/web.txt")$"; ok $? "tsv starts with the document line"
grep -c '^S' "$tmp/out" | grep -qx "$(wc -l <"$D/web.expected")"; ok $? "one S line per segment"
awk -F'\t' '$1=="S"{print $6}' "$tmp/out" | diff -q - "$D/web.expected" >/dev/null; ok $? "S lines carry the line stream"
bad=0 checked=0
while IFS=$'\t' read -r tag start end kind text; do
    [ "$tag" = T ] || continue
    [ "$kind" = word ] || continue
    slice=$(tail -c +$((start + 1)) "$D/web.txt" | head -c $((end - start)) | tr 'A-Z' 'a-z' | sed "s/\xe2\x80\x99/'/g")
    checked=$((checked + 1))
    [ "$slice" = "$text" ] || { echo "# [$start,$end) '$slice' != '$text'"; bad=$((bad + 1)); }
done <"$tmp/out"
[ $bad -eq 0 ] && [ $checked -gt 40 ]; ok $? "$checked word offsets slice the input to their text"
grep -q -P '^S\t0\t36\theading\t-\t' "$tmp/out"; ok $? "a title line is a heading at [0,36)"
grep -q -P '^S\t[0-9]+\t[0-9]+\tboilerplate\t-\t00 views0 comments$' "$tmp/out"; ok $? "a counter line is boilerplate"
grep -q -P '^T\t[0-9]+\t[0-9]+\turl\t<url>$' "$tmp/out"; ok $? "URL token kind"
grep -q -P '^T\t[0-9]+\t[0-9]+\temail\t<email>$' "$tmp/out"; ok $? "e-mail token kind"

# JSON Lines
run tokenize -f json "$D/web.txt"
ok $(( rc != 0 )) "-f json exits 0"
if command -v python3 >/dev/null; then
    python3 - "$tmp/out" "$D/web.txt" <<'PY'
import json, sys
raw = open(sys.argv[2], 'rb').read()
lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
for l in lines:
    o = json.loads(l)
    assert o['kind'] in ('prose', 'heading', 'boilerplate'), o
    assert o['text'] == ' '.join(t['text'] for t in o['tokens'])
    assert o['start'] == o['tokens'][0]['start'] and o['end'] == o['tokens'][-1]['end']
    for t in o['tokens']:
        if t['kind'] == 'word':
            s = raw[t['start']:t['end']].decode().lower().replace('\u2019', "'")
            assert s == t['text'], (s, t)
assert len(lines) == 10
PY
    ok $? "json: one valid object per sentence, offsets slice the input"
else
    echo "ok $((n += 1)) # skip no python3"
fi
# The tokenizer's identity on every object (no model is involved): the tool
# version, as --version prints it, and the ICU library's.
ver=$("$S" --version | awk '{print $2; exit}')
[ "$(wc -l <"$tmp/out")" -gt 0 ] && ! grep -v -q "\"tokenizer\": \"spinscan $ver; ICU [0-9][0-9.]*\"}\$" "$tmp/out"
ok $? "json: every object ends with \"tokenizer\": \"spinscan $ver; ICU $(grep -o 'ICU [0-9.]*' "$tmp/out" | head -1 | cut -c5-)\""

# errors and bad input
run tokenize /nonexistent/file.txt
ok $(( rc != 1 )) "missing file exits 1"
grep -q '^spinscan: /nonexistent/file.txt: No such file or directory$' "$tmp/err"; ok $? "missing file message"
printf 'Some text here. More text.\n' | gzip -c >"$tmp/doc.gz"
run tokenize "$tmp/doc.gz"
ok $(( rc != 1 )) "gzip file exits 1"
grep -q "^spinscan: $tmp/doc.gz: not text: gzip-compressed data$" "$tmp/err"; ok $? "gzip file reported as not text"
head -c 3000 /dev/urandom >"$tmp/random.bin"
printf 'x' | cat - "$tmp/random.bin" >"$tmp/random2.bin"
run tokenize "$tmp/random2.bin"
ok $(( rc != 1 )) "random bytes exit 1"
grep -q -E "^spinscan: $tmp/random2.bin: byte [0-9]+: not text: binary data" "$tmp/err"; ok $? "random bytes: 'FILE: byte N: not text'"
[ -z "$out" ]; ok $? "nothing printed for binary input"
run tokenize "$tmp/random2.bin" "$D/web.txt"
ok $(( rc != 1 )) "one bad file among several exits 1"
diff -q "$tmp/out" "$D/web.expected" >/dev/null; ok $? "the good file is still tokenized"
printf 'caf\xe9 ok\x00then.\n' >"$tmp/latin1.txt"
run tokenize "$tmp/latin1.txt"
ok $(( rc != 0 )) "invalid UTF-8 is not an error"
[ "$out" = "$(printf 'caf \xef\xbf\xbd ok then .')" ]; ok $? "invalid byte becomes U+FFFD, NUL a space"
grep -q 'warning: 1 invalid UTF-8 sequences replaced with U+FFFD, 1 NUL bytes' "$tmp/err"; ok $? "replacement counted in a warning"
run tokenize -q "$tmp/latin1.txt"
[ -z "$err" ]; ok $? "-q silences the warning"
: >"$tmp/empty.txt"
run tokenize "$tmp/empty.txt"
[ $rc -eq 0 ] && [ -z "$out" ] && [ -z "$err" ]; ok $? "empty file: no output, exit 0"

# a long line: 8 MB without a newline, generated here
yes 'The harbour path was quiet, and the tide came in slowly.' | head -c 8000000 | tr '\n' ' ' >"$tmp/long.txt"
run tokenize "$tmp/long.txt"
ok $(( rc != 0 )) "8 MB single line exits 0"
[ "$(wc -l <"$tmp/out")" -eq "$(grep -o 'slowly\.' "$tmp/long.txt" | wc -l)" ] || [ "$(wc -l <"$tmp/out")" -eq $(( $(grep -o 'slowly\.' "$tmp/long.txt" | wc -l) + 1 )) ]
ok $? "8 MB single line: one output line per sentence"

echo "1..$n"
[ $failed -eq 0 ]
