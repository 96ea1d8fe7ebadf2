#!/usr/bin/env bash
# spinscan compile: binary models score byte-identically to their ARPA files on
# every KenLM fixture (both layouts), OUT is never left half-written, damaged
# and foreign files get clear errors, and the CLI conventions hold.
set -u
. "$(dirname "$0")/lib.sh"

t_small_model "$TMP/m.arpa"
printf 'a b\nb a b a\nzz a\n' > "$TMP/text"

"$SPINSCAN" compile "$TMP/m.arpa" "$TMP/m.bin" > "$TMP/msg"; t_is $? 0 "compile exits 0"
grep -q "m.bin: probing layout" "$TMP/msg"; t_ok $? "  and says what it wrote"
t_is "$(head -c 11 "$TMP/m.bin")" "SPINSCAN-LM" "the file starts with the magic bytes"
"$SPINSCAN" query "$TMP/m.arpa" < "$TMP/text" > "$TMP/a.out"
"$SPINSCAN" query "$TMP/m.bin" < "$TMP/text" > "$TMP/b.out"
cmp -s "$TMP/a.out" "$TMP/b.out"; t_ok $? "query on the binary = query on the ARPA file"
"$SPINSCAN" compile --compact "$TMP/m.arpa" "$TMP/c.bin" > /dev/null; t_is $? 0 "compile --compact"
"$SPINSCAN" query "$TMP/c.bin" < "$TMP/text" | cmp -s - "$TMP/a.out"; t_ok $? "  scores identical too"
"$SPINSCAN" compile --compact -q 8 "$TMP/m.arpa" "$TMP/q.bin" > /dev/null; t_is $? 0 "compile --compact -q 8"
"$SPINSCAN" compile --verify "$TMP/m.bin" > "$TMP/msg"; t_is $? 0 "--verify accepts a good file"
grep -q "ok: order 3" "$TMP/msg"; t_ok $? "  and says so"
gzip -c "$TMP/m.arpa" > "$TMP/m.arpa.gz"
"$SPINSCAN" compile "$TMP/m.arpa.gz" "$TMP/z.bin" > /dev/null && cmp -s "$TMP/z.bin" "$TMP/m.bin"
t_ok $? "a gzipped ARPA file compiles to the same bytes"

# Failures leave an existing OUT alone and no temporary files behind.
echo old > "$TMP/keep.bin"
printf '\\data\\\nngram 1=x\n' > "$TMP/bad.arpa"
"$SPINSCAN" compile "$TMP/bad.arpa" "$TMP/keep.bin" > /dev/null 2>"$TMP/err"; t_is $? 1 "a bad ARPA file: exit 1"
t_is "$(cat "$TMP/keep.bin")" old "  the existing OUT survives"
t_is "$(ls "$TMP" | grep -c '\.tmp\.')" 0 "  no temporary file is left"
grep -q "^spinscan: $TMP/bad.arpa:2: byte [0-9]*: " "$TMP/err"; t_ok $? "  error names file, line and byte"

# Damaged and foreign files.
size=$(stat -c %s "$TMP/m.bin")
head -c $((size - 100)) "$TMP/m.bin" > "$TMP/trunc.bin"
"$SPINSCAN" query "$TMP/trunc.bin" < /dev/null > /dev/null 2>"$TMP/err"; t_is $? 1 "a truncated binary: exit 1"
grep -q "^spinscan: $TMP/trunc.bin: byte $((size - 100)): the file is truncated" "$TMP/err"
t_ok $? "  'FILE: byte N: the file is truncated...': $(head -c 120 "$TMP/err")"
cp "$TMP/m.bin" "$TMP/flip.bin"
printf '\x55' | dd of="$TMP/flip.bin" bs=1 seek=$((size - 5000)) conv=notrunc 2>/dev/null
"$SPINSCAN" compile --verify "$TMP/flip.bin" > /dev/null 2>"$TMP/err"; t_is $? 1 "--verify catches a damaged table"
grep -q "damaged: its checksum does not match" "$TMP/err"; t_ok $? "  saying where: $(head -c 140 "$TMP/err")"
printf 'mmap lm http://kheafield.com/code format version 5\n\0\0\0\0' > "$TMP/kenlm.bin"
"$SPINSCAN" query "$TMP/kenlm.bin" < /dev/null > /dev/null 2>"$TMP/err"; t_is $? 1 "a KenLM binary: exit 1"
grep -q "KenLM binary model" "$TMP/err"; t_ok $? "  named as such"
"$SPINSCAN" compile "$TMP/m.bin" "$TMP/again.bin" > /dev/null 2>"$TMP/err"; t_is $? 1 "compiling a binary: exit 1"
grep -q "already a spinscan binary" "$TMP/err"; t_ok $? "  named as such"
cp "$TMP/m.arpa" "$TMP/renamed.bin"
"$SPINSCAN" query "$TMP/renamed.bin" < "$TMP/text" | cmp -s - "$TMP/a.out"
t_ok $? "an ARPA file named .bin is read as ARPA (magic bytes, not names)"

# Usage.
"$SPINSCAN" compile "$TMP/m.arpa" > /dev/null 2>"$TMP/err"; t_is $? 2 "missing OUT: exit 2"
grep -q "Try 'spinscan compile --help'" "$TMP/err"; t_ok $? "  with a hint"
"$SPINSCAN" compile -q 8 "$TMP/m.arpa" "$TMP/x.bin" > /dev/null 2>&1; t_is $? 2 "-q without --compact: exit 2"
"$SPINSCAN" compile --compact -q 1 "$TMP/m.arpa" "$TMP/x.bin" > /dev/null 2>&1; t_is $? 2 "-q 1: exit 2"
help=$("$SPINSCAN" compile --help); t_is $? 0 "--help exits 0"
t_options_accepted compile BITS=8 X=-1 MODEL=

# KenLM parity on every fixture KenLM accepts, through both layouts.
F=$(t_fixtures)
if [ -z "$F" ]; then
    t_skip "KenLM fixtures (../shared/fixtures/kenlm) not present: parity checks skipped"
    t_done; exit
fi
tail -n +2 "$F/expected/SUMMARY.tsv" | while IFS=$'\t' read -r name krc rest; do
    [ "$krc" = 0 ] || continue
    model=$(ls "$F/$name".arpa* "$F/variants/$name".arpa* 2>/dev/null | head -1)
    for layout in probing compact; do
        flag=; [ $layout = compact ] && flag=--compact
        "$SPINSCAN" compile $flag "$model" "$TMP/f.bin" > /dev/null 2>&1
        rc=$?
        "$SPINSCAN" query "$TMP/f.bin" < "$F/test_sentences.txt" 2>/dev/null | cmp -s - "$F/expected/$name.query.out"
        echo "$rc $? $name $layout"
    done
done > "$TMP/results"
while read -r crc qrc name layout; do
    t_ok $((crc + qrc)) "$name ($layout): compiled, query byte-identical to KenLM's"
done < "$TMP/results"
"$SPINSCAN" compile "$F/tiny.arpa" "$TMP/t.bin" > /dev/null
"$SPINSCAN" query -n "$TMP/t.bin" < "$F/test_sentences.txt" | cmp -s - "$F/expected/tiny.query_n.out"
t_ok $? "query -n on a binary matches KenLM's query -n"
"$SPINSCAN" compile -i "$F/variants/v17_positive_prob.arpa" "$TMP/p.bin" > /dev/null 2>&1
"$SPINSCAN" query "$TMP/p.bin" < "$F/test_sentences.txt" 2>/dev/null |
    cmp -s - "$F/expected/v17_positive_prob.build_probing-i.query.out"
t_ok $? "compile -i matches KenLM's build_binary -i"
for v in v25_no_s v26_no_end_s; do
    "$SPINSCAN" compile -s "$F/variants/$v.arpa" "$TMP/s.bin" > /dev/null 2>&1
    "$SPINSCAN" query "$TMP/s.bin" < "$F/test_sentences.txt" 2>/dev/null |
        cmp -s - "$F/expected/$v.build_probing-s.query.out"
    t_ok $? "compile -s on $v matches KenLM's build_binary -s"
done
"$SPINSCAN" compile --compact -u -5 "$F/variants/v01_no_unk.arpa" "$TMP/u.bin" > /dev/null 2>&1
"$SPINSCAN" query "$TMP/u.bin" < "$F/test_sentences.txt" 2>/dev/null |
    cmp -s - "$F/expected/v01_no_unk.build_probing-u-5.query.out"
t_ok $? "compile --compact -u -5 matches KenLM's build_binary -u -5"
"$SPINSCAN" compile "$F/variants/v25_no_s.arpa" "$TMP/s.bin" > /dev/null 2>"$TMP/err"
t_is $? 1 "without -s a model lacking <s> does not compile"
t_done
