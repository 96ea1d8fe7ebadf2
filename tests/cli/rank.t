#!/usr/bin/env bash
# spinscan rank and merge: crawls in every input format built here (directories,
# JSON Lines plain/gzip/zstd and on stdin, WARC, WARC.gz with one member per
# record, WET), malformed records, HTML pages, output formats, threads, --top,
# shards and merge, exit statuses.  A tiny model (lm/river.arpa) serves the
# plumbing; the ranking check needs the default model (skipped without it).
set -u
. "$(dirname "$0")/lib.sh"
t_use_model river
R() { "$S" rank -m "$M" --judge-all "$@"; } # the toy model and its short documents: plumbing, not detection

rec() { # rec TYPE URI CONTENT-TYPE BODYFILE [CLAIMED-LENGTH]: one WARC record
    local len=${5:-$(wc -c < "$4")}
    printf 'WARC/1.0\r\nWARC-Type: %s\r\nWARC-Target-URI: %s\r\nContent-Type: %s\r\nContent-Length: %s\r\n\r\n' \
        "$1" "$2" "$3" "$len"
    cat "$4"
    printf '\r\n\r\n'
}
C=$TMP/c
mkdir -p "$C"
printf 'The river was calm in the morning. Boats came home late.\n' > "$C/conv.txt"
printf 'software: rank.t\r\n' > "$C/info.txt"
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<!DOCTYPE html><html><head><title>Title words</title><script>var secret = "zebra";</script></head><body><h1>River news</h1><p>The river was calm.</p><style>.x{}</style><p>Boats came home late.</p></body></html>' > "$C/page.http"
printf 'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n' > "$C/img.http"
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' > "$C/bin.http"

# --- usage ---
for args in "-f xml" "-j 0" "--top x" "--shard 3/3" "--shard 1" "--shard-by path" "--max-bytes lots" "--unsorted --top 2" "--bogus"; do
    R $args "$C/conv.txt" >/dev/null 2>"$TMP/err"; t_is $? 2 "usage error ($args): exit 2"
done
"$S" rank --help | grep -q '^exit status for rank: 0 every document scored, 3'; t_ok $? "--help documents the exit statuses"

# --- directories ---
D=$TMP/dir
mkdir -p "$D/sub/deeper"
printf 'The river was calm.\n' > "$D/b.txt"
printf 'Boats came home late.\n' > "$D/a.txt"
printf 'The river was calm in the morning.\n' | gzip -c > "$D/sub/c.txt.gz"
printf '<html><body><p>The river was calm.</p><script>zebra zebra</script></body></html>' > "$D/sub/deeper/page.html"
ln -s .. "$D/sub/deeper/loop"
ln -s "$D" "$D/sub/again"
R -q -j2 "$D" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 0 "directory: exit 0"
t_is "$(head -1 "$TMP/out")" "$(printf 'spin_score\tid\tsentences\tflagged')" "tsv header"
t_is "$(tail -n +2 "$TMP/out" | cut -f2 | sort | tr '\n' ' ')" "$D/a.txt $D/b.txt $D/sub/c.txt.gz $D/sub/deeper/page.html " \
    "directory: every file once, id = path, symlink loops walked once"
t_is "$(grep -v 'NO CALIBRATION' "$TMP/err")" "" "-q: nothing on stderr but the missing calibration"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' > "$D/img.png"
R "$D" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 3 "a binary file: skipped, exit 3"
grep -q "^spinscan: $D/img.png: warning: not text" "$TMP/err"; t_ok $? "  warned with its path: $(grep img.png "$TMP/err" | head -c 150)"
grep -q "^spinscan: 4 documents scored (0 unsupported: not English or not judgeable, ranked last), 0 media responses (images, PDFs) passed over, 1 skipped (1 non-text), " "$TMP/err"; t_ok $? "  summary line: $(tail -1 "$TMP/err")"
rm "$D/img.png"

# --- JSON Lines ---
J=$TMP/j.jsonl
{
    printf '{"id": "doc-1", "text": "The river was calm."}\n'
    printf '{"url": "http://x.example/2", "text": "Boats came home late."}\n'
    printf '{"text": "The river was calm in the morning."}\n'
    printf 'this is not json\n'
    printf '{"id": "doc-5", "body": "no text field"}\n'
    printf '{"id": 6, "text": "Boats came home."}\n'
} > "$J"
R -f jsonl "$J" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 3 "jsonl with bad lines: exit 3"
t_is "$(jq -r .id "$TMP/out" | sort | tr '\n' ' ')" "$J:3 6 doc-1 http://x.example/2 " "jsonl: ids from id, url, number, FILE:LINE"
grep -q "^spinscan: $J:4: byte [0-9]*: warning: not a JSON object" "$TMP/err"; t_ok $? "malformed JSON: FILE:LINE"
grep -q "^spinscan: $J:5: byte [0-9]*: warning: no field 'text'" "$TMP/err"; t_ok $? "missing text field: FILE:LINE"
grep -q "(1 bad-json, 1 no-text)" "$TMP/err"; t_ok $? "summary counts by reason"
jq -e 'has("spin_score") and has("verdict") and has("sentences") and has("flagged") and has("tokens")' "$TMP/out" >/dev/null
t_ok $? "jsonl: the SPEC fields"
R -q -f jsonl --text-field body --id-field id "$J" > "$TMP/out" 2>/dev/null
t_is "$(jq -r .id "$TMP/out")" "doc-5" "--text-field / --id-field"

head -3 "$J" | gzip -c > "$TMP/j.jsonl.gz"
head -3 "$J" | zstd -q -c > "$TMP/j.jsonl.zst"
R -q "$TMP/j.jsonl.gz" > "$TMP/gz.out"; t_is $? 0 "jsonl.gz: exit 0"
R -q "$TMP/j.jsonl.zst" > "$TMP/zst.out"; t_is $? 0 "jsonl.zst: exit 0"
t_is "$(tail -n +2 "$TMP/gz.out" | wc -l)" 3 "jsonl.gz: 3 documents"
t_is "$(cut -f2 "$TMP/zst.out" | tail -n +2 | sort | tr '\n' ' ')" "$TMP/j.jsonl.zst:3 doc-1 http://x.example/2 " "jsonl.zst: same documents"
head -3 "$J" | R -q - > "$TMP/out"; t_is $? 0 "'-': JSON Lines on stdin"
t_is "$(tail -n +2 "$TMP/out" | cut -f2 | sort | tr '\n' ' ')" "-:3 doc-1 http://x.example/2 " "  ids (FILE is '-')"
cp "$TMP/j.jsonl.gz" "$TMP/data.bin"
R -q "$TMP/data.bin" > "$TMP/out"; t_is "$(tail -n +2 "$TMP/out" | wc -l)" 3 "detected by content, not by name"

# a truncated zstd and gzip JSON Lines file: the documents before the cut survive
awk 'BEGIN { srand(7); for (i = 1; i <= 6000; i++) printf "{\"id\": \"z%04d\", \"text\": \"The river was calm %d %d %d.\"}\n", i, rand() * 1e9, rand() * 1e9, rand() * 1e9 }' > "$TMP/big.jsonl"
zstd -q -c "$TMP/big.jsonl" > "$TMP/big.jsonl.zst"
head -c $(( $(stat -c %s "$TMP/big.jsonl.zst") * 3 / 4 )) "$TMP/big.jsonl.zst" > "$TMP/cut.jsonl.zst"
R -q "$TMP/cut.jsonl.zst" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 3 "truncated zstd: exit 3"
n=$(tail -n +2 "$TMP/out" | wc -l)
[ "$n" -gt 0 ] && [ "$n" -lt 6000 ]; t_ok $? "  the documents before the cut are scored ($n)"
R "$TMP/cut.jsonl.zst" 2>&1 >/dev/null | grep -q "^spinscan: $TMP/cut.jsonl.zst:[0-9]*: byte [0-9]*: warning: .*zstd"; t_ok $? "  warned with its place"

# --- WARC ---
W=$TMP/t.warc
{
    rec warcinfo "" application/warc-fields "$C/info.txt"
    rec request http://w.example/page "application/http; msgtype=request" "$C/info.txt"
    rec response http://w.example/page "application/http; msgtype=response" "$C/page.http"
    rec response http://w.example/img "application/http; msgtype=response" "$C/img.http"
    rec response http://w.example/bin "application/http; msgtype=response" "$C/bin.http"
    rec conversion http://w.example/conv text/plain "$C/conv.txt"
    rec conversion http://w.example/short text/plain "$C/conv.txt" 20
    rec conversion http://w.example/after-short text/plain "$C/conv.txt"
    printf 'WARC/1.0\r\nWARC-Type: conversion\r\nthis line has no colon\r\nContent-Length: 5\r\n\r\nabcde\r\n\r\n'
    rec conversion http://w.example/after-bad text/plain "$C/conv.txt"
    rec conversion http://w.example/long text/plain "$C/conv.txt" 400
    rec conversion http://w.example/after-long text/plain "$C/conv.txt"
} > "$W"
R -f jsonl "$W" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 3 "warc with bad records: exit 3"
t_is "$(jq -r .id "$TMP/out" | sort | tr '\n' ' ')" "http://w.example/after-bad http://w.example/after-long http://w.example/after-short http://w.example/conv http://w.example/page " \
    "warc: conversion and text/HTML response records, found again after each bad one"
grep -q "image/png" "$TMP/err"; t_ok $((!$?)) "an image response: no warning (media are normal in a crawl)"
grep -q " 1 media responses (images, PDFs) passed over, " "$TMP/err"; t_ok $? "  counted apart: $(tail -1 "$TMP/err" | cut -c 1-150)"
grep -q "^spinscan: $W: byte [0-9]*: warning: not text" "$TMP/err"; t_ok $? "binary payload labelled text: skipped"
t_is "$(grep -c "warning: Content-Length" "$TMP/err")" 2 "lying Content-Length (short and long): 2 warnings"
grep -q "warning: invalid WARC header" "$TMP/err"; t_ok $? "invalid WARC header: warned"
grep -q "(1 bad-warc, 2 bad-length, 1 non-text)" "$TMP/err"; t_ok $? "  counted: $(tail -1 "$TMP/err")"
# visible text: "River news" is a heading, then two sentences: 12 tokens;
# "sentences" counts the prose sentences, as score does (issue 18)
t_is "$(jq -c 'select(.id == "http://w.example/page") | [.sentences, .tokens]' "$TMP/out")" "[2,12]" \
    "HTML: visible text only (no title, script or style)"
{
    rec response http://m.example/page "application/http; msgtype=response" "$C/page.http"
    rec response http://m.example/img "application/http; msgtype=response" "$C/img.http"
} > "$TMP/media.warc"
R -f jsonl "$TMP/media.warc" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc:$(grep -v 'NO CALIBRATION' "$TMP/err" | grep -c warning)" "0:0" "a WARC of a page and an image: exit 0, no warning"
t_is "$(jq -r .id "$TMP/out")" "http://m.example/page" "  the page is scored"

# .warc.gz, one member per record, the middle member truncated; and a WET file
G=$TMP/t.warc.gz
rm -f "$G"
rec conversion http://g.example/1 text/plain "$C/conv.txt" | gzip -c >> "$G"
bad=$(stat -c %s "$G")
rec conversion http://g.example/2 text/plain "$C/conv.txt" | gzip -c | head -c 70 >> "$G"
rec response http://g.example/3 "application/http; msgtype=response" "$C/page.http" | gzip -c >> "$G"
rec conversion http://g.example/4 text/plain "$C/conv.txt" | gzip -c >> "$G"
R -q -f jsonl "$G" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 3 "warc.gz with a truncated member: exit 3"
t_is "$(jq -r .id "$TMP/out" | sort | tr '\n' ' ')" "http://g.example/1 http://g.example/3 http://g.example/4 " "  the other members' records are scored"
R -f jsonl "$G" 2>&1 >/dev/null | grep -q "^spinscan: $G: byte $bad: warning: .*gzip"; t_ok $? "  the bad member is named by its byte offset ($bad)"
WET=$TMP/t.warc.wet.gz
rm -f "$WET"
for i in 1 2 3; do rec conversion "http://wet.example/$i" text/plain "$C/conv.txt" | gzip -c >> "$WET"; done
R -q "$WET" > "$TMP/out"; t_is $? 0 "wet.gz: exit 0"
t_is "$(tail -n +2 "$TMP/out" | wc -l)" 3 "wet.gz: 3 documents"

# --- size limit, --strict, -o ---
R -q --max-bytes 30 "$D" > "$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 3 "--max-bytes: oversize documents skipped, exit 3"
R --max-bytes 30 "$D" 2>&1 >/dev/null | grep -q "warning: larger than 30 bytes"; t_ok $? "  warned"
t_is "$(tail -n +2 "$TMP/out" | wc -l)" 2 "  the small ones are scored"
printf 'old\n' > "$TMP/keep.tsv"
R -q --strict -o "$TMP/keep.tsv" "$J" 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "--strict: the first bad record ends the run (exit 1)"
t_is "$(cat "$TMP/keep.tsv")" "old" "  -o OUT left untouched"
R -q -o "$TMP/keep.tsv" "$D"; t_is $? 0 "-o OUT: exit 0"
t_is "$(tail -n +2 "$TMP/keep.tsv" | wc -l)" 4 "  OUT replaced when complete"
t_is "$(ls "$TMP" | grep -c 'keep.tsv.tmp')" 0 "  no temporary file left"
R -q "$TMP/none" > /dev/null 2>&1; t_is $? 3 "a missing INPUT is a skipped input (exit 3)"
R -q -m "$TMP/no-model" "$D" > /dev/null 2>&1; t_is $? 1 "no model: exit 1"

# --- threads, --top, --unsorted, shards and merge ---
{ for i in $(seq 1 60); do
    case $((i % 4)) in
    0) t="The river was calm in the morning." ;;
    1) t="Boats came home late. The river was calm." ;;
    2) t="Late calm boats river the came morning home was." ;;
    *) t="Home late boats. River morning calm was the in." ;;
    esac
    printf '{"id": "d%02d", "text": "%s %d"}\n' "$i" "$t" "$i"
done; } > "$TMP/many.jsonl"
for f in tsv jsonl; do
    R -q -j1 -f $f "$TMP/many.jsonl" "$W" "$D" > "$TMP/j1.$f" 2>/dev/null
    R -q -j2 -f $f "$TMP/many.jsonl" "$W" "$D" > "$TMP/j2.$f" 2>/dev/null
    cmp -s "$TMP/j1.$f" "$TMP/j2.$f"; t_ok $? "-j1 and -j2: identical $f output"
done
tail -n +2 "$TMP/j1.tsv" | cut -f1,2 > "$TMP/keys"
LC_ALL=C sort -c -t "$(printf '\t')" -k1,1r -k2,2 "$TMP/keys"; t_ok $? "sorted: score descending, ties by id"
R -q -j2 --top 7 "$TMP/many.jsonl" "$W" "$D" > "$TMP/top" 2>/dev/null
t_is "$(cat "$TMP/top")" "$(head -8 "$TMP/j1.tsv")" "--top 7 = the first 7 of the full ranking"
R -q -j2 --unsorted "$TMP/many.jsonl" "$W" "$D" > "$TMP/uns" 2>/dev/null
t_is "$( (head -1 "$TMP/uns"; tail -n +2 "$TMP/uns" | LC_ALL=C sort -t "$(printf '\t')" -k1,1r -k2,2) | md5sum)" "$(md5sum < "$TMP/j1.tsv")" \
    "--unsorted, then sort as documented = the sorted ranking"
for by in id file; do
    for f in tsv jsonl; do
        for i in 0 1 2; do
            R -q -j2 -f $f --shard $i/3 --shard-by $by "$TMP/many.jsonl" "$W" "$D" "$TMP/j.jsonl.gz" > "$TMP/s$i.$f" 2>/dev/null
        done
        R -q -j2 -f $f "$TMP/many.jsonl" "$W" "$D" "$TMP/j.jsonl.gz" > "$TMP/full.$f" 2>/dev/null
        "$S" merge "$TMP/s0.$f" "$TMP/s1.$f" "$TMP/s2.$f" > "$TMP/merged.$f"
        cmp -s "$TMP/merged.$f" "$TMP/full.$f"; t_ok $? "--shard-by $by, $f: merge of 3 shards = the unsharded ranking"
    done
done
t_is "$(cat "$TMP"/s[012].tsv | grep -vc '^spin_score')" "$(tail -n +2 "$TMP/full.tsv" | wc -l)" \
    "shards by file: each document in exactly one shard"
gzip -c "$TMP/s1.tsv" > "$TMP/s1.tsv.gz"
"$S" merge --top 5 -o "$TMP/m5" "$TMP/s0.tsv" "$TMP/s1.tsv.gz" "$TMP/s2.tsv"; t_is $? 0 "merge --top -o, compressed input: exit 0"
t_is "$(cat "$TMP/m5")" "$(head -6 "$TMP/full.tsv")" "  the top 5 of the whole"
"$S" merge "$TMP/uns" > /dev/null 2>"$TMP/err"; rc=$?
[ "$rc" -eq 1 ] || [ "$(tail -n +2 "$TMP/uns" | cmp -s - <(tail -n +2 "$TMP/j1.tsv"); echo $?)" -eq 0 ]
t_ok $? "merge of an unsorted input: exit 1 ($(head -c 120 "$TMP/err"))"
"$S" merge "$TMP/full.tsv" "$TMP/full.jsonl" > /dev/null 2>&1; t_is $? 1 "merge of mixed formats: exit 1"
"$S" merge > /dev/null 2>&1; t_is $? 2 "merge without INPUT: exit 2"
# Ids that are not UTF-8 print as U+FFFD in JSON, which sorts elsewhere than
# the byte; rank sorts by the id as printed, so merge finds the output sorted.
printf '{"id": "a\xff", "text": "Calm river."}\n{"id": "a\xf0\x9f\x98\x80", "text": "Calm river."}\n' > "$TMP/bad-ids.jsonl"
R -q -f jsonl "$TMP/bad-ids.jsonl" > "$TMP/bad-ids.out" 2>/dev/null
"$S" merge "$TMP/bad-ids.out" > "$TMP/bad-ids.merged" 2>"$TMP/err"; t_is $? 0 "merge of jsonl with ids that are not UTF-8: exit 0 ($(head -c 120 "$TMP/err"))"
cmp -s "$TMP/bad-ids.out" "$TMP/bad-ids.merged"; t_ok $? "  and the same ranking"

# --- ranking with the default model: spun and salad documents first ---
MD=${SPINSCAN_TEST_MODEL_DIR:-}
if [ -n "$MD" ] && [ -s "$MD/detector.txt" ]; then
    K=$TMP/known
    mkdir -p "$K"
    cp "$SRC/tests/data/samples/spun-back-pain.txt" "$SRC/tests/data/samples/salad-finance.txt" "$K/"
    cp "$SRC/tests/data/samples/natural-sleep.txt" "$K/natural-sleep.txt"
    cat > "$K/natural-kitchen.txt" <<'EOF'
Cooking at Home on a Budget

Most of our weekly meals start with a pot of beans and whatever vegetables are cheapest at the market. On Sunday I soak the beans overnight, and on Monday they simmer for an hour with onions, garlic and a bay leaf. Half of the pot becomes soup, and the rest goes into burritos later in the week.

Buying rice and oats in large bags saves a surprising amount of money. We keep them in glass jars so that nothing goes stale, and we write the date on a strip of tape before filling each jar.
EOF
    cat > "$K/natural-bike.txt" <<'EOF'
Fixing a Flat Tyre

A flat tyre is the most common repair a cyclist will face, and it takes only a few tools. First, remove the wheel and let out any remaining air. Use two tyre levers to lift one side of the tyre over the rim, then pull out the inner tube.

Run your fingers carefully around the inside of the tyre to find the thorn or piece of glass that caused the puncture. If you skip this step, the new tube will go flat within a day. Finally, fit the new tube, seat the tyre, and pump it to the pressure printed on its side.
EOF
    "$S" rank -q -m "$MD" -j2 "$K" > "$TMP/known.tsv"; rc=$?
    t_is "$rc" 0 "default model: exit 0"
    t_is "$(tail -n +2 "$TMP/known.tsv" | head -1 | cut -f2 | xargs -n1 basename)" \
        "spun-back-pain.txt" "default model: the spun document ranks first"
    awk -F'\t' '$2 ~ /salad-finance/ {s = NR} $2 ~ /natural-sleep/ {n = NR} END {exit !(s && n && s < n)}' "$TMP/known.tsv"
    t_ok $? "  and the keyword-stuffed salad above the natural sleep article"
    # Unsupported documents (another language, code, too short) rank after every
    # judged one, whatever their features, and the summary counts them.
    cp "$SRC/tests/data/foreign/de-001.txt" "$SRC/tests/data/foreign/zh-001.txt" \
        "$SRC/tests/data/foreign/code-001.txt" "$SRC/tests/data/foreign/short-001.txt" "$K/"
    for f in tsv jsonl; do
        "$S" rank -m "$MD" -j2 -f $f "$K" > "$TMP/known.$f" 2> "$TMP/err"; rc=$?
        t_is "$rc" 0 "$f with foreign documents: exit 0"
        if [ $f = tsv ]; then
            last4=$(tail -n 4 "$TMP/known.tsv" | cut -f1,2 | sed 's|\t.*/|\t|' | LC_ALL=C sort | tr '\n' ' ')
            want=$(printf -- '-\t%s ' code-001.txt de-001.txt short-001.txt zh-001.txt)
            t_is "$last4" "$want" "tsv: the 4 unsupported documents rank last, score -"
            LC_ALL=C sort -c -t "$(printf '\t')" -k1,1r -k2,2 <(tail -n +2 "$TMP/known.tsv")
            t_ok $? "tsv: still sorted as documented (sort -k1,1r -k2,2)"
        else
            t_is "$(jq -r '[.verdict, (.spin_score | tostring)] | join(" ")' "$TMP/known.jsonl" | tail -n 4 | sort -u)" \
                "unsupported null" "jsonl: verdict unsupported, spin_score null, last"
        fi
        grep -q "documents scored (4 unsupported: " "$TMP/err"; t_ok $? "$f: the summary counts them: $(tail -1 "$TMP/err" | cut -c 1-90)"
    done
    # Dolma attributes: an unsupported document has no score span (Dolma reads
    # every span's score as a float) and an "unsupported" flag to filter on.
    mkdir -p "$TMP/dolma/documents"
    jq -cn --rawfile de "$SRC/tests/data/foreign/de-001.txt" --rawfile en "$SRC/tests/data/samples/natural-sleep.txt" \
        '{id: "de", text: $de}, {id: "en", text: $en}' > "$TMP/dolma/documents/part.jsonl"
    "$S" rank -q -m "$MD" -f attributes -o "$TMP/dolma/attributes" "$TMP/dolma/documents/part.jsonl"
    t_is "$(jq -c '[.id, .attributes.spinscan__spinscan__spin_score, .attributes.spinscan__spinscan__unsupported[0][2],
                    ([.attributes[][][2]] | all(type == "number"))]' "$TMP/dolma/attributes/part.jsonl" | head -n 1)" \
        '["de",[],1,true]' "attributes: an unsupported document has no score span, a flag, and only numeric span values"
    t_is "$(jq -c '[.id, (.attributes.spinscan__spinscan__spin_score[0][2] | type), .attributes.spinscan__spinscan__unsupported]' \
        <(tail -n 1 "$TMP/dolma/attributes/part.jsonl"))" '["en","number",null]' "  a judged one has its score and no flag"
    "$S" rank -q -m "$MD" -f tsv "$K" > "$TMP/a.tsv"
    "$S" rank -q -m "$MD" -f tsv --shard 0/2 "$K" > "$TMP/s0.tsv"
    "$S" rank -q -m "$MD" -f tsv --shard 1/2 "$K" > "$TMP/s1.tsv"
    "$S" merge "$TMP/s0.tsv" "$TMP/s1.tsv" > "$TMP/m.tsv" 2>&1
    t_is "$(md5sum < "$TMP/m.tsv")" "$(md5sum < "$TMP/a.tsv")" "merge keeps unsupported documents last"
    # --adapt N: a reference from the crawl's first N documents; --reference reuses it
    if grep -q '^doc_reference' "$MD/detector.txt"; then
        AD=$TMP/adapt
        mkdir -p "$AD"
        for f in "$SRC"/tests/data/web/0[0-2]*.txt; do cp "$f" "$AD/"; done
        "$S" rank -q -m "$MD" -j2 --adapt 25 --save-reference "$TMP/ref.txt" "$AD" > "$TMP/ad1.tsv"; rc=$?
        t_is "$rc" 0 "--adapt 25 --save-reference: exit 0"
        grep -q '^source.adapted to 25 documents' "$TMP/ref.txt"; t_ok $? "  the saved reference says what it was adapted to"
        "$S" rank -q -m "$MD" -j2 --reference "$TMP/ref.txt" "$AD" > "$TMP/ad2.tsv"
        t_is "$(md5sum < "$TMP/ad2.tsv")" "$(md5sum < "$TMP/ad1.tsv")" "--reference FILE ranks exactly as --adapt did"
        "$S" rank -q -m "$MD" -j2 "$AD" > "$TMP/ad0.tsv"
        cmp -s "$TMP/ad0.tsv" "$TMP/ad1.tsv"; t_is $? 1 "  and differently from the calibration's reference"
    else
        for i in 1 2 3 4; do t_skip "models/en/detector.txt predates doc_reference (make model): --adapt"; done
    fi
    "$S" rank -q -m "$MD" --save-reference "$TMP/x.txt" "$K" > /dev/null 2>&1; t_is $? 2 "--save-reference without --adapt: usage error"
    "$S" rank -q -m "$MD" --adapt 5 "$K" > /dev/null 2>&1; t_is $? 2 "--adapt below 20 documents: usage error"
else
    for i in $(seq 19); do t_skip "default model not built (make model): ranking check"; done
fi
# --- the tool version and the model's identity on every line (issue 16) ---
# A model directory with a manifest.json (checksum and packages, as make model
# writes it): each JSON line carries "model": "spinscan VERSION; model SHA12".
VER=$("$S" --version | awk '{print $2; exit}')
IM=$TMP/idm
mkdir -p "$IM"
cp "$M" "$IM/model.arpa"
SHA=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
printf '{"packages": ["toy-corpus@1.2 (MIT)"], "sha256": "%s", "sha256_of": "model.arpa"}\n' "$SHA" > "$IM/manifest.json"
ID="spinscan $VER; model ${SHA:0:12}"
RI() { "$S" rank -m "$IM" --judge-all "$@"; }
RI -f jsonl "$TMP/many.jsonl" "$D" > "$TMP/id.jsonl" 2> "$TMP/err"; rc=$?
t_is "$rc/$(jq -r .model "$TMP/id.jsonl" | sort | uniq -c | awk '{print $1 " " $2 " " $3 " " $4 " " $5}')" \
    "0/64 spinscan $VER; model ${SHA:0:12}" "jsonl: every line carries \"model\": the version and the manifest's checksum ($ID)"
t_is "$(jq -c 'keys_unsorted' "$TMP/id.jsonl" | sort -u)" '["id","spin_score","verdict","sentences","flagged","tokens","model"]' \
    "  the fields before it unchanged, in their order; model last"
t_is "$(jq -r .model "$TMP/j1.jsonl" | sort -u)" "spinscan $VER; model unknown" "  a model without manifest.json: \"model unknown\""
R -q -f jsonl "$TMP/many.jsonl" "$D" 2>/dev/null | sed 's/, "model": "[^"]*"}$/}/' > "$TMP/noid.jsonl"
sed 's/, "model": "[^"]*"}$/}/' "$TMP/id.jsonl" | cmp -s - "$TMP/noid.jsonl"
t_ok $? "  the lines without it: byte for byte those of the same model without a manifest"
grep -q "docs/s) with $ID\$" "$TMP/err"; t_ok $? "  and the summary line names it ($(tail -1 "$TMP/err" | grep -o 'with .*'))"
RI -f tsv "$TMP/many.jsonl" "$D" > "$TMP/id.tsv" 2> "$TMP/err"
t_is "$(head -1 "$TMP/id.tsv")" "$(printf 'spin_score\tid\tsentences\tflagged')" "tsv: the header line unchanged (no column, no comment line)"
t_is "$(tail -n +2 "$TMP/id.tsv" | cut -f2 | md5sum)" "$(jq -r .id "$TMP/id.jsonl" | md5sum)" "  the same documents in the same order as jsonl"
grep -q "docs/s) with $ID\$" "$TMP/err"; t_ok $? "  the identity is on the summary line (stderr)"
RI -f jsonl --families "$TMP/many.jsonl" > "$TMP/idf.jsonl" 2>/dev/null
t_is "$(jq -c 'keys_unsorted' "$TMP/idf.jsonl" | sort -u)" '["id","spin_score","family","family_size","family_kind","verdict","sentences","flagged","tokens","model"]' \
    "--families: family fields after the score, model still last"
t_is "$(jq -r .model "$TMP/idf.jsonl" | sort -u)" "$ID" "  with the identity"
# merge: the identity travels with the lines; different models are refused
for i in 0 1; do RI -q -f jsonl --shard $i/2 "$TMP/many.jsonl" "$D" > "$TMP/ids$i.jsonl" 2>/dev/null; done
"$S" merge "$TMP/ids0.jsonl" "$TMP/ids1.jsonl" > "$TMP/idm.jsonl" 2> "$TMP/err"; rc=$?
t_is "$rc/$(wc -c < "$TMP/err")" "0/0" "merge of shards ranked with one model: exit 0, nothing on stderr"
cmp -s "$TMP/idm.jsonl" "$TMP/id.jsonl"; t_ok $? "  = the unsharded ranking, \"model\" kept on every line"
R -q -f jsonl --shard 1/2 "$TMP/many.jsonl" "$D" > "$TMP/other1.jsonl" 2>/dev/null
echo old > "$TMP/mixed.jsonl"
"$S" merge -o "$TMP/mixed.jsonl" "$TMP/ids0.jsonl" "$TMP/other1.jsonl" 2> "$TMP/err"; rc=$?
t_is "$rc" 1 "merge of rankings made with different models: exit 1"
grep -q "^spinscan: $TMP/other1.jsonl:1: ranked with \"spinscan $VER; model unknown\", but $TMP/ids0.jsonl:1 with \"$ID\": " "$TMP/err"
t_ok $? "  naming both lines and both identities ($(head -c 100 "$TMP/err"))"
t_is "$(cat "$TMP/mixed.jsonl")" "old" "  nothing written (-o OUT untouched)"
sed 's/, "model": "[^"]*"}$/}/' "$TMP/ids1.jsonl" > "$TMP/old1.jsonl"
"$S" merge "$TMP/ids0.jsonl" "$TMP/old1.jsonl" > "$TMP/idold.jsonl" 2> "$TMP/err"; rc=$?
t_is "$rc" 0 "merge with a ranking that has no \"model\" (older spinscan): exit 0"
grep -q "^spinscan: $TMP/old1.jsonl:1: warning: no \"model\" field" "$TMP/err"; t_ok $? "  with one warning: $(head -c 90 "$TMP/err")"
t_is "$(wc -l < "$TMP/err")" 1 "  only one"
# Dolma attribute files: "model" as a top-level key (Dolma reads id and attributes)
mkdir -p "$TMP/dolma/documents"
{ printf '{"id": 7, "source": "toy", "text": "The river was calm."}\n'; printf '\n'; printf '{"id": "b", "body": "no text"}\n'; } > "$TMP/dolma/documents/a.jsonl"
RI -q -f attributes -o "$TMP/dolma/attributes/exp" "$TMP/dolma/documents" 2>/dev/null
A=$TMP/dolma/attributes/exp/a.jsonl
t_is "$(wc -l < "$A")/$(jq -r .model "$A" | grep -cxF "$ID")" "3/3" "attributes: every line (scored, blank, unscorable) carries \"model\": $ID"
t_is "$(jq -c 'keys_unsorted' "$A" | head -1)" '["id","source","attributes","model"]' "  a top-level key after attributes, not an attribute"
t_is "$(jq -c '.attributes | keys | map(select(test("model")))' "$A" | sort -u)" "[]" "  attribute values stay [start, end, number] spans"

# The default model: its manifest's checksum, as make model wrote it.
if [ -n "$MD" ] && [ -s "$MD/manifest.json" ]; then
    MSHA=$(jq -r .sha256 "$MD/manifest.json")
    "$S" rank -q -m "$MD" -f jsonl "$SRC/tests/data/samples" > "$TMP/md.jsonl"
    t_is "$(jq -r .model "$TMP/md.jsonl" | sort -u)" "spinscan $VER; model ${MSHA:0:12}" \
        "default model: \"model\" = spinscan --version and the first 12 hex digits of manifest.json's sha256"
else
    t_skip "default model not built (make model): its identity"
fi
t_done
