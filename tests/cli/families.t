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

# Bad input.
"$S" rank -q -m "$MODEL" --families --unsorted "$D/crawl.jsonl" > /dev/null 2> "$TMP/err"
t_is "$?" 2 "--families with --unsorted is a usage error"
"$S" rank -q -m "$TMP/tiny.arpa" --families -f attributes -o "$TMP/attr" "$D/crawl.jsonl" 2> "$TMP/err"
t_is "$?" 2 "--families with -f attributes (one pass, input order) is a usage error for now"
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
