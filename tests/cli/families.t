#!/usr/bin/env bash
# Spin families end to end (issue 15, docs/families.md): crawls generated here
# by tests/cli/famcrawl.js from fetched corpus text (models/corpus/heldout)
# and our own articles (tests/data/web), spun with the Ding dictionary
# (scripts/fetch-ding.sh; not Moby, which the detector is fitted on) by two
# spinners at 30-60 %, with copies, same-topic documents and spun singletons.
# Checks the targets (pairwise precision >= 0.97 and recall >= 0.95 for "same
# spun family", copies labelled duplicate >= 0.95, natural singletons grouped
# <= 1 %) on three seeds, the family fields of every format, the boost of the
# score, sharded runs merged byte-identical to one run, the families command
# with its substitution sets, and bad input.  Skips (counted) without node,
# the corpus or the Ding dictionary (fetched when missing).
set -u
. "$(dirname "$0")/lib.sh"
PY=${PYTHON:-python3}
unset SPINSCAN_MODEL
DING=$SRC/models/thesauri/ding/words.txt
CORPUS=$SRC/models/corpus/heldout

skip_all() {
    echo "# $1"
    for _ in $(seq 1 30); do t_skip "$1"; done
    t_done
    exit $?
}
command -v node >/dev/null || skip_all "node is not installed"
[ -d "$CORPUS" ] || skip_all "no fetched corpus in models/corpus/heldout (make model)"
[ -s "$DING" ] || bash "$SRC/scripts/fetch-ding.sh" >/dev/null 2>&1 || true
[ -s "$DING" ] || skip_all "no Ding dictionary (scripts/fetch-ding.sh could not fetch trans-de-en)"

# A model: the default one when built, else a tiny one (families do not depend
# on it; the scores only need to be numbers).
MODEL=${SPINSCAN_TEST_MODEL_DIR:-$SRC/models/en}
if [ ! -s "$MODEL/detector.txt" ]; then
    MODEL=$TMP/m.arpa
    t_small_model "$MODEL"
fi

gen() { node "$SRC/tests/cli/famcrawl.js" --thesaurus "$DING" --web "$SRC/tests/data/web" \
    --corpus "$CORPUS" --out "$1" --seed "$2"; }
num() { awk -v k="$1" '{ for (i = 1; i < NF; ++i) if ($i == k) print $(i + 1) }' "$2"; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

for seed in 11 12 13; do
    D=$TMP/c$seed
    gen "$D" $seed
    "$S" rank -q -m "$MODEL" -j2 -f jsonl --families -o "$D/rank.jsonl" "$D/crawl.jsonl"
    t_ok $? "seed $seed: rank --families ($(wc -l < "$D/crawl.jsonl") documents)"
    node "$SRC/tests/cli/famscore.js" "$D/truth.tsv" "$D/rank.jsonl" > "$D/score.txt"
    echo "# seed $seed: $(cat "$D/score.txt")"
    ge "$(num precision "$D/score.txt")" 0.97; t_ok $? "seed $seed: pairwise precision >= 0.97"
    ge "$(num recall "$D/score.txt")" 0.95; t_ok $? "seed $seed: pairwise recall >= 0.95"
    ge "$(num duplicate "$D/score.txt")" 0.95; t_ok $? "seed $seed: copies labelled duplicate >= 0.95"
    ge 0.01 "$(num wrongly-grouped "$D/score.txt")"; t_ok $? "seed $seed: natural singletons grouped <= 1 %"
done

D=$TMP/c11
# Every line has the three fields, of the right types.
node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
    let bad = 0;
    for (const l of lines) {
        const o = JSON.parse(l);
        const none = o.family === null && o.family_size === 1 && o.family_kind === null;
        const some = /^f[0-9a-f]{16}$/.test(o.family) && o.family_size >= 2 &&
            (o.family_kind === "spun" || o.family_kind === "duplicate");
        if (!none && !some) ++bad;
    }
    process.exit(bad ? 1 : 0);' "$D/rank.jsonl"
t_ok $? "every jsonl line has family, family_size and family_kind (null, 1, null when alone)"

# The boost: spun families of 3+ score higher than their text alone; duplicate
# families and documents alone keep the text's score.
"$S" rank -q -m "$MODEL" -j2 -f jsonl -o "$D/plain.jsonl" "$D/crawl.jsonl"
node -e '
    const fs = require("fs");
    const read = (p) => new Map(fs.readFileSync(p, "utf8").split("\n").filter(Boolean)
        .map((l) => { const o = JSON.parse(l); return [o.id, o]; }));
    const plain = read(process.argv[1]), fam = read(process.argv[2]);
    let raised = 0, wrong = 0;
    for (const [id, o] of fam) {
        const s0 = plain.get(id).spin_score;
        if (o.family_kind === "spun" && o.family_size >= 3) {
            if (o.spin_score < s0 || (s0 < 1 && o.spin_score <= s0)) ++wrong; else ++raised;
        } else if (o.spin_score !== s0) ++wrong;
    }
    console.log(`# ${raised} scores raised, ${wrong} wrong`);
    process.exit(wrong || !raised ? 1 : 0);' "$D/plain.jsonl" "$D/rank.jsonl"
t_ok $? "spun families of 3+ raise the spin score; duplicates and singletons keep it"

# Shards merged: byte-identical to one run, in both formats (the tiny model
# is enough: it is the families and the lines' plumbing that are tested).
t_small_model "$TMP/tiny.arpa"
for f in jsonl tsv; do  # -f attributes is per input file, in input order: no shards (docs/pipelines.md)
    M=$MODEL
    [ $f = jsonl ] || M=$TMP/tiny.arpa
    "$S" rank -q -m "$M" -j2 -f $f --families -o "$D/one.$f" "$D/crawl.jsonl"
    for i in 0 1 2 3; do
        "$S" rank -q -m "$M" -j1 -f $f --families --shard $i/4 -o "$D/s$i.$f" "$D/crawl.jsonl"
    done
    "$S" merge --families -o "$D/merged.$f" "$D/s0.$f" "$D/s1.$f" "$D/s2.$f" "$D/s3.$f"
    cmp -s "$D/one.$f" "$D/merged.$f"
    t_ok $? "$f: 4 shards merged with --families are byte-identical to one run"
done
t_is "$(head -1 "$D/one.tsv")" "$(printf 'spin_score\tid\tsentences\tflagged\tfamily\tfamily_size\tfamily_kind')" \
    "tsv header names the family columns"
n_sig=$(( ($(stat -c %s "$D/one.jsonl.sig") - 32) ))
t_ok $(( n_sig > 0 ? 0 : 1 )) "rank -o OUT --families writes OUT.sig ($n_sig bytes of records)"
"$S" rank -q -m "$TMP/tiny.arpa" -f tsv --families --top 7 -o "$D/top.tsv" "$D/crawl.jsonl"
t_is "$(cat "$D/top.tsv")" "$(head -8 "$D/one.tsv")" "--top K with --families: the first K of the whole ranking"
"$S" rank -q -m "$TMP/tiny.arpa" --families --shard 0/2 "$D/crawl.jsonl" > /dev/null 2>&1
t_is "$?" 2 "--families --shard without -o or --signatures is a usage error"
# Signature files given as inputs (as the Slurm recipe passes them: each after its
# ranking, under any name) are recognised and imply --families.
for i in 0 1 2 3; do cp "$D/s$i.jsonl.sig" "$D/sigs$i.bin"; done
"$S" merge -o "$D/merged2.jsonl" "$D/s0.jsonl" "$D/sigs0.bin" "$D/s1.jsonl" "$D/sigs1.bin" \
    "$D/s2.jsonl" "$D/sigs2.bin" "$D/s3.jsonl" "$D/sigs3.bin"
cmp -s "$D/one.jsonl" "$D/merged2.jsonl"
t_ok $? "signature files among merge's inputs: the same families, byte-identical"
# merge without --families still merges family outputs (as plain lines).
"$S" merge -o "$D/plain-merge.jsonl" "$D/s0.jsonl" "$D/s1.jsonl"
t_ok $? "plain merge reads outputs with family fields"

# The families command: families with members and substitution sets.
"$S" families -o "$D/families.jsonl" "$D/crawl.jsonl"
t_ok $? "spinscan families"
node -e '
    const fs = require("fs");
    const fams = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
    const rank = new Map(fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean)
        .map((l) => { const o = JSON.parse(l); return [o.id, o]; }));
    let bad = 0, sets = 0;
    for (const f of fams) {
        if (f.kind !== "spun" || f.members.length !== f.size) ++bad;
        for (const m of f.members) if (rank.get(m).family !== f.family) ++bad;
        sets += f.substitutions.length;
        for (const s of f.substitutions) if (s.length < 2 || new Set(s).size !== s.length) ++bad;
    }
    console.log(`# ${fams.length} spun families, ${sets} substitution sets, ${bad} bad`);
    process.exit(bad || !fams.length || sets < fams.length ? 1 : 0);' "$D/families.jsonl" "$D/rank.jsonl"
t_ok $? "families lists the spun families of rank (same ids and members) with substitution sets"
# The learnt sets are the thesaurus's: most pairs in a set are Ding synonyms.
node -e '
    const fs = require("fs");
    const syn = new Set();
    for (const l of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
        const a = l.split(",");
        for (const x of a) for (const y of a) if (x !== y) syn.add(x + "\t" + y);
    }
    let pairs = 0, known = 0;
    for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean))
        for (const s of JSON.parse(l).substitutions)
            for (let i = 0; i < s.length; ++i) for (let j = i + 1; j < s.length; ++j) {
                ++pairs; if (syn.has(s[i] + "\t" + s[j])) ++known;
            }
    console.log(`# ${known} of ${pairs} learnt pairs are Ding synonyms`);
    process.exit(pairs && known / pairs >= 0.5 ? 0 : 1);' "$D/families.jsonl" "$DING"
t_ok $? "most learnt substitution pairs are the spinner's synonyms"

# -f attributes --families: Dolma attribute files, one per documents file, in
# input order, with the family attributes (numbers only, docs/families.md).
# The crawl is split in two documents files, so that families span both; a
# blank line and a record without text (not scored) are added.
A=$TMP/dolma
mkdir -p "$A/documents/cc"
head -n 130 "$D/crawl.jsonl" | gzip -c > "$A/documents/cc/part-0.json.gz"
{ tail -n +131 "$D/crawl.jsonl"; echo; echo '{"id": "no-text", "source": "x"}'; } \
    > "$A/documents/cc/part-1.jsonl"
"$S" rank -q -m "$MODEL" -j2 -f attributes --families -o "$A/attributes/spin" "$A/documents" \
    2> "$TMP/err"
t_is "$?" 3 "rank -f attributes --families: exit 3 (one record without text)"
t_is "$(cd "$A/attributes/spin" && find . -type f | sort | tr '\n' ' ')" \
    "./cc/part-0.json.gz ./cc/part-1.jsonl " "  one attributes file per documents file, nothing else"
"$S" rank -q -m "$MODEL" -j1 -f attributes --families -o "$A/j1" "$A/documents" 2> /dev/null
cmp -s <(gzip -dc "$A/j1/cc/part-0.json.gz") <(gzip -dc "$A/attributes/spin/cc/part-0.json.gz") &&
    cmp -s "$A/j1/cc/part-1.jsonl" "$A/attributes/spin/cc/part-1.jsonl"
t_ok $? "  -j1 and -j2 give identical attributes"
# Read as Dolma does (python/dolma/core/data_types.py OutputSpec: every span
# [int, int, float]; src/shard.rs: line by line beside the documents, ids
# equal as JSON values) and compared with rank -f jsonl --families.
"$PY" - "$A" "$D/rank.jsonl" > "$TMP/check" 2>&1 <<'PY'
import gzip, json, sys
root, ranked = sys.argv[1], sys.argv[2]
rank = {}
for l in open(ranked, encoding="utf-8"):
    o = json.loads(l)
    rank[o["id"]] = o
P = "spinscan__spinscan__"
FAM = ["family", "family_size", "family_spun", "family_duplicate", "family_drop"]
bad, scored, by_id, members, both = [], 0, {}, {}, 0
def read(path):
    f = gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")
    return f.read().split("\n")[:-1]
for part in ["part-0.json.gz", "part-1.jsonl"]:
    docs = read(root + "/documents/cc/" + part)
    atts = read(root + "/attributes/spin/cc/" + part)
    if len(docs) != len(atts):
        bad.append("%s: %d documents, %d attribute lines" % (part, len(docs), len(atts)))
    for n, (dl, al) in enumerate(zip(docs, atts), 1):
        a = json.loads(al)
        d = json.loads(dl) if dl.strip() else {}
        where = "%s:%d" % (part, n)
        if a.get("id") != d.get("id") or type(a.get("id")) is not type(d.get("id")):
            bad.append(where + ": id")
        A = a["attributes"]
        if "text" not in d:
            if A: bad.append(where + ": a record without text has attributes")
            continue
        scored += 1
        ncp = len(d["text"])
        for k, spans in A.items():
            for s in spans:
                ok = (len(s) == 3 and all(type(x) is int for x in s[:2]) and
                      type(s[2]) in (int, float) and 0 <= s[0] <= s[1] <= ncp)
                if not ok: bad.append("%s: %s span %r is not [int, int, float]" % (where, k, s))
        missing = [k for k in FAM if P + k not in A]
        if missing:
            bad.append(where + ": no " + ", ".join(missing))
            continue
        one = lambda k: A[P + k][0][2] if A[P + k] else None
        if any(A[P + k] and A[P + k][0][:2] != [0, ncp] for k in FAM):
            bad.append(where + ": a family span is not the whole text")
        r = rank[d["id"]]
        want = int(r["family"][1:14], 16) if r["family"] else None
        if one("family") != want: bad.append(where + ": family %r, rank says %r" % (one("family"), r["family"]))
        if one("family_size") != r["family_size"]: bad.append(where + ": family_size")
        if one("family_spun") != (r["family_kind"] == "spun"): bad.append(where + ": family_spun")
        if one("family_duplicate") != (r["family_kind"] == "duplicate"): bad.append(where + ": family_duplicate")
        if r["family"] is None and (one("family_size") != 1 or one("family_drop") != 0):
            bad.append(where + ": a document alone has size 1 and is kept")
        s0 = A[P + "spin_score"][0][2]
        if r["spin_score"] is not None and abs(s0 - r["spin_score"]) > 2e-6:
            bad.append(where + ": spin_score %r, rank --families %r" % (s0, r["spin_score"]))
        if one("family") is not None:
            members.setdefault(one("family"), []).append((part, one("family_drop"), s0))
# A mixer filter excluding family_drop >= 1 keeps one member of each family,
# the least spun.
for f, m in members.items():
    kept = [x for x in m if x[1] < 1]
    if len(kept) != 1 or kept[0][2] != min(x[2] for x in m):
        bad.append("family %d: %d members kept" % (f, len(kept)))
    both += len(set(x[0] for x in m)) == 2
spun = sum(1 for m in members.values() if len(m) >= 3)
print("# %d scored records, %d families (%d across both files), %d problems" % (scored, len(members), both, len(bad)))
for b in bad[:10]: print("# " + b)
sys.exit(1 if bad or not both or scored != len(rank) else 0)
PY
t_ok $? "  Dolma's reader semantics: lines, ids, [int, int, float] spans; families as rank's, across files"
cat "$TMP/check"
gzip -dc "$A/attributes/spin/cc/part-0.json.gz" | grep -q '"spinscan__spinscan__family_size": \[\[0, [0-9]*, 1\]\]'
t_ok $? "  singletons: family_size 1"
# A documents file that cannot be read whole: no attributes file for it, the others complete.
head -c 3000 "$A/documents/cc/part-0.json.gz" > "$A/documents/cc/part-2.json.gz"
"$S" rank -q -m "$TMP/tiny.arpa" -f attributes --families -o "$A/cut" "$A/documents" 2> "$TMP/err"
t_is "$?" 3 "a truncated documents file: exit 3"
t_is "$(cd "$A/cut" && find . -type f | sort | tr '\n' ' ')" "./cc/part-0.json.gz ./cc/part-1.jsonl " \
    "  it gets no attributes file, the others theirs"
t_is "$(gzip -dc "$A/cut/cc/part-0.json.gz" | grep -c '__family_drop')" 130 "  with their family attributes"
rm "$A/documents/cc/part-2.json.gz"

# Bad input.
"$S" rank -q -m "$MODEL" --families --unsorted "$D/crawl.jsonl" > /dev/null 2> "$TMP/err"
t_is "$?" 2 "--families with --unsorted is a usage error"
"$S" rank -q -m "$TMP/tiny.arpa" --families -f attributes --signatures "$TMP/s" -o "$TMP/attr" \
    "$D/crawl.jsonl" 2> "$TMP/err"
t_is "$?" 2 "--signatures with -f attributes is a usage error (no shards to merge)"
"$S" merge --families -o "$TMP/x.jsonl" "$D/plain.jsonl" 2> "$TMP/err"
t_is "$?" 1 "merge --families without INPUT.sig fails"
grep -q "plain.jsonl.sig: cannot open" "$TMP/err"; t_ok $? "naming the missing signature file"
[ ! -e "$TMP/x.jsonl" ]; t_ok $? "and writes nothing"
cp "$D/s0.jsonl" "$TMP/t.jsonl"
head -c 1000 "$D/s0.jsonl.sig" > "$TMP/t.jsonl.sig"
"$S" merge --families -o "$TMP/x.jsonl" "$TMP/t.jsonl" 2> "$TMP/err"
t_is "$?" 1 "a truncated signature file fails"
grep -q "t.jsonl.sig: byte [0-9]*: truncated signature record" "$TMP/err"
t_ok $? "naming the file and the byte of the record"
"$S" families - < "$D/crawl.jsonl" > /dev/null 2>&1
t_is "$?" 2 "families refuses standard input (it reads its inputs twice)"
t_done
