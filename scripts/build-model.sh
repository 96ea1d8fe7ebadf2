#!/usr/bin/env bash
# build-model.sh - build the default English language model from the recipe
# (models/en/recipe.json; models/README.md).
#
#   BUILD=build scripts/build-model.sh [options]        (make model runs this)
#
# options (each also an environment variable):
#   --out DIR                 SPINSCAN_MODEL_DIR       where to write (default models/en)
#   --exclude-domain D[,D..]  SPINSCAN_EXCLUDE_DOMAIN  train without these domains
#   --exclude-source S[,S..]  SPINSCAN_EXCLUDE_SOURCE  train without these sources (ablation)
#   --train-words N           SPINSCAN_TRAIN_WORDS     train on about N words, every source
#                                                      keeping its share (0: all)
#   --order N                 SPINSCAN_MODEL_ORDER     n-gram order (default: the recipe's)
# e.g. a leave-one-domain-out model for the evaluation, fast:
#   scripts/build-model.sh --out models/lodo/fiction --exclude-domain fiction --train-words 3000000
#
# Fetches and cleans the corpus if needed (scripts/fetch-corpus.sh), selects the
# training text (scripts/corpus.py train-text), tokenizes it with spinscan's own
# tokenizer, estimates a modified Kneser-Ney model with `spinscan train`,
# compiles the binary form, measures held-out perplexity per domain (every
# domain of the recipe, excluded or not, plus "web", our own articles in
# tests/data/web/, which are never trained on) with `spinscan query`, and
# writes DIR/model.arpa.gz, DIR/model.bin and DIR/manifest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
S=$BUILD/spinscan
RECIPE=${SPINSCAN_RECIPE:-models/en/recipe.json}
CORPUS=models/corpus
OUT=${SPINSCAN_MODEL_DIR:-models/en}
XDOM=${SPINSCAN_EXCLUDE_DOMAIN:-}
XSRC=${SPINSCAN_EXCLUDE_SOURCE:-}
WORDS=${SPINSCAN_TRAIN_WORDS:-0}
ORDER=${SPINSCAN_MODEL_ORDER:-}
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --out) OUT=$2; shift 2 ;;
        --exclude-domain) XDOM=$2; shift 2 ;;
        --exclude-source) XSRC=$2; shift 2 ;;
        --train-words) WORDS=$2; shift 2 ;;
        --order) ORDER=$2; shift 2 ;;
        -h|--help) usage ;;
        *) echo "build-model: unknown option $1" >&2; usage ;;
    esac
done
[ -x "$S" ] || { echo "build-model: $S is missing; run make first" >&2; exit 1; }
[ -s "$RECIPE" ] || { echo "build-model: $RECIPE is missing" >&2; exit 1; }
step() { echo "build-model: [$(date +%H:%M:%S)] $*" >&2; }
recipe() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); [v := v[k] for k in sys.argv[2:]]; print(v)' "$RECIPE" "$@"; }
[ -n "$ORDER" ] || ORDER=$(recipe model order)
PRUNE=$(recipe model prune)
export SPINSCAN_EXCLUDE_DOMAIN=$XDOM SPINSCAN_EXCLUDE_SOURCE=$XSRC

# Fetches or re-cleans the corpus when missing or stale (returns at once when
# current), so the model never trains on the splits held out for calibration
# and evaluation.
bash scripts/fetch-corpus.sh "$CORPUS"
mkdir -p "$OUT"
tmp=$(mktemp -d "$OUT/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

step "selecting the training text${XDOM:+ without domain(s) $XDOM}${XSRC:+ without source(s) $XSRC}$( [ "$WORDS" != 0 ] && echo ", about $WORDS words")"
python3 scripts/corpus.py train-text --recipe "$RECIPE" --corpus "$CORPUS" --out "$tmp/train" \
    --budget "$WORDS" --exclude-domain "$XDOM" --exclude-source "$XSRC"

step "tokenizing the training text ($(ls "$tmp/train" | wc -l) sources)"
mkdir -p "$tmp/tok"
: > "$tmp/train.tok"
for f in "$tmp"/train/*.txt; do
    n=$(basename "$f" .txt)
    "$S" tokenize "$f" > "$tmp/tok/$n.tok" 2>> "$tmp/tokenize.err" || { cat "$tmp/tokenize.err" >&2; exit 1; }
    cat "$tmp/tok/$n.tok" >> "$tmp/train.tok"
done
wc -lw "$tmp"/tok/*.tok | awk '$3 != "total" { sub(".*/", "", $3); sub("\\.tok$", "", $3); print $3 "\t" $1 "\t" $2 }' > "$tmp/train.counts"
step "$(awk -F'\t' '{ t += $3 } END { printf "%d training tokens", t }' "$tmp/train.counts")"

step "tokenizing the held-out text per domain"
mkdir -p "$tmp/held"
for d in $(python3 scripts/corpus.py domains --recipe "$RECIPE" | cut -f1); do
    files=$(python3 scripts/corpus.py files --recipe "$RECIPE" --corpus "$CORPUS" --split heldout --domain "$d")
    [ -n "$files" ] || continue
    # shellcheck disable=SC2086
    "$S" tokenize $files > "$tmp/held/$d.tok" 2>> "$tmp/tokenize.err"
done
if ls tests/data/web/*.txt >/dev/null 2>&1; then
    "$S" tokenize tests/data/web/*.txt > "$tmp/held/web.tok" 2>> "$tmp/tokenize.err"
fi

step "training an order-$ORDER model${PRUNE:+ (prune $PRUNE)}"
start=$(date +%s.%N)
"$S" train -o "$ORDER" ${PRUNE:+--prune "$PRUNE"} --tokenized -O "$tmp/model.arpa.gz" "$tmp/train.tok" \
    2> >(tee "$tmp/train.err" >&2)
secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo 0)

step "compiling the binary model"
"$S" compile "$tmp/model.arpa.gz" "$tmp/model.bin" >&2

step "held-out perplexity per domain"
for f in "$tmp"/held/*.tok; do
    d=$(basename "$f" .tok)
    "$S" query -v summary "$tmp/model.bin" < "$f" > "$tmp/held/$d.query" 2> "$tmp/query.err" || {
        cat "$tmp/query.err" >&2; exit 1; }
    printf 'build-model:   %-14s %s\n' "$d" "$(grep 'Perplexity including OOVs' "$tmp/held/$d.query" | sed 's/.*:[[:space:]]*//')" >&2
done
# All held-out text of the recipe's domains together (the figure older manifests had).
cat $(ls "$tmp"/held/*.tok | grep -v '/web\.tok$') > "$tmp/heldout.tok"
"$S" query -v summary "$tmp/model.bin" < "$tmp/heldout.tok" > "$tmp/query.out" 2> "$tmp/query.err" || {
    cat "$tmp/query.err" >&2; exit 1; }

python3 - "$tmp" "$CORPUS" "$RECIPE" "$ORDER" "$secs" "$XDOM" "$XSRC" "$WORDS" "$PRUNE" > "$tmp/manifest.json" <<'PY'
import json, os, re, sys
tmp, corpus, recipe_path, order, secs, xdom, xsrc, words, prune = sys.argv[1:]
recipe = json.load(open(recipe_path))
sources = json.load(open(os.path.join(corpus, 'sources.json')))
def query(path):
    q = open(path).read()
    num = lambda rx: (lambda m: float(m.group(1)) if m else None)(re.search(rx, q, re.M))
    return {'perplexity': num(r'Perplexity including OOVs:\s*(\S+)'),
            'perplexity_excluding_oovs': num(r'Perplexity excluding OOVs:\s*(\S+)'),
            'oovs': num(r'^OOVs:\s*(\d+)'), 'tokens': num(r'^Tokens:\s*(\d+)')}
counts = {}
for line in open(os.path.join(tmp, 'train.counts')):
    n, sents, toks = line.rstrip('\n').split('\t')
    counts[n] = {'sentences': int(sents), 'tokens': int(toks)}
ngrams, discounts = {}, {}
for m in re.finditer(r'^(\d+) (\d+) D1=(\S+) D2=(\S+) D3\+=(\S+)', open(os.path.join(tmp, 'train.err')).read(), re.M):
    ngrams[m.group(1)] = int(m.group(2))
    discounts[m.group(1)] = [float(m.group(3)), float(m.group(4)), float(m.group(5))]
per_source = {}
for s in recipe['sources']:
    info = sources.get(s['name'], {})
    per_source[s['name']] = {
        'package': s['package'], 'version': info.get('version'), 'licence': info.get('licence'),
        'domain': s['domain'], 'trained': s['name'] in counts,
        'train_tokens': counts.get(s['name'], {}).get('tokens', 0),
        'train_sentences': counts.get(s['name'], {}).get('sentences', 0),
        'corpus_words': {k: info.get(k, {}).get('words') for k in ('train', 'calib', 'heldout')},
        'corpus_documents': {k: info.get(k, {}).get('documents') for k in ('train', 'calib', 'heldout')}}
trained_pk = sorted(set(v['package'] for v in per_source.values() if v['trained']))
domains = {}
for f in sorted(os.listdir(os.path.join(tmp, 'held'))):
    if f.endswith('.query'):
        d = f[:-6]
        domains[d] = query(os.path.join(tmp, 'held', f))
        domains[d]['trained_on'] = d not in ('web',) and d not in xdom.split(',') and \
            any(v['trained'] and v['domain'] == d for v in per_source.values())
total = sum(v['train_tokens'] for v in per_source.values())
manifest = {
    'model': 'model.arpa.gz', 'format': 'arpa+gzip', 'order': int(order), 'prune': prune or None,
    'estimator': recipe['model']['estimator'], 'recipe': recipe_path,
    'excluded_domains': [d for d in xdom.split(',') if d], 'excluded_sources': [s for s in xsrc.split(',') if s],
    'train_words_budget': int(words) or None,
    'packages': ['%s@%s (%s)' % (p, next(v['version'] for v in per_source.values() if v['package'] == p),
                                recipe['packages'][p]['licence']) for p in trained_pk],
    'package_count': len(trained_pk),
    'training': {'tokens': total, 'sentences': sum(v['train_sentences'] for v in per_source.values()),
                 'sources': per_source},
    'held_out': 'per source, by document: ' + recipe['split']['rule'] + '; web: tests/data/web (never trained on)',
    'heldout': dict(query(os.path.join(tmp, 'query.out')), domains=domains),
    'ngrams': ngrams, 'discounts': discounts,
    'model_bytes': os.path.getsize(os.path.join(tmp, 'model.arpa.gz')),
    'model_binary': 'model.bin', 'model_binary_format': 'spinscan binary, probing layout (spinscan compile)',
    'model_binary_bytes': os.path.getsize(os.path.join(tmp, 'model.bin')),
    'train_seconds': float(secs or 0),
}
print(json.dumps(manifest, indent=2))
PY

mv "$tmp/model.arpa.gz" "$OUT/model.arpa.gz"
mv "$tmp/model.bin" "$OUT/model.bin"
mv "$tmp/manifest.json" "$OUT/manifest.json"
step "wrote $OUT/model.arpa.gz, $OUT/model.bin and $OUT/manifest.json"
