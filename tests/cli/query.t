#!/usr/bin/env bash
# spinscan query: byte-identical to KenLM's query on every fixture it accepts,
# rejects what KenLM rejects, and follows the CLI conventions.
set -u
. "$(dirname "$0")/lib.sh"

# A small model written here, so these checks run without the fixtures too.
t_small_model "$TMP/m.arpa"

out=$(printf 'a b\n' | "$SPINSCAN" query "$TMP/m.arpa")
t_is "$(echo "$out" | head -1)" "$(printf 'a=3 2 -0.4\tb=4 3 -0.2\t</s>=2 3 -0.15\tTotal: -0.75 OOV: 0')" \
    "hand-computed scores for 'a b'"
out=$(printf 'a zz\n' | "$SPINSCAN" query -v sentence "$TMP/m.arpa")
t_is "$out" "Total: -3.3 OOV: 1" "-v sentence prints only totals (an OOV counted)"
out=$(printf 'a b\n' | "$SPINSCAN" query -v word "$TMP/m.arpa")
t_is "$out" "$(printf 'a=3 2 -0.4\tb=4 3 -0.2\t</s>=2 3 -0.15\t')" "-v word alone prints no newline"
out=$(printf '' | "$SPINSCAN" query -v summary "$TMP/m.arpa")
t_is "$(echo "$out" | head -1)" "$(printf 'Perplexity including OOVs:\tNaN')" "empty input: NaN perplexity"

# The last line without a newline is scored in full (KenLM drops its </s> and total).
a=$(printf 'a b\nb a' | "$SPINSCAN" query "$TMP/m.arpa")
b=$(printf 'a b\nb a\n' | "$SPINSCAN" query "$TMP/m.arpa")
t_ok $([ -n "$a" ] && [ "$a" = "$b" ]; echo $?) "a last line without newline scores like one with it"

# Exit statuses and messages.
"$SPINSCAN" query >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 2 "missing MODEL is a usage error (exit 2)"
grep -q "Try 'spinscan query --help'" "$TMP/err"; t_ok $? "  with a hint to --help"
"$SPINSCAN" query -v loud "$TMP/m.arpa" </dev/null >/dev/null 2>&1; t_is $? 2 "bad -v value: exit 2"
"$SPINSCAN" query --bogus "$TMP/m.arpa" </dev/null >/dev/null 2>&1; t_is $? 2 "unknown option: exit 2"
"$SPINSCAN" query "$TMP/none.arpa" </dev/null >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "missing model file: exit 1"
grep -q "none.arpa: cannot open" "$TMP/err"; t_ok $? "  naming the file"
sed 's/^-0.6\ta b\t-0.25$/-0.6\ta b\t-0.25 /' "$TMP/m.arpa" > "$TMP/bad.arpa"
"$SPINSCAN" query "$TMP/bad.arpa" </dev/null >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "malformed model: exit 1"
grep -q "^spinscan: $TMP/bad.arpa:15: byte [0-9]*: .*trailing whitespace" "$TMP/err"
t_ok $? "  message is 'spinscan: FILE:LINE: byte N: ...'"
printf 'a b\n' | "$SPINSCAN" query "$TMP/m.arpa" >/dev/full 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "a full disk is an error (exit 1)"
grep -q "error writing" "$TMP/err"; t_ok $? "  reported as such"
"$SPINSCAN" query --version | grep -q '^spinscan [0-9]'; t_ok $? "--version"

# Help and parser agree: every option --help lists is accepted.
help=$("$SPINSCAN" query --help); t_is $? 0 "--help exits 0"
t_options_accepted query LEVEL=word X=-1

# KenLM parity on the reference fixtures.
F=$(t_fixtures)
if [ -z "$F" ]; then
    t_skip "KenLM fixtures (../shared/fixtures/kenlm) not present: parity checks skipped"
    t_done; exit
fi
tail -n +2 "$F/expected/SUMMARY.tsv" | while IFS=$'\t' read -r name krc rest; do
    model=$(ls "$F/$name".arpa* "$F/variants/$name".arpa* 2>/dev/null | head -1)
    "$SPINSCAN" query "$model" < "$F/test_sentences.txt" >"$TMP/out" 2>"$TMP/err"
    echo "$? $name"
done > "$TMP/rcs"
while read -r rc name; do
    krc=$(awk -F'\t' -v n="$name" '$1==n {print $2}' "$F/expected/SUMMARY.tsv")
    t_is "$rc" "$krc" "$name: accepted/rejected as KenLM does (exit $krc)"
    model=$(ls "$F/$name".arpa* "$F/variants/$name".arpa* 2>/dev/null | head -1)
    if [ "$krc" = 0 ]; then
        "$SPINSCAN" query "$model" < "$F/test_sentences.txt" >"$TMP/out" 2>/dev/null
        cmp -s "$TMP/out" "$F/expected/$name.query.out"
        t_ok $? "$name: output byte-identical to KenLM's query"
    else
        "$SPINSCAN" query "$model" < "$F/test_sentences.txt" 2>"$TMP/err" >/dev/null
        grep -qE "^spinscan: [^:]+:[0-9]+: byte [0-9]+: .{20,}" "$TMP/err"
        t_ok $? "$name: rejection names file, line and byte: $(head -c 150 "$TMP/err")"
    fi
done < "$TMP/rcs"

"$SPINSCAN" query -n "$F/tiny.arpa" < "$F/test_sentences.txt" | cmp -s - "$F/expected/tiny.query_n.out"
t_ok $? "-n output byte-identical to KenLM's query -n"
"$SPINSCAN" query -i "$F/variants/v17_positive_prob.arpa" < "$F/test_sentences.txt" 2>/dev/null |
    cmp -s - "$F/expected/v17_positive_prob.build_probing-i.query.out"
t_ok $? "-i (positive prob to 0) matches KenLM's build_binary -i"
for v in v25_no_s v26_no_end_s; do
    "$SPINSCAN" query -s "$F/variants/$v.arpa" < "$F/test_sentences.txt" 2>/dev/null |
        cmp -s - "$F/expected/$v.build_probing-s.query.out"
    t_ok $? "-s on $v matches KenLM's build_binary -s"
done
"$SPINSCAN" query --unk-logprob -5 "$F/variants/v01_no_unk.arpa" < "$F/test_sentences.txt" 2>/dev/null |
    cmp -s - "$F/expected/v01_no_unk.build_probing-u-5.query.out"
t_ok $? "--unk-logprob -5 matches KenLM's build_binary -u -5"
"$SPINSCAN" query "$F/variants/v01_no_unk.arpa" < /dev/null 2>&1 >/dev/null | grep -q "warning: the model has no <unk>"
t_ok $? "a missing <unk> is a warning"

# Documented difference: KenLM ignores an unterminated last line's </s> and total.
"$SPINSCAN" query "$F/tiny.arpa" < "$F/test_sentences_noeol.txt" > "$TMP/noeol"
{ cat "$F/test_sentences_noeol.txt"; echo; } | "$SPINSCAN" query "$F/tiny.arpa" > "$TMP/eol"
[ -s "$TMP/noeol" ] && cmp -s "$TMP/noeol" "$TMP/eol"; t_ok $? "unterminated last line scored as if terminated"
head -2 "$TMP/noeol" | cmp -s - <(head -2 "$F/expected/tiny.query_noeol.out")
t_ok $? "  the terminated lines match KenLM exactly"
t_is "$(grep '^Tokens' "$TMP/noeol")" "$(printf 'Tokens:\t15')" "  and its </s> is counted (KenLM: 14)"
t_done
