#!/usr/bin/env bash
# build-model.sh - build the default English model in models/en/.
#
#   BUILD=build scripts/build-model.sh        (make model runs this)
#
# Fetches the corpus if missing (scripts/fetch-corpus.sh), tokenizes it with
# spinscan's own tokenizer, estimates an order-4 modified Kneser-Ney model with
# `spinscan train`, measures held-out perplexity with `spinscan query`, and
# writes models/en/model.arpa.gz, its binary form models/en/model.bin
# (`spinscan compile`, which commands look up first) and models/en/manifest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
ORDER=${SPINSCAN_MODEL_ORDER:-4}
CORPUS=models/corpus
OUT=models/en
[ -x "$S" ] || { echo "build-model: $S is missing; run make first" >&2; exit 1; }
step() { echo "build-model: $*" >&2; }

# Fetches or re-splits the corpus when missing or laid out by an older version
# (it returns at once when current), so the model never trains on the splits
# held out for calibration and evaluation.
bash scripts/fetch-corpus.sh "$CORPUS"
mkdir -p "$OUT"
tmp=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

step "tokenizing the training text"
"$S" tokenize "$CORPUS"/train/*.txt > "$tmp/train.tok" 2> "$tmp/tokenize.err" || {
    cat "$tmp/tokenize.err" >&2; exit 1; }
step "tokenizing the held-out text"
"$S" tokenize "$CORPUS"/heldout/*.txt > "$tmp/heldout.tok" 2>> "$tmp/tokenize.err" || {
    cat "$tmp/tokenize.err" >&2; exit 1; }

step "training an order-$ORDER model"
start=$(date +%s.%N)
"$S" train -o "$ORDER" --tokenized -O "$tmp/model.arpa.gz" "$tmp/train.tok" 2> >(tee "$tmp/train.err" >&2)
secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo 0)

step "held-out perplexity"
"$S" query -v summary "$tmp/model.arpa.gz" < "$tmp/heldout.tok" > "$tmp/query.out" 2> "$tmp/query.err" || {
    cat "$tmp/query.err" >&2; exit 1; }
cat "$tmp/query.out" >&2

step "compiling the binary model"
"$S" compile "$tmp/model.arpa.gz" "$tmp/model.bin" >&2

node - "$tmp" "$CORPUS" "$ORDER" "$secs" > "$tmp/manifest.json" <<'JS'
const fs = require("fs");
const [tmp, corpus, order, secs] = process.argv.slice(2);
const words = f => { let n = 0; for (const l of fs.readFileSync(f, "utf8").split("\n")) { const t = l.trim(); if (t) n += t.split(/\s+/).length; } return n; };
const lines = f => fs.readFileSync(f, "utf8").split("\n").filter(l => l.length).length;
const err = fs.readFileSync(tmp + "/train.err", "utf8");
const ngrams = {}, discounts = {};
for (const m of err.matchAll(/^(\d+) (\d+) D1=(\S+) D2=(\S+) D3\+=(\S+)/gm)) {
    ngrams[m[1]] = Number(m[2]);
    discounts[m[1]] = [Number(m[3]), Number(m[4]), Number(m[5])];
}
const q = fs.readFileSync(tmp + "/query.out", "utf8");
const num = re => { const m = q.match(re); return m ? Number(m[1]) : null; };
const rawFiles = dir => Object.fromEntries(fs.readdirSync(corpus + "/" + dir).filter(f => f.endsWith(".txt")).sort()
    .map(f => [f, { bytes: fs.statSync(corpus + "/" + dir + "/" + f).size, words: words(corpus + "/" + dir + "/" + f) }]));
const manifest = {
    model: "model.arpa.gz",
    format: "arpa+gzip",
    order: Number(order),
    estimator: "spinscan train (interpolated modified Kneser-Ney, lmplz-compatible)",
    packages: fs.readFileSync(corpus + "/versions.txt", "utf8").trim().split("\n"),
    held_out: "nlp-corpus builds/doc-90..doc-99; State of the Union addresses of years ending in 7",
    training: { raw: rawFiles("train"), sentences: lines(tmp + "/train.tok"), tokens: words(tmp + "/train.tok") },
    heldout: { raw: rawFiles("heldout"), sentences: lines(tmp + "/heldout.tok"), tokens: words(tmp + "/heldout.tok"),
               perplexity: num(/Perplexity including OOVs:\s*(\S+)/),
               perplexity_excluding_oovs: num(/Perplexity excluding OOVs:\s*(\S+)/),
               oovs: num(/^OOVs:\s*(\d+)/m), scored_tokens: num(/^Tokens:\s*(\d+)/m) },
    ngrams, discounts,
    model_bytes: fs.statSync(tmp + "/model.arpa.gz").size,
    model_binary: "model.bin",
    model_binary_format: "spinscan binary, probing layout (spinscan compile)",
    model_binary_bytes: fs.statSync(tmp + "/model.bin").size,
    train_seconds: Number(secs),
};
console.log(JSON.stringify(manifest, null, 2));
JS

mv "$tmp/model.arpa.gz" "$OUT/model.arpa.gz"
mv "$tmp/model.bin" "$OUT/model.bin"
mv "$tmp/manifest.json" "$OUT/manifest.json"
step "wrote $OUT/model.arpa.gz, $OUT/model.bin and $OUT/manifest.json"
