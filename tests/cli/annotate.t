#!/usr/bin/env bash
# annotate.t - `spinscan annotate` (JSON Lines round trip with the detector's
# members added) and `spinscan rank -f attributes` (Dolma attribute files
# beside a sharded documents/ layout, checked the way Dolma's mixer reads
# them: line by line beside the documents file, ids compared as JSON values).
. "$(dirname "$0")/lib.sh"
SRC=${SPINSCAN_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
S=$SPINSCAN
PY=${PYTHON:-python3}
MD=${SPINSCAN_TEST_MODEL_DIR:-$SRC/models/en}
if ! ls "$MD"/model.* > /dev/null 2>&1; then
    echo "1..0 # skip models/en not built (make model)"
    exit 0
fi
export SPINSCAN_MODEL=$MD
cd "$TMP" || exit 1

# A crawl with every kind of record: ids of several JSON types, nested and
# unusual fields (escapes, 1.0 vs 1, unicode), a record without text, one
# whose text is not a string, a blank line, a line that is not JSON.
"$PY" - <<'PY'
import json
texts = [
    "Back especially low back pain, pain, is one of the most well-known reasons individuals see a specialist.",
    "The river was calm in the morning. Boats came home late.",
    "Café owners say the new menu is très bon \U0001F600. Prices went up by 5 %.",
    "Late calm boats river the came morning home was. Home late boats river morning calm.",
]
with open("crawl.jsonl", "w", encoding="utf-8") as f:
    for i in range(40):
        rec = {"id": [i, "d%03d" % i, float(i) + 0.5][i % 3], "url": "http://e.example/%d?a=1&b=\"2\"" % i,
               "text": texts[i % 4], "meta": {"n": [1, 2.50, None, True], "s": "tab\there"}}
        line = json.dumps(rec, ensure_ascii=(i % 2 == 0))
        if i == 7:
            line = '{"id": 7, "ratio": 1.0, "text": "Short one.", "x": 1e3}'
        if i == 11:
            line = '{"id": 11, "body": "no text field"}'
        if i == 13:
            line = '{"id": 13, "text": 42}'
        if i == 17:
            line = ""
        if i == 19:
            line = "not json at all"
        f.write(line + "\n")
PY
"$S" annotate -j2 crawl.jsonl > out.jsonl 2> err; rc=$?
t_is "$rc" 3 "annotate: exit 3 when some records cannot be scored"
t_is "$(wc -l < out.jsonl)" "$(wc -l < crawl.jsonl)" "  as many lines out as in"
grep -q "3 could not be scored" err; t_ok $? "  the unscorable records are counted ($(tail -1 err))"
grep -q "crawl.jsonl:12: warning: no field 'text'" err; t_ok $? "  and named FILE:LINE"
"$PY" - crawl.jsonl out.jsonl > check 2>&1 <<'PY'
import json, sys
src = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
out = open(sys.argv[2], encoding="utf-8").read().split("\n")[:-1]
bad = []
added = ("spinscan_spin_score", "spinscan_verdict", "spinscan_perplexity", "spinscan_spans", "spinscan_model")
for n, (a, b) in enumerate(zip(src, out), 1):
    try:
        ra = json.loads(a)
    except ValueError:
        if a != b: bad.append("%d: a line that is not JSON was changed" % n)
        continue
    # every input byte kept: the output line starts with the input up to its last brace
    if not b.startswith(a[:a.rindex("}")]): bad.append("%d: input bytes not kept" % n)
    rb = json.loads(b)
    if list(rb)[:len(ra)] != list(ra): bad.append("%d: field order changed" % n)
    for k, v in ra.items():
        if rb[k] != v or type(rb[k]) is not type(v): bad.append("%d: field %s changed" % (n, k))
    extra = [k for k in rb if k not in ra]
    if isinstance(ra.get("text"), str):
        if tuple(extra) != added: bad.append("%d: added %s" % (n, extra))
        for s, e, p in rb["spinscan_spans"]:
            if not (0 <= s < e <= len(ra["text"]) and (p is None or 0 <= p <= 1)): bad.append("%d: bad span" % n)
        if rb["spinscan_verdict"] not in ("natural", "suspect", "spun", "salad", "stuffing", "unsupported"): bad.append("%d: verdict" % n)
    elif extra != ["spinscan_error"]:
        bad.append("%d: unscorable record got %s" % (n, extra))
print("\n".join(bad) if bad else "ok")
PY
t_is "$(cat check)" ok "every input field intact, in order, members added (or the error)"
"$PY" -c '
import json,sys
o=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(sum(1 for r in o if r.get("spinscan_verdict") == "spun"), sum(1 for r in o if "spinscan_spans" in r and r["spinscan_spans"]))' out.jsonl > counts
t_ok $([ "$(cut -d' ' -f1 counts)" -gt 0 ] && [ "$(cut -d' ' -f2 counts)" -gt 0 ]; echo $?) "  the spun records are found and their sentences flagged ($(cat counts))"
# The same scores as `score` gives for the same text.
sed -n 1p crawl.jsonl | "$PY" -c 'import json,sys; sys.stdout.write(json.loads(sys.stdin.read())["text"])' > one.txt
want=$("$S" score -f json one.txt | "$PY" -c 'import json,sys; o=json.load(sys.stdin); print(o["spin_score"], o["verdict"], o["perplexity"])')
got=$(sed -n 1p out.jsonl | "$PY" -c 'import json,sys; o=json.load(sys.stdin); print(o["spinscan_spin_score"], o["spinscan_verdict"], o["spinscan_perplexity"])')
t_is "$got" "$want" "  spin score, verdict and perplexity are score's"

"$S" annotate -q -j1 crawl.jsonl > out1.jsonl
cmp -s out1.jsonl out.jsonl; t_ok $? "-j1 and -j2 give identical output"
gzip -c crawl.jsonl > crawl.jsonl.gz
"$S" annotate -q -j2 -o out.jsonl.zst crawl.jsonl.gz; t_is $? 3 "gzip in, -o OUT.zst"
zstd -q -d -c out.jsonl.zst 2>/dev/null | cmp -s - out.jsonl; t_ok $? "  zstd out, the same lines"
"$S" annotate -q --compress gzip < crawl.jsonl | gzip -d -c | cmp -s - out.jsonl; t_ok $? "standard input to --compress gzip"
"$S" annotate -q --prefix spam -j2 crawl.jsonl | grep -c '"spam_verdict"' > n
t_is "$(cat n)" 36 "--prefix names the members (36 scored records)"
printf 'old\n' > keep.jsonl
printf '{"text": "Fine."}\n' | gzip -c | head -c 20 > cut.gz
"$S" annotate -q -o keep.jsonl cut.gz 2> err; rc=$?
t_is "$rc" 1 "a truncated input is fatal (exit 1)"
t_is "$(cat keep.jsonl)" old "  and -o OUT is left untouched"

# --- Dolma attributes: documents/ with several .json.gz shards ---
mkdir -p dolma/documents/cc
for part in 0 1 2; do
    sed -n "$((part * 13 + 1)),$((part * 13 + 13))p" crawl.jsonl | "$PY" -c '
import json, sys
for l in sys.stdin:
    l = l.rstrip("\n")
    try:
        r = json.loads(l)
        if isinstance(r, dict): r["source"] = "cc-%s" % sys.argv[1]; l = json.dumps(r)
    except ValueError:
        pass
    print(l)' "$part" | gzip -c > "dolma/documents/cc/part-$part.json.gz"
done
"$S" rank -q -j2 -f attributes --experiment my-exp -o dolma/attributes/my-exp dolma/documents; rc=$?
t_is "$rc" 3 "rank -f attributes over documents/: exit 3 (unscorable records)"
t_is "$(cd dolma/attributes/my-exp && find . -type f | sort | tr '\n' ' ')" "./cc/part-0.json.gz ./cc/part-1.json.gz ./cc/part-2.json.gz " \
    "one attributes file per documents file, at the mirrored path"
"$PY" - dolma > check 2>&1 <<'PY'
import gzip, json, os, sys
root = sys.argv[1]
bad, lines = [], 0
for part in range(3):
    doc = gzip.open(os.path.join(root, "documents/cc/part-%d.json.gz" % part), "rt", encoding="utf-8").read().split("\n")[:-1]
    att = gzip.open(os.path.join(root, "attributes/my-exp/cc/part-%d.json.gz" % part), "rt", encoding="utf-8").read().split("\n")[:-1]
    if len(doc) != len(att): bad.append("part %d: %d lines vs %d" % (part, len(doc), len(att)))
    for n, (d, a) in enumerate(zip(doc, att), 1):
        lines += 1
        a = json.loads(a)
        try:
            d = json.loads(d)
        except ValueError:
            d = {}
        if not isinstance(d, dict): d = {}
        # Dolma's mixer: attr["id"] != doc["id"] is "Mismatched ids" (JSON values, types included)
        if d.get("id") != a["id"] or type(d.get("id")) is not type(a["id"]):
            bad.append("part %d line %d: id %r vs %r" % (part, n, d.get("id"), a["id"]))
        if "source" in d and a.get("source") != d["source"]: bad.append("source not copied")
        if not isinstance(a["attributes"], dict): bad.append("attributes not an object")
        if isinstance(d.get("text"), str):
            keys = sorted(a["attributes"])
            t = d["text"]
            judged = "my_exp__spinscan__unsupported" not in keys
            want = ["spin_score", "perplexity", "sentence_spin", "flagged"] + ([] if judged else ["unsupported"])
            if keys != sorted("my_exp__spinscan__" + k for k in want):
                bad.append("keys %s" % keys)
            if judged and a["attributes"]["my_exp__spinscan__spin_score"][0][:2] != [0, len(t)]: bad.append("doc span")
            if not judged and (a["attributes"]["my_exp__spinscan__spin_score"] != [] or
                               a["attributes"]["my_exp__spinscan__unsupported"] != [[0, len(t), 1]]):
                bad.append("unsupported record: no score span, a flag over the text")
            for s, e, p in a["attributes"]["my_exp__spinscan__sentence_spin"]:
                seg = t[s:e]
                if not seg or seg != seg.strip() or not (p is None or 0 <= p <= 1): bad.append("span %d %d %r" % (s, e, seg))
        elif a["attributes"]:
            bad.append("unscorable record with attributes")
print("\n".join(bad) if bad else "ok %d" % lines)
PY
t_is "$(cat check)" "ok 39" "same line counts and ids (JSON types kept), source copied, NAME__spinscan__ATTR keys, code-point spans"
"$S" rank -q -j1 -f attributes --experiment my-exp -o j1 dolma/documents
for p in 0 1 2; do
    cmp -s <(gzip -dc "j1/cc/part-$p.json.gz") <(gzip -dc "dolma/attributes/my-exp/cc/part-$p.json.gz") || echo diff
done > d
t_is "$(cat d)" "" "  -j1 and -j2 give identical attributes"
"$S" rank -q -f attributes dolma/documents > /dev/null 2>&1; t_is $? 2 "-f attributes without -o DIR: usage error"
"$S" rank -q -f attributes --experiment 9x -o x dolma/documents > /dev/null 2>&1; t_is $? 2 "an experiment name starting with a digit: usage error"
t_done
