#!/usr/bin/env bash
# scripts/synth.js (the synthetic data generator of make eval and calibration)
# and scripts/auc.js, on the hand-written fixtures in tests/data/synth/.
set -u
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SYNTH=$ROOT/scripts/synth.js
AUC=$ROOT/scripts/auc.js
DATA=$ROOT/tests/data/synth

if ! command -v node >/dev/null; then
    t_skip "node is not installed"
    t_done
    exit
fi

gen() { # gen OUT SEED [ARGS...]
    local out=$1 seed=$2
    shift 2
    node "$SYNTH" --source "$DATA/source" --thesaurus "$DATA/thesaurus.txt" --seed "$seed" --out "$out" \
        --min-units 4 --max-units 6 --docs 50 "$@" 2>"$TMP/gen.err"
}
gen "$TMP/a" 7; t_is $? 0 "synth.js runs on the fixtures"
gen "$TMP/b" 7
diff -r "$TMP/a" "$TMP/b" >/dev/null; t_ok $? "the same seed gives the same bytes"
gen "$TMP/c" 8
diff -r "$TMP/a" "$TMP/c" >/dev/null; t_ok $((! $?)) "another seed gives other text"

classes=$(cut -f2 "$TMP/a/labels.tsv" | sort -u | tr '\n' ' ')
t_is "$classes" "mixed natural salad_markov salad_shuffle spun20 spun40 spun60 stuffing " "all eight classes made"
n_nat=$(ls "$TMP/a/natural" | wc -l)
# Documents of 12, 11 and 10 units (the last one a paragraph) cut into chunks of 4..6
# units: 2 or 3 chunks from the first, 2 from each other one.
t_ok $([ "$n_nat" -ge 6 ] && [ "$n_nat" -le 7 ]; echo $?) "6 or 7 source documents (chunks of 4..6 units) from the fixture (got $n_nat)"
for c in spun40 salad_shuffle mixed; do
    t_is "$(ls "$TMP/a/$c" | wc -l)" "$n_nat" "  $c: one document per source document"
done

# Checks written in node; each prints "ok" or what went wrong.
check() { node -e "$1" "$TMP/a" "$DATA" 2>&1; }
PRE='
const fs = require("fs"), path = require("path");
const [dir, data] = process.argv.slice(1);
const rows = fs.readFileSync(dir + "/labels.tsv", "utf8").trim().split("\n").map(l => l.split("\t"));
const lines = rel => fs.readFileSync(path.join(dir, rel), "utf8").replace(/\n$/, "").split("\n");
const words = s => s.match(/[A-Za-z0-9]+/g) || [];
const STOP = ["the", "with", "because", "also", "very", "and", "more"];
const thes = new Map(fs.readFileSync(data + "/thesaurus.txt", "utf8").trim().split("\n").map(l => { const p = l.split(","); return [p[0], p.slice(1)]; }));
const eligible = w => /^[A-Za-z]{3,}$/.test(w) && !STOP.includes(w.toLowerCase()) && thes.has(w.toLowerCase());
const bad = [];
const done = () => console.log(bad.length ? bad.slice(0, 3).join("; ") : "ok");
'

t_is "$(check "$PRE"'
for (const [rel, cls, dl, ul] of rows) {
    const n = lines(rel).length;
    if (ul.length !== n) bad.push(rel + ": " + ul.length + " labels for " + n + " lines");
    if (!/^[01]+$/.test(ul)) bad.push(rel + ": labels not 0/1");
    if (dl !== (cls === "natural" ? "0" : "1")) bad.push(rel + ": doc_label " + dl);
    if (cls === "natural" && /1/.test(ul)) bad.push(rel + ": natural unit labelled 1");
}
done();')" ok "labels.tsv: one 0/1 label per line of each file; doc_label 0 only for natural"

t_is "$(check "$PRE"'
const src = fs.readFileSync(data + "/source/articles.txt", "utf8");
for (const [rel, cls] of rows) if (cls === "natural") {
    const l = lines(rel);
    if (l.length < 4 || l.length > 6) bad.push(rel + ": " + l.length + " units");
    if (!src.includes(l.join("\n")) && !src.includes(l.join(" "))) bad.push(rel + ": not consecutive source text");
    if (l.some(x => /^Green,/.test(x))) bad.push(rel + ": split after Dr.");
}
done();')" ok "natural documents: 4..6 consecutive source units; a paragraph is cut into sentences, not after 'Dr.'"

# spun: token-aligned with natural (the fixture thesaurus has one-word synonyms only).
for rate in 20 40 60; do
    t_is "$(check "$PRE"'
const rate = '$rate' / 100;
let E = 0, R = 0;
for (const [rel, cls, , ul] of rows) if (cls === "spun'$rate'") {
    const nat = lines(rel.replace(/^[^/]+/, "natural")), sp = lines(rel);
    let e = 0, r = 0;
    nat.forEach((line, i) => {
        const a = words(line), b = words(sp[i]);
        if (a.length !== b.length) { bad.push(rel + ":" + (i + 1) + ": token count changed"); return; }
        let changed = false;
        a.forEach((w, j) => {
            if (eligible(w)) e++;
            if (w === b[j]) return;
            changed = true;
            if (!eligible(w)) bad.push(rel + ": ineligible word replaced: " + w);
            else if (!thes.get(w.toLowerCase()).includes(b[j].toLowerCase())) bad.push(rel + ": " + b[j] + " is no synonym of " + w);
            else r++;
            if (/^[A-Z]/.test(w) !== /^[A-Z]/.test(b[j])) bad.push(rel + ": case of the first letter not kept: " + w + " -> " + b[j]);
        });
        if ((ul[i] === "1") !== changed) bad.push(rel + ":" + (i + 1) + ": unit label " + ul[i] + " but changed=" + changed);
    });
    if (r !== Math.round(rate * e)) bad.push(rel + ": " + r + " of " + e + " eligible words replaced");
    E += e; R += r;
}
if (Math.abs(R / E - rate) > 0.05) bad.push("overall " + R + "/" + E);
done();')" ok "spun$rate: exactly round(${rate}% of eligible words) replaced by their synonyms, case kept, true unit labels"
done

t_is "$(check "$PRE"'
for (const [rel, cls] of rows) if (cls.startsWith("spun") || cls === "mixed") {
    const nat = lines(rel.replace(/^[^/]+/, "natural")), sp = lines(rel);
    nat.forEach((line, i) => {
        const a = words(line), b = words(sp[i]);
        a.forEach((w, j) => { if (STOP.includes(w.toLowerCase()) && b[j] !== w) bad.push(rel + ": stopword " + w + " -> " + b[j]); });
        for (const syn of ["thee", "ye", "yon", "alongside", "amid", "whereas", "exceedingly", "plus"])
            if (b.includes(syn) && !a.includes(syn)) bad.push(rel + ": stopword synonym " + syn);
    });
}
done();')" ok "stopwords are never replaced, though the thesaurus lists them"

t_is "$(check "$PRE"'
for (const [rel, cls] of rows) if (cls === "salad_shuffle") {
    const nat = lines(rel.replace(/^[^/]+/, "natural")), sh = lines(rel);
    if (nat.length !== sh.length) bad.push(rel + ": line count");
    nat.forEach((line, i) => {
        if (words(line).sort().join() !== words(sh[i]).sort().join()) bad.push(rel + ":" + (i + 1) + ": words differ");
        if (/[.!?]$/.test(line) && sh[i].slice(-1) !== line.slice(-1)) bad.push(rel + ":" + (i + 1) + ": end punctuation moved");
        if (line === sh[i]) bad.push(rel + ":" + (i + 1) + ": unchanged");
    });
}
done();')" ok "salad_shuffle keeps each line's multiset of words and its end punctuation, and changes the order"

t_is "$(check "$PRE"'
const vocab = new Set(fs.readFileSync(data + "/source/articles.txt", "utf8").split(/\s+/).filter(Boolean));
for (const [rel, cls] of rows) if (cls === "salad_markov") {
    const l = lines(rel), nat = lines(rel.replace(/^[^/]+/, "natural"));
    if (l.length !== nat.length) bad.push(rel + ": " + l.length + " lines for " + nat.length + " units");
    for (const line of l) {
        const t = line.split(" ");
        t.forEach((w, j) => { if (!vocab.has(w) && !(j === t.length - 1 && vocab.has(w.slice(0, -1)))) bad.push(rel + ": " + w + " not in the source"); });
    }
}
done();')" ok "salad_markov: one line per source unit, every token from the source split"

t_is "$(check "$PRE"'
for (const [rel, cls, , ul] of rows) if (cls === "mixed") {
    const nat = lines(rel.replace(/^[^/]+/, "natural")), mx = lines(rel);
    const k = [...ul].filter(c => c === "1").length, f = k / ul.length;
    if (f < 0.2 - 1e-9 || f > 0.4 + 1e-9) bad.push(rel + ": " + k + "/" + ul.length + " units spun");
    nat.forEach((line, i) => { if ((ul[i] === "1") !== (line !== mx[i])) bad.push(rel + ":" + (i + 1) + ": label " + ul[i] + " disagrees with the text"); });
}
done();')" ok "mixed: 20-40% of units spun, exactly the units labelled 1"

t_is "$(check "$PRE"'
for (const [rel, cls, , ul] of rows) if (cls === "stuffing") {
    const nat = lines(rel.replace(/^[^/]+/, "natural")), st = lines(rel);
    if (st.length === nat.length) { // sparse: one phrase pasted 2..5 times, nothing else changed
        const changed = st.map((l, i) => l !== nat[i]);
        const n = changed.filter(Boolean).length;
        if (n < 2 || n > 5) bad.push(rel + ": sparse stuffing changed " + n + " units");
        if (changed.some((c, i) => c !== (ul[i] === "1"))) bad.push(rel + ": sparse labels disagree with the text");
        const added = st.map((l, i) => changed[i] ? words(l).length - words(nat[i]).length : 0).filter(x => x);
        if (new Set(added).size > 1 || added[0] < 2) bad.push(rel + ": not one phrase of 2+ words pasted");
        continue;
    }
    if (st.length <= nat.length) bad.push(rel + ": no stuffed line added");
    const count = new Map();
    for (const w of words(st.join(" ").toLowerCase())) if (w.length > 3 && !STOP.includes(w)) count.set(w, (count.get(w) || 0) + 1);
    const top = Math.max(...count.values());
    const natTop = Math.max(...(() => { const c = new Map(); for (const w of words(nat.join(" ").toLowerCase())) if (w.length > 3 && !STOP.includes(w)) c.set(w, (c.get(w) || 0) + 1); return c.values(); })());
    if (top < natTop + 4) bad.push(rel + ": most frequent word only " + top + " times");
    if ((ul.match(/1/g) || []).length < st.length / 2) bad.push(rel + ": fewer than half the lines stuffed");
}
done();')" ok "stuffing: keyword lines added and keywords repeated densely, or one phrase pasted 2-5 times"

# Multi-word synonyms are used as they are, capital first letter kept.
printf 'morning,early hours\n' > "$TMP/multi.txt"
node "$SYNTH" --source "$DATA/source" --thesaurus "$TMP/multi.txt" --seed 1 --out "$TMP/m" \
    --min-units 4 --max-units 6 --classes spun60 2>/dev/null
grep -rq '^Early hours walks help' "$TMP/m/spun60"; t_ok $? "a multi-word synonym replaces a whole token, capitalised"
t_is "$(cut -f2 "$TMP/m/labels.tsv" | sort -u)" spun60 "--classes limits the classes made"

node "$SYNTH" --source "$DATA/source" --seed 1 --out "$TMP/x" 2>"$TMP/err"; rc=$?
t_is "$rc" 2 "a missing --thesaurus is a usage error (exit 2)"
grep -q -- "--thesaurus is required" "$TMP/err"; t_ok $? "  saying so"
node "$SYNTH" --source "$DATA/source" --thesaurus "$DATA/thesaurus.txt" --seed 1 --out "$TMP/x" --classes spun50 2>/dev/null
t_is $? 2 "an unknown class is a usage error"

# auc.js: positives 0.9 0.8 0.5 0.2, negatives 0.8 0.3 0.5 0.1.  Pairs won by the
# positive: 4 + 3 + 2 + 1 = 10, tied: (0.8, 0.8) and (0.5, 0.5) = 2 halves: 11/16.
out=$(printf '1 0.9\n1 0.8\n0 0.8\n1 0.5\n# a comment\n0 0.3\n\n0 0.5\n1 0.2\n0 0.1\n' | node "$AUC")
t_is "$out" "0.6875 4 4" "auc.js: hand-computed AUC with ties (11/16)"
t_is "$(printf '1 2\n1 2\n0 2\n' | node "$AUC")" "0.5 2 1" "auc.js: all scores tied gives 0.5"
t_is "$(printf '1 3\n0 1\n0 2\n1 2.5\n' | node "$AUC")" "1 2 2" "auc.js: perfect separation gives 1"
t_is "$(printf '0 3\n0 1\n1 0\n' | node "$AUC")" "0 1 2" "auc.js: reversed separation gives 0"
t_is "$(printf '1 3\n1 1\n' | node "$AUC")" "NaN 2 0" "auc.js: no negatives gives NaN"
printf '1 x\n' | node "$AUC" >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "auc.js: a malformed line is an error (exit 1)"
t_is "$(node -e 'const {auc} = require(process.argv[1]); console.log(auc([1, 1, 2], [0, 1, 1]))' "$AUC")" \
    "$(node -e 'console.log((0.5 * 4 + 2 + 3) / 9)')" "auc.js: the module agrees ((2 + 3 + 4 x 0.5) / 9)"
t_done
