#!/usr/bin/env bash
# `spinscan train` from the command line: options, exit statuses, messages,
# output safety, and lmplz parity of the written files (through test_train's
# --compare mode when the fixtures are present).
set -u
S=${SPINSCAN:?SPINSCAN must name the spinscan binary}
FX=${SPINSCAN_FIXTURES:-}
CMP=${SPINSCAN_BUILD:+$SPINSCAN_BUILD/tests/lm/test_train}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
skip() { n=$((n + 1)); echo "ok $n # skip $1"; }

printf 'a b c\na b\nb c a\nc a b\na a b\n' > "$T/c.txt"

"$S" train --help > "$T/help" 2>&1; ok $? "--help exits 0"
grep -q -- '--discount-fallback' "$T/help"; ok $? "--help lists --discount-fallback"
grep -q 'exit status' "$T/help"; ok $? "--help documents exit statuses"

"$S" train -O "$T/x.arpa" "$T/c.txt" 2> "$T/err"; ok $(( $? == 2 ? 0 : 1 )) "missing -o: exit 2"
grep -q 'order is required' "$T/err"; ok $? "and says the order is required"
"$S" train -o 3 "$T/c.txt" 2> "$T/err"; ok $(( $? == 2 ? 0 : 1 )) "missing -O: exit 2"
"$S" train -o 1 -O "$T/x.arpa" "$T/c.txt" 2> "$T/err"; ok $(( $? == 2 ? 0 : 1 )) "-o 1: exit 2"
"$S" train -o 3 -O "$T/x.arpa" 2> "$T/err"; ok $(( $? == 2 ? 0 : 1 )) "no corpus: exit 2"
"$S" train -o 3 --bogus -O "$T/x.arpa" "$T/c.txt" 2> "$T/err"; ok $(( $? == 2 ? 0 : 1 )) "unknown option: exit 2"

"$S" train -q -o 3 --tokenized -O "$T/x.arpa" "$T/missing.txt" 2> "$T/err"
ok $(( $? == 1 ? 0 : 1 )) "missing corpus: exit 1"
grep -q "spinscan: $T/missing.txt: cannot open" "$T/err"; ok $? "naming the file"

"$S" train -q -o 3 --tokenized --discount-fallback -O "$T/x.arpa" "$T/c.txt"
ok $? "tiny corpus with --discount-fallback: exit 0"
head -1 "$T/x.arpa" | grep -qx '\\data\\'; ok $? "writes ARPA"
tail -1 "$T/x.arpa" | grep -qx '\\end\\'; ok $? "ending in \\end\\"
ls "$T" | grep -q '\.tmp\.'; ok $(( $? == 0 ? 1 : 0 )) "no temporary file is left behind"

cp "$T/x.arpa" "$T/keep.arpa"
"$S" train -q -o 3 --tokenized -O "$T/x.arpa" "$T/c.txt" 2> "$T/err"
ok $(( $? == 1 ? 0 : 1 )) "without --discount-fallback the tiny corpus fails: exit 1"
grep -q 'discount' "$T/err"; ok $? "saying why"
cmp -s "$T/x.arpa" "$T/keep.arpa"; ok $? "the existing output is untouched"

printf 'a b\n\0\n' > "$T/nul.txt"
"$S" train -q -o 2 --tokenized --discount-fallback -O "$T/y.arpa" "$T/nul.txt" 2> "$T/err"
ok $(( $? == 1 ? 0 : 1 )) "NUL byte in --tokenized input: exit 1"
grep -q "$T/nul.txt:2: " "$T/err"; ok $? "with FILE:LINE"
[ ! -e "$T/y.arpa" ]; ok $? "and no output"

gzip -c "$T/c.txt" > "$T/c.txt.gz"
"$S" train -q -o 3 --tokenized --discount-fallback -O "$T/z.arpa.gz" - < "$T/c.txt.gz"
ok $? "gzip corpus on stdin"
gzip -dc "$T/z.arpa.gz" | cmp -s - "$T/x.arpa"; ok $? "gives the same model, gzip-compressed by name"

printf 'The cat sat on the mat. The dog sat too!\nA cat, a dog.\n' > "$T/raw.txt"
"$S" train -q -o 2 --discount-fallback -O "$T/raw.arpa" "$T/raw.txt"
ok $? "raw text goes through the tokenizer"
grep -q "	the	" "$T/raw.arpa"; ok $? "which lowercases (the)"

# --prune: lmplz's form (values after the option) and one-argument forms.
"$S" train -q -o 3 --tokenized --discount-fallback --prune 0 1 1 -O "$T/p1.arpa" "$T/c.txt"
ok $? "--prune 0 1 1: exit 0"
"$S" train -q -o 3 --tokenized --discount-fallback --prune 0,1 -O "$T/p2.arpa" "$T/c.txt"
cmp -s "$T/p1.arpa" "$T/p2.arpa"; ok $? "--prune 0,1 (last value repeats) gives the same model"
"$S" train -q -o 3 --tokenized --discount-fallback --prune="0 1 1" -O "$T/p2.arpa" "$T/c.txt"
cmp -s "$T/p1.arpa" "$T/p2.arpa"; ok $? "--prune=\"0 1 1\" too"
prune_bad() { # expected-message description args...
    local want=$1 what=$2; shift 2
    "$S" train -q -o 3 --tokenized --discount-fallback "$@" -O "$T/bad.arpa" "$T/c.txt" 2> "$T/err"
    local rc=$?
    [ $rc -eq 2 ] && grep -q -- "$want" "$T/err"; ok $? "$what: exit 2 and says '$want' (exit $rc)"
}
prune_bad 'must not decrease' "--prune 0 2 1 (decreasing)" --prune 0 2 1
prune_bad "'x' is not a threshold" "--prune 0,x (not a number)" --prune 0,x
prune_bad "'1.5' is not a threshold" "--prune 0 1.5 (not a whole number)" --prune 0 1.5
prune_bad 'unigram threshold must be 0' "--prune 1 1 (unigrams)" --prune 1 1
prune_bad 'only order 3' "--prune 0 1 1 1 (more values than the order)" --prune 0 1 1 1
prune_bad 'needs at least one threshold' "--prune '' (no value)" --prune ''
[ ! -e "$T/bad.arpa" ]; ok $? "no output after a usage error"
"$S" train --help | grep -q -- '--prune'; ok $? "--help lists --prune"

if [ -n "$FX" ] && [ -r "$FX/tiny_train.txt" ] && [ -n "$CMP" ] && [ -x "$CMP" ]; then
    "$S" train -q -o 3 --tokenized -O "$T/tiny.arpa" "$FX/tiny_train.txt"
    ok $? "tiny_train.txt -o 3"
    "$CMP" --compare "$FX/tiny.arpa" "$T/tiny.arpa" > "$T/cmp"; ok $? "matches lmplz's tiny.arpa"
    sed 's/^/# /' "$T/cmp"
    "$S" train -o 3 --tokenized -O "$T/tiny.arpa" "$FX/tiny_train.txt" 2> "$T/err"
    grep -q '^3 4470 D1=0.941769 D2=1.57514 D3+=2.62329$' "$T/err"
    ok $? "statistics on stderr in lmplz's format"
    "$S" train -q -o 3 --tokenized -O "$T/m.arpa" "$FX/micro_train.txt" 2> "$T/err"
    ok $(( $? == 1 ? 0 : 1 )) "micro_train.txt without --discount-fallback: exit 1"
    grep -q '2-gram discount out of range for adjusted count 3: -0.7254901' "$T/err"
    ok $? "with lmplz's message"
    "$S" train -q -o 3 --tokenized --discount-fallback -O "$T/m.arpa" "$FX/micro_train.txt"
    "$CMP" --compare "$FX/micro.arpa" "$T/m.arpa" > "$T/cmp"; ok $? "--discount-fallback matches micro.arpa"
    # lmplz -o 3 --prune 0 1 1 on tiny_train.txt logs these lines and writes
    # 1432/461/168 n-grams (KenLM 4cb443e).
    "$S" train -o 3 --tokenized --prune 0 1 1 -O "$T/tp.arpa" "$FX/tiny_train.txt" 2> "$T/err"
    ok $? "tiny_train.txt -o 3 --prune 0 1 1"
    grep -q '^2 461/3736 D1=0.873313 D2=1.3128 D3+=1.63545$' "$T/err" &&
        grep -q '^3 168/4470 D1=0.941769 D2=1.57514 D3+=2.62329$' "$T/err"
    ok $? "statistics KEPT/COUNTED as lmplz prints them"
    [ "$(sed -n 2,4p "$T/tp.arpa" | tr '\n' ' ')" = "ngram 1=1432 ngram 2=461 ngram 3=168 " ]
    ok $? "the header has lmplz's pruned counts"
else
    for i in 1 2 3 4 5 6 7 8 9; do skip "KenLM fixtures or test_train not available"; done
fi
echo "1..$n"
exit $fail
