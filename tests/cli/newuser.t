#!/usr/bin/env bash
# Issue 18: what a new user ran into.  One input path (score reads what rank
# reads) and each defect of the issue, one check or more each.  A tiny model
# (lm/river-sparse.arpa) is enough (no built model needed).
set -u
. "$(dirname "$0")/lib.sh"
unset SPINSCAN_MODEL
cd "$TMP" || exit 1

t_model river-sparse m.arpa
# --judge-all (judge short texts too) where the binary has it.
JA=; "$S" score --help | grep -q -- --judge-all && JA=--judge-all
SC() { "$S" score -m m.arpa $JA "$@"; }
R() { "$S" rank -q -m m.arpa $JA "$@"; }
field() { python3 -c 'import json,sys
for l in sys.stdin:
    o = json.loads(l); print(json.dumps(o.get(sys.argv[1])))' "$1"; }

# --- 2. one input path ---
printf '<!DOCTYPE html><html><head><title>Title words</title><script>var zebra = 1;</script></head><body><h1>River news</h1><p>The river was calm in the morning.</p><p>Boats came home late.</p></body></html>' > page.html
SC -f json page.html > p.json 2>err; rc=$?
t_is "$rc" 0 "score reads an HTML page"
t_is "$(python3 -c 'import json; o=json.load(open("p.json")); print(" | ".join(s["text"] for s in o["sentences"]))')" \
    "River news | The river was calm in the morning. | Boats came home late." \
    "  reduced to its visible text, as rank reads it (no title, script or markup)"
R -f jsonl page.html > r.json 2>/dev/null
t_is "$(field tokens < p.json)" "$(field tokens < r.json)" "  the same tokens as rank counts"

printf '{"id": "a", "text": "The river was calm."}\n{"id": "b", "text": "Boats came home late."}\nnot json\n{"id": "c", "text": "The boats came home."}\n' > set.jsonl
SC -f json set.jsonl > s.json 2>err; rc=$?
t_is "$(field id < s.json | tr '\n' ' ')" '"a" "b" "c" ' "a JSON Lines file is a set of documents, with their ids"
t_is "$rc" 1 "  a bad line is reported (exit 1)"
grep -q "set.jsonl:3" err; t_ok $? "  naming FILE:LINE ($(grep -v 'NO CALIB' err | head -1 | cut -c 1-80))"

rec() { # rec TYPE URI CONTENT-TYPE BODY
    printf 'WARC/1.0\r\nWARC-Type: %s\r\nWARC-Target-URI: %s\r\nContent-Type: %s\r\nContent-Length: %s\r\n\r\n%s\r\n\r\n' \
        "$1" "$2" "$3" "${#4}" "$4"
}
rm -f c.warc.gz
rec conversion http://x/1 text/plain 'The river was calm.' | gzip -c >> c.warc.gz
rec conversion http://x/2 text/plain 'Boats came home late.' | gzip -c | head -c 60 >> c.warc.gz
rec conversion http://x/3 text/plain 'The boats came home.' | gzip -c >> c.warc.gz
SC -f json c.warc.gz > w.json 2>err; rc=$?
t_is "$(field id < w.json | tr '\n' ' ')" '"http://x/1" "http://x/3" ' "a WARC with a corrupt member loses that member only"
t_is "$rc" 1 "  and says so (exit 1)"

# --- 3. defects ---
: > empty.txt
SC -f json empty.txt > e.json 2>/dev/null
t_is "$(field perplexity < e.json)" "null" "an empty document's perplexity is null"

printf '{"id": 42, "text": "The river was calm."}\n{"id": "7", "text": "Boats came home late."}\n' > ids.jsonl
t_is "$(SC -f json ids.jsonl 2>/dev/null | field id | tr '\n' ' ')" '42 "7" ' "score: a numeric JSON id stays a number"
R -f jsonl -o r1.jsonl ids.jsonl 2>/dev/null
t_is "$(field id < r1.jsonl | sort | tr '\n' ' ')" '"7" 42 ' "rank -f jsonl: a numeric id stays a number"
cp r1.jsonl r2.jsonl
"$S" merge r1.jsonl > /dev/null 2>&1
t_is "$("$S" merge r1.jsonl 2>/dev/null | field id | sort | tr '\n' ' ')" '"7" 42 ' "  merge reads it back"

t_ok "$("$S" rank --help | tail -1 | grep -q '^exit status: 0 success, 1 data or runtime error, 2 usage error$'; echo $((!$?)))" \
    "rank --help does not end with the generic exit status line"
"$S" rank --help | grep -q "3 completed but some records were"; t_ok $? "  it documents exit status 3"

"$S" score -m m.arpa empty.txt > /dev/null 2>err
grep -q "warning: NO CALIBRATION" err && grep -q "spinscan calibrate -m MODEL" err
t_ok $? "score -m own model without calibration warns loudly and says how to calibrate"

mkdir -p cal
echo 'The river was calm.' > cal/n.txt
echo 'Calm river the was.' > cal/s.txt
printf 'n.txt\tnatural\t0\t0\ns.txt\tsalad_shuffle\t1\t1\n' > cal/labels.tsv
"$S" calibrate -q -m m.arpa -O cal/out.txt cal/labels.tsv 2>err; rc=$?
t_is "$rc" 1 "calibrate refuses two documents"
grep -q "too few documents to calibrate: 1 natural and 1 machine-made; at least 20" err
t_ok $? "  saying how many are needed ($(head -c 90 err))"
t_ok "$([ ! -e cal/out.txt ]; echo $?)" "  and writes nothing"
"$S" calibrate --help | grep -q "synth.js"; t_ok $? "calibrate --help names the label generator"

for i in $(seq 1 40); do echo "{\"id\": $i, \"text\": \"The river was calm.\"}"; done > many.jsonl
"$S" rank -m m.arpa --text-field content many.jsonl > /dev/null 2>err; rc=$?
t_is "$rc" 1 "rank --text-field naming no field of the first records fails (exit 1)"
t_is "$(grep -c "warning: no field 'content'" err)" 0 "  fast: no warning per record"
grep -q "does --text-field name the field" err; t_ok $? "  with one error that says why"

{ rec response http://m/page "application/http; msgtype=response" "$(printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>The river was calm.</p></body></html>')"
  rec response http://m/img "application/http; msgtype=response" "$(printf 'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNGDATA')"
  rec response http://m/doc "application/http; msgtype=response" "$(printf 'HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n%%PDF-1.4')"; } > media.warc
"$S" rank -m m.arpa $JA media.warc > /dev/null 2>err; rc=$?
t_is "$rc:$(grep -v 'NO CALIB' err | grep -c warning)" "0:0" "rank: image and PDF responses in a WARC: exit 0, no warning"
grep -q " 2 media responses (images, PDFs) passed over, 0 skipped" err; t_ok $? "  counted apart ($(tail -1 err | cut -c 60-140))"

R -f jsonl -o a.jsonl set.jsonl 2>/dev/null
"$S" merge a.jsonl a.jsonl > m.out 2>err; rc=$?
t_is "$rc:$(wc -l < m.out)" "2:0" "merge a.jsonl a.jsonl refuses (exit 2, nothing written)"
(sed -n 2p a.jsonl; sed -n 1p a.jsonl) > uns.jsonl
"$S" merge uns.jsonl > m.out 2>err; rc=$?
t_is "$rc:$(wc -l < m.out)" "1:0" "unsorted input fails before printing a line"

printf '# Title\n\nThe river was calm. Boats came home late.\n' > head.txt
t_is "$(R -f jsonl head.txt 2>/dev/null | field sentences)" "$(SC -f json head.txt 2>/dev/null | field prose)" \
    "rank's sentences counts the prose sentences, as score does"
SC -f json set.jsonl 2>/dev/null | head -1 | python3 -c 'import json,sys; o=json.load(sys.stdin); d=o["doc_features"]; sys.exit(0 if "flagged" not in d and "flagged_own" in d else 1)'
t_ok $? "doc_features has no 'flagged' to contradict the top-level count (flagged_own)"
"$S" score --help | grep -q stuffing; t_ok $? "stuffing is a verdict of its own (score --help)"

printf 'Use a thesaurus, e.g. Moby, to spin text.\n' > eg.txt
t_is "$("$S" tokenize eg.txt | wc -l)" 1 "\"e.g.\" does not end a sentence"
t_is "$(printf 'We met at 5 p.m. with Dr. Smith.\n' | "$S" tokenize)" "we met at 0 p.m . with dr . smith ." \
    "p.m. and Dr. follow one rule: the final period is a token of its own"
# A pretty-printed JSON file is one document (code), not JSON Lines with bad
# records; a JSON Lines file named .txt is still a set of documents.
printf '{\n  "name": "widget",\n  "units": "metric"\n}\n' > config.txt
SC -f json config.txt > c.json 2>err; rc=$?
t_is "$rc:$(wc -l < c.json | tr -d ' '):$(grep -c -i 'json' err)" "0:1:0" \
    "a pretty-printed JSON file is one document, with no JSON error"
printf '{"id": 1, "text": "The river was calm."}\n{"id": 2, "text": "Boats came home."}\n' > lines.txt
t_is "$(SC -f json lines.txt 2>/dev/null | wc -l | tr -d ' ')" 2 "a JSON Lines file named .txt is two documents"
# rank -f html --top K: the report of score -f html for the top of a crawl.
R -f html --top 2 -o top.html set.jsonl 2>/dev/null
t_is "$(grep -c '<section class="doc ' top.html):$(grep -c '<section id="summary"' top.html)" "2:1" \
    "rank -f html --top 2: the HTML report (summary, two documents)"
grep -q '<title>spinscan rank: the top 2 of 3 documents</title>' top.html; t_ok $? "  titled as the top 2 of 3"
R -f html set.jsonl > /dev/null 2>&1; t_is $? 2 "  -f html without --top: usage error"
t_done
