#!/usr/bin/env bash
# Reliability regressions of issue 19, one block per defect: the WARC window
# moving under a record's header fields, a lying Content-Length, calibrate's
# output file, terminal injection, bidi isolation in the HTML report, signals
# and temporary files, NUL and lone surrogates in ids, train on a full disk,
# the HTML DOM's memory cap, model verification at load.  Each block failed on
# main before the fix (see docs/reliability.md).
set -u
. "$(dirname "$0")/lib.sh"
t_use_model river
R() { "$S" rank -m "$M" "$@"; }
# conv URI BODY [CLAIMED-LENGTH]: one WARC conversion record
conv() {
    local len=${3:-${#2}}
    printf 'WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: %s\r\nContent-Type: text/plain\r\nContent-Length: %s\r\n\r\n%s\r\n\r\n' \
        "$1" "$len" "$2"
}

# --- 1. the read window moves under a record's Content-Type (use-after-free) ---
# A conversion record larger than the 256 KiB window: the window is
# reallocated while h.ctype points into it (SIGSEGV on main).  glibc is told
# to give the window its own mapping, so that the old one is unmapped and a
# stale pointer faults every time (ASan's run sees it without this).
UAF_ENV=GLIBC_TUNABLES=glibc.malloc.mmap_threshold=65536
python3 -c "import sys;b=b'word '*200000;sys.stdout.buffer.write(b'WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://x/1\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n'%len(b)+b+b'\r\n\r\n')" > "$TMP/big.warc"
env $UAF_ENV "$S" rank -m "$M" -q "$TMP/big.warc" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 0 "uaf: a 1 MB conversion record is scored (exit 0, no crash)"
t_is "$(tail -n +2 "$TMP/out" | cut -f2)" "http://x/1" "uaf: its id"
gzip -c "$TMP/big.warc" > "$TMP/big.warc.gz"
env $UAF_ENV "$S" rank -m "$M" -q "$TMP/big.warc.gz" > "$TMP/out" 2>"$TMP/err"; t_is $? 0 "uaf: the same as .warc.gz"
# JSON Lines: a last line without a newline that fills the window exactly; the
# window grows at the end of the file and the line was read from the old one
# (found by fuzz_input with a 64-byte window).
python3 -c "
import sys
line = b'{\"id\":\"a\",\"text\":\"' + b'word ' * 52420
line += b'x' * (262144 - len(line) - 2) + b'\"}'
sys.stdout.buffer.write(line)" > "$TMP/one.jsonl"
env $UAF_ENV "$S" rank -m "$M" -q "$TMP/one.jsonl" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc/$(tail -n +2 "$TMP/out" | cut -f2)" "0/a" "uaf: a JSONL last line ending at the window's end"
# Many small records: the window moves (memmove) under some of them; main
# dropped them for a garbage type ("'ome late. ' is not text").
python3 - "$TMP/many.wet" <<'PY'
import sys
out = []
for i in range(3000):
    b = (('Record %d says the river was calm and the boats came home late. ' % i) * 3).encode()
    out.append(b'WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://x/%d\r\n'
               b'WARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: text/plain\r\n'
               b'Content-Length: %d\r\n\r\n' % (i, len(b)) + b + b'\r\n\r\n')
open(sys.argv[1], 'wb').write(b''.join(out))
PY
R "$TMP/many.wet" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 0 "window moves: exit 0"
t_is "$(tail -n +2 "$TMP/out" | wc -l)" 3000 "window moves: all 3000 records scored"
t_is "$(grep -c 'is not text' "$TMP/err")" 0 "window moves: no garbage content type"

# --- 2. a lying Content-Length above --max-bytes ---
{ conv http://x/1 'The river was calm.' 1000000000
  conv http://x/2 'Boats came home late.'
  conv http://x/3 'The river was calm in the morning.'; } > "$TMP/lie.warc"
R "$TMP/lie.warc" > "$TMP/out" 2>"$TMP/err"
t_is "$(tail -n +2 "$TMP/out" | cut -f2 | sort | tr '\n' ' ')" "http://x/2 http://x/3 " \
    "lying length: the records after it are read"
grep -q "^spinscan: $TMP/lie.warc: byte [0-9]*: warning: a WARC record starts here" "$TMP/err"
t_ok $? "lying length: the warning names the file and the position"
# A too-large record whose length is right is still skipped whole, even if its
# block contains a WARC/1.0 line that is no valid header.
body=$(printf 'x%.0s' $(seq 1 200); printf '\r\nWARC/1.0\r\nnot a header\r\n\r\n')
{ conv http://x/1 "$body"; conv http://x/2 'Boats came home late.'; } > "$TMP/ok.warc"
R --max-bytes 100 "$TMP/ok.warc" > "$TMP/out" 2>"$TMP/err"
t_is "$(tail -n +2 "$TMP/out" | cut -f2 | tr '\n' ' ')" "http://x/2 " "true length: skipped whole, next read"
t_is "$(grep -v 'NO CALIBRATION' "$TMP/err" | grep -c 'warning')" 1 "true length: one warning (too large)"

# --- 3. calibrate -O: the safe writer (no fixed PATH.tmp, no symlink followed) ---
CAL=$TMP/cal
mkdir -p "$CAL"
python3 - "$CAL" <<'PY'
import random, sys
random.seed(1)
d = sys.argv[1]
words = "the river was calm boats came home late in morning .".split()
rows = []
for i in range(40):
    spun = i % 2
    lines = [' '.join(random.choice(words) for _ in range(8)) + ' .' if spun
             else 'The river was calm in the morning .' for _ in range(6)]
    open('%s/d%d.txt' % (d, i), 'w').write('\n'.join(lines) + '\n')
    rows.append('d%d.txt\tspun\t%d\t%s' % (i, spun, str(spun) * 6))
open(d + '/labels.tsv', 'w').write('\n'.join(rows) + '\n')
PY
echo secret > "$CAL/victim"
ln -s victim "$CAL/det.txt.tmp"
"$S" calibrate -q -m "$M" -O "$CAL/det.txt" "$CAL/labels.tsv" 2>"$TMP/err"; rc=$?
t_is "$rc" 0 "calibrate -O: exit 0"
t_is "$(cat "$CAL/victim")" secret "calibrate -O: a planted OUT.tmp symlink is not followed"
t_is "$(head -1 "$CAL/det.txt")" "spinscan-detector 1" "calibrate -O: OUT written"
t_ok "$([ -f "$CAL/det.txt" ] && [ ! -L "$CAL/det.txt" ]; echo $?)" "calibrate -O: OUT is a regular file"
t_is "$(ls "$CAL" | grep -c '^det.txt.tmp.')" 0 "calibrate -O: no temporary file left"
# Two runs at once each write a whole file (no shared temporary name).
"$S" calibrate -q -m "$M" -O "$CAL/two.txt" "$CAL/labels.tsv" 2>/dev/null & p1=$!
"$S" calibrate -q -m "$M" -O "$CAL/two.txt" "$CAL/labels.tsv" 2>/dev/null & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
t_is "$r1$r2$(tail -1 "$CAL/two.txt" | cut -f1)" "00verdict" "calibrate -O: concurrent runs both succeed, file whole"

# --- 7c. train -O x.gz on a full disk says why (main: "compression failed") ---
python3 -c "
import random, string
random.seed(2)
w = [''.join(random.choice(string.ascii_lowercase) for _ in range(7)) for i in range(20000)]
print('\n'.join(' '.join(random.choice(w) for _ in range(12)) for _ in range(6000)))" > "$TMP/corpus.txt"
ln -s /dev/full "$TMP/full.arpa.gz"
"$S" train -o 2 --discount-fallback -O "$TMP/full.arpa.gz" "$TMP/corpus.txt" >/dev/null 2>"$TMP/err"; rc=$?
t_ok "$([ "$rc" -ne 0 ]; echo $?)" "train on a full disk: non-zero exit"
t_is "$(tail -1 "$TMP/err")" "spinscan: $TMP/full.arpa.gz: cannot write: No space left on device" \
    "train on a full disk: the real error (ENOSPC) is named"

# --- 4. terminal injection: ESC, C0, bidi controls in ids and diagnostics ---
python3 - "$TMP/inj.warc" <<'PY'
import sys
def rec(typ, uri, ctype, body):
    return (b'WARC/1.0\r\nWARC-Type: ' + typ + b'\r\nWARC-Target-URI: ' + uri +
            b'\r\nContent-Type: ' + ctype + b'\r\nContent-Length: %d\r\n\r\n' % len(body) +
            body + b'\r\n\r\n')
out = rec(b'conversion', b'http://x/\x1b]0;owned\x07\x1b[2J\xe2\x80\xaeevil\xe2\x81\xa6\xe2\x80\x8f',
          b'text/plain', b'The river was calm.')
out += rec(b'conversion', b'http://x/2', b'image/\x1b[31mpng\xe2\x80\xae', b'\x89PNG')
page = (b'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=shift_jis\r\n\r\n'
        b'<html><body><p>caf\xe9 \xff\xfe boats came home late.</p></body></html>')
out += rec(b'response', b'http://x/3', b'application/http; msgtype=response', page)
open(sys.argv[1], 'wb').write(out)
PY
raw_controls() { # counts ESC, BEL, and the bidi controls U+202E, U+2066, U+200F as raw bytes
    python3 -c "import sys;d=open(sys.argv[1],'rb').read();print(sum(d.count(c) for c in (b'\x1b',b'\x07',b'\xe2\x80\xae',b'\xe2\x81\xa6',b'\xe2\x80\x8f')))" "$1"
}
for f in tsv jsonl attributes; do
    R -f $f "$TMP/inj.warc" > "$TMP/out" 2>"$TMP/err"
    t_is "$(raw_controls "$TMP/out")" 0 "injection: no raw ESC/BEL/bidi control in -f $f output"
done
R "$TMP/inj.warc" > "$TMP/out.tsv" 2>"$TMP/err"
grep -qF 'http://x/\x1b]0;owned\x07\x1b[2J\u202eevil\u2066\u200f' "$TMP/out.tsv"
t_ok $? "injection: the TSV id shows its controls as escapes"
t_is "$(raw_controls "$TMP/err")" 0 "injection: no raw control in diagnostics (a WARC Content-Type echoed)"
t_is "$(grep -vc '^spinscan: ' "$TMP/err")" 0 "injection: libxml2's messages go through spinscan's reporting"
grep -q "^spinscan: $TMP/inj.warc: .*warning: libxml2: " "$TMP/err" || grep -q "^spinscan: http://x/3: warning: libxml2: " "$TMP/err"
t_ok $? "injection: libxml2's message names the document"
"$S" score -m "$M" -f json "$TMP/nonexistent$(printf '\033[31m')" > /dev/null 2>"$TMP/err"
t_is "$(raw_controls "$TMP/err")" 0 "injection: no raw ESC in an error naming a file"

# --- 5. bidi spoofing in the HTML report: each sentence is an isolate ---
printf 'The river was calm \342\200\256 in the morning.\n\nBoats came home late.\n' > "$TMP/bidi.txt"
"$S" score -m "$M" -f html "$TMP/bidi.txt" > "$TMP/r.html" 2>/dev/null
grep -q '\.s,\.x,\.id{unicode-bidi:isolate}' "$TMP/r.html"
t_ok $? "bidi: sentence spans are bidi isolates"
python3 - "$TMP/r.html" <<'PY'
import re, sys
h = open(sys.argv[1], encoding='utf-8').read()
body = h[h.index('<div class="text">'):]
outside = re.sub(r'<span class="[sx][^"]*"[^>]*>.*?</span>', '', body, flags=re.S)
sys.exit(1 if any(c in outside for c in '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f') else 0)
PY
t_ok $? "bidi: no bidi control outside an isolated sentence"

# --- 7d. the HTML DOM's memory is capped per document, and rank says so ---
python3 -c "print('<html><body>' + '<b>x</b>' * 150000 + '</body></html>')" > "$TMP/tags.html"
# (Leak checks off for this run: libxml2 leaks 2 bytes when an allocation fails
# mid-parse, which LeakSanitizer reports in `make test SANITIZE=...`; known, see
# docs/reliability.md.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 R --max-dom 8M "$TMP/tags.html" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 3 "dom cap: the page over the cap is skipped (exit 3)"
grep -q "^spinscan: $TMP/tags.html: warning: the page's document tree needs more than 8 MiB" "$TMP/err"
t_ok $? "dom cap: the warning names the page and the cap"
R "$TMP/tags.html" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 0 "dom cap: under the default cap (256M) the same page is scored"
"$S" rank --help | grep -q -- '--max-dom'; t_ok $? "dom cap: --help documents --max-dom"

# --- 6. SIGINT/SIGTERM: the temporary file goes, the run says how far it got ---
python3 -c "
for i in range(200000):
    print('{\"id\":\"d%d\",\"text\":\"The river was calm in the morning and the boats came home late.\"}' % i)" > "$TMP/big.jsonl"
for sig in INT TERM; do
    mkdir -p "$TMP/sig$sig"
    "$S" rank -m "$M" -j1 --unsorted -o "$TMP/sig$sig/out.tsv" "$TMP/big.jsonl" 2>"$TMP/sig$sig.err" & pid=$!
    for _ in $(seq 1 200); do # until the run is writing
        ls "$TMP/sig$sig" | grep -q 'out.tsv.tmp' && break
        sleep 0.05
    done
    sleep 0.3
    kill -$sig $pid; wait $pid; rc=$?
    t_is "$rc" $([ $sig = INT ] && echo 130 || echo 143) "SIG$sig: exit 128 + signal"
    t_is "$(ls "$TMP/sig$sig" | wc -l)" 0 "SIG$sig: no temporary file left, no output"
    grep -q "^spinscan: interrupted by SIG$sig after [0-9]* documents scored; the output was not written" "$TMP/sig$sig.err"
    t_ok $? "SIG$sig: says what was done"
done
# rank DIR passes over spinscan's own temporary files (a killed run's leftovers)
mkdir -p "$TMP/walk"
printf 'The river was calm.\n' > "$TMP/walk/a.txt"
printf 'spin_score\tid\n0.5\tpartial\n' > "$TMP/walk/ranked.tsv.tmp.Ab12Xy"
printf 'Boats came home late.\n' > "$TMP/walk/notes.tmp.txt"
R -q "$TMP/walk" > "$TMP/out" 2>"$TMP/err"
t_is "$(tail -n +2 "$TMP/out" | cut -f2 | sort | tr '\n' ' ')" "$TMP/walk/a.txt $TMP/walk/notes.tmp.txt " \
    "rank DIR skips NAME.tmp.XXXXXX (and only that)"

# --- 7a/b. an id with \u0000 is not cut (no collisions); a lone surrogate costs no record ---
printf '%s\n' '{"id":"a\u0000b","text":"The river was calm."}' \
    '{"id":"a\u0000c","text":"Boats came \u0000 home late."}' \
    '{"id":"lone\ud800x","text":"The river \udc00 was calm."}' \
    '{"id":"pair\ud83d\ude00","text":"The river was calm."}' \
    '{"id":"esc\\u0000","text":"The river was calm."}' > "$TMP/nul.jsonl"
R "$TMP/nul.jsonl" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 0 "json escapes: every record scored (exit 0)"
t_is "$(tail -n +2 "$TMP/out" | cut -f2 | LC_ALL=C sort | tr '\n' ' ')" \
    "$(printf '%s ' 'a\x00b' 'a\x00c' 'esc\\u0000' "$(printf 'lone\357\277\275x')" "$(printf 'pair\360\237\230\200')")" \
    "json escapes: NUL kept (shown as \\x00), lone surrogate as U+FFFD, escaped backslash untouched"
R -f jsonl "$TMP/nul.jsonl" > "$TMP/out" 2>"$TMP/err"
t_is "$(grep -c '"id": "a\\u0000[bc]"' "$TMP/out")" 2 "json escapes: -f jsonl writes the NUL as \\u0000"

# --- model integrity: every command verifies the model it loads, unless --no-verify ---
"$S" compile "$M" "$TMP/m.bin" >/dev/null 2>&1
size=$(wc -c < "$TMP/m.bin")
found=""
for off in $(seq $((size - 16)) -512 $((size - 8192))); do # from the end: the n-gram tables
    cp "$TMP/m.bin" "$TMP/flip.bin"
    printf '\x55' | dd of="$TMP/flip.bin" bs=1 seek=$off conv=notrunc 2>/dev/null
    cmp -s "$TMP/m.bin" "$TMP/flip.bin" && continue
    if ! "$S" compile --verify "$TMP/flip.bin" >/dev/null 2>&1 &&
        echo 'the river' | "$S" query --no-verify "$TMP/flip.bin" >/dev/null 2>&1; then
        found=$off
        break
    fi
done
t_ok "$([ -n "$found" ]; echo $?)" "verify: a damaged table that loads lazily (byte $found)"
echo 'the river' | "$S" query "$TMP/flip.bin" > /dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "verify: query refuses the damaged model by default"
grep -q "^spinscan: $TMP/flip.bin: byte [0-9]*: .*damaged" "$TMP/err"; t_ok $? "verify: and says where"
"$S" score -m "$TMP/flip.bin" "$TMP/bidi.txt" > /dev/null 2>&1; t_is $? 1 "verify: score refuses it too"
R -m "$TMP/flip.bin" "$TMP/walk/a.txt" > /dev/null 2>&1; t_is $? 1 "verify: rank refuses it too"
"$S" rank -m "$TMP/flip.bin" --no-verify -q "$TMP/walk/a.txt" > /dev/null 2>&1; t_is $? 0 "verify: --no-verify skips the check"
for c in query score rank calibrate; do
    "$S" $c --help | grep -q -- '--no-verify'; t_ok $? "verify: $c --help lists --no-verify"
done

t_done
