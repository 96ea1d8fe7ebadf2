#!/usr/bin/env bash
# Binary model figures: load time, query throughput, peak memory and file size
# of `spinscan compile` output (probing, compact, compact -q 8) beside the ARPA
# path, and beside KenLM's build_binary probing and trie when KENLM_BIN names a
# KenLM build's bin/ (query, build_binary), all measured the same way in the
# same run.  Also what quantization does to the scores.
#
#   SPINSCAN_BENCH_MODEL  ARPA model (default: models/en/model.arpa.gz, then fixtures)
#   SPINSCAN_BENCH_TEXT   tokenized text, one sentence per line
#   KENLM_BIN             directory with KenLM's query and build_binary (optional)
#   BENCH_RUNS            timed runs per figure (default 5; medians are quoted)
set -euo pipefail
BUILD=${BUILD:-build}
SPINSCAN=$BUILD/spinscan
BENCH=$BUILD/bench/bench_lm
RUNS=${BENCH_RUNS:-5}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
F=${SPINSCAN_FIXTURES:-../shared/fixtures/kenlm}

model=${SPINSCAN_BENCH_MODEL:-}
if [ -z "$model" ]; then
    for m in models/en/model.arpa.gz models/en/model.arpa "$F/mid4.arpa.gz" "$F/tiny.arpa"; do
        if [ -f "$m" ]; then model=$m; break; fi
    done
fi
if [ -z "$model" ]; then
    echo "bench binary: no model at hand (run 'make model' or set SPINSCAN_BENCH_MODEL); skipped"
    exit 0
fi
case $(head -c 2 "$model" | od -An -tx1 | tr -d ' ') in
    1f8b) gzip -dc "$model" > "$TMP/model.arpa" ;;
    *) cp "$model" "$TMP/model.arpa" ;;
esac
arpa=$TMP/model.arpa

text=${SPINSCAN_BENCH_TEXT:-}
if [ -z "$text" ]; then
    if [ -f models/corpus/heldout/nlp.txt ]; then
        "$SPINSCAN" tokenize models/corpus/heldout/nlp.txt models/corpus/heldout/sotu.txt > "$TMP/text" 2>/dev/null || true
    fi
    if [ ! -s "$TMP/text" ] && [ -f "$F/mid_train.txt" ]; then cp "$F/mid_train.txt" "$TMP/text"; fi
    if [ ! -s "$TMP/text" ]; then echo "bench binary: no text at hand; skipped"; exit 0; fi
    text=$TMP/text
fi
for i in $(seq 8); do cat "$text"; done > "$TMP/big"

now() { date +%s.%N; }
calc() { awk "BEGIN{printf \"%.6f\", $1}"; }
median() { sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
mb() { awk -v b="$1" 'BEGIN{printf "%.1f", b/1e6}'; }

echo "== binary models: $model ($(mb "$(stat -c %s "$arpa")") MB ARPA), text $(wc -w < "$TMP/big") words x 1 run"
t0=$(now); "$SPINSCAN" compile "$arpa" "$TMP/probing.bin" > /dev/null; t1=$(now)
echo "   spinscan compile (probing): $(calc "$t1 - $t0" | xargs printf %.2f) s"
"$SPINSCAN" compile --compact "$arpa" "$TMP/compact.bin" > /dev/null
"$SPINSCAN" compile --compact -q 8 "$arpa" "$TMP/compact-q8.bin" > /dev/null
t0=$(now); "$SPINSCAN" compile --verify "$TMP/probing.bin" > /dev/null; t1=$(now)
echo "   spinscan compile --verify (every checksum, probing): $(calc "($t1 - $t0) * 1000" | xargs printf %.1f) ms"

# name|query command prefix|model file
rows=("spinscan ARPA|$SPINSCAN query|$arpa"
      "spinscan probing|$SPINSCAN query|$TMP/probing.bin"
      "spinscan compact|$SPINSCAN query|$TMP/compact.bin"
      "spinscan compact -q 8|$SPINSCAN query|$TMP/compact-q8.bin")
have_kenlm=0
if [ -n "${KENLM_BIN:-}" ] && [ -x "$KENLM_BIN/build_binary" ] && [ -x "$KENLM_BIN/query" ]; then
    have_kenlm=1
    "$KENLM_BIN/build_binary" probing "$arpa" "$TMP/kenlm.probing" > /dev/null 2>&1
    "$KENLM_BIN/build_binary" trie "$arpa" "$TMP/kenlm.trie" > /dev/null 2>&1
    "$KENLM_BIN/build_binary" -q 8 -b 8 trie "$arpa" "$TMP/kenlm.trie-q8" > /dev/null 2>&1
    rows+=("KenLM probing|$KENLM_BIN/query|$TMP/kenlm.probing"
           "KenLM trie|$KENLM_BIN/query|$TMP/kenlm.trie"
           "KenLM trie -q 8 -b 8|$KENLM_BIN/query|$TMP/kenlm.trie-q8")
else
    echo "   (KenLM not measured: set KENLM_BIN to a KenLM build's bin/ to compare in this run)"
fi

# Load: wall time of `query -v summary` on empty input (process start
# included, median of RUNS).  Query: the same on the big text, load subtracted.
# RSS: peak resident set of the big-text run, the same way for both programs:
# GNU time's maximum RSS (KiB, getrusage), shown in MB (10^6 bytes) like the
# file sizes.  It counts every page of the model the run touched, whether
# mapped (spinscan maps the file and reads only what scoring needs; KenLM's
# query populates the whole mapping by default) or allocated, plus each
# program's own code and libraries (spinscan's ICU, GSL and libxml2 cost about
# 0.7 MB more than KenLM's; measured with an empty model).
printf '   %-24s %10s %10s %14s %10s %10s\n' layout "file MB" "load ms" "query words/s" "RSS MB" "ratio q/s"
declare -A qps rssmb
for row in "${rows[@]}"; do
    IFS='|' read -r name cmd file <<< "$row"
    loads=(); runs=(); rss=()
    for r in $(seq "$RUNS"); do
        t0=$(now); $cmd -v summary "$file" < /dev/null > /dev/null 2>&1; t1=$(now)
        loads+=("$(calc "$t1 - $t0")")
    done
    for r in $(seq 3); do
        t0=$(now); /usr/bin/time -f %M -o "$TMP/rss" $cmd -v summary "$file" < "$TMP/big" > "$TMP/out" 2>/dev/null; t1=$(now)
        runs+=("$(calc "$t1 - $t0")"); rss+=("$(cat "$TMP/rss")")
    done
    l=$(printf '%s\n' "${loads[@]}" | median); q=$(printf '%s\n' "${runs[@]}" | median)
    m=$(printf '%s\n' "${rss[@]}" | median)
    tokens=$(awk -F'\t' '/^Tokens/{print $2}' "$TMP/out")
    qps[$name]=$(calc "$tokens / ($q - $l)")
    rssmb[$name]=$(calc "$m * 1024 / 1e6")
    ratio=-
    if [ "$have_kenlm" = 1 ] && [ -n "${qps[KenLM probing]:-}" ]; then
        ratio=$(calc "${qps[$name]} / ${qps[KenLM probing]}" | xargs printf '%.2fx')
    fi
    printf '   %-24s %10s %10s %14.0f %10s %10s\n' "$name" "$(mb "$(stat -c %s "$file")")" \
        "$(calc "$l * 1000" | xargs printf %.1f)" "${qps[$name]}" "$(printf %.1f "${rssmb[$name]}")" "$ratio"
done
if [ "$have_kenlm" = 1 ]; then
    for pair in "spinscan probing|KenLM probing" "spinscan compact|KenLM trie" \
                "spinscan compact -q 8|KenLM trie -q 8 -b 8"; do
        IFS='|' read -r a b <<< "$pair"
        printf '   %s vs %s: query throughput %.2fx, peak RSS %.3fx (same run)\n' "$a" "$b" \
            "$(calc "${qps[$a]} / ${qps[$b]}")" "$(calc "${rssmb[$a]} / ${rssmb[$b]}")"
    done
fi

# In-process figures from the API (no process start): load and scoring speed.
for f in probing compact; do
    "$BENCH" "$TMP/$f.bin" "$text" 8 | awk -F'\t' -v f="$f" '
        /^load_ms/       {printf "   API %-8s load (median of 5)          %8.3f ms\n", f, $2}
        /^score_words_s/ {printf "   API %-8s spin_full_score             %8.0f words/s\n", f, $2}'
done

# What quantization does: per-word |delta log10 prob| and perplexity.
"$SPINSCAN" query -v word "$TMP/probing.bin" < "$text" > "$TMP/exact.words"
"$SPINSCAN" query -v word "$TMP/compact-q8.bin" < "$text" > "$TMP/q8.words"
"$SPINSCAN" query -v summary "$TMP/probing.bin" < "$text" > "$TMP/exact.sum"
"$SPINSCAN" query -v summary "$TMP/compact-q8.bin" < "$text" > "$TMP/q8.sum"
cmp -s "$TMP/exact.sum" <("$SPINSCAN" query -v summary "$TMP/compact.bin" < "$text") &&
    echo "   compact (exact) summary identical to probing: yes" || echo "   compact (exact) summary identical to probing: NO"
paste -d'\n' <(tr '\t' '\n' < "$TMP/exact.words") <(tr '\t' '\n' < "$TMP/q8.words") | awk '
    NR % 2 == 1 { a = $NF; next }
    { b = $NF; if (a == "" || b == "") next; d = a - b; if (d < 0) d = -d; if (d > max) max = d; sum += d; n++ }
    END { printf "   compact -q 8 vs exact: max |delta log10 p| %.4f, mean %.5f over %d words\n", max, sum / n, n }'
pe=$(awk -F'\t' '/including/{print $2}' "$TMP/exact.sum"); pq=$(awk -F'\t' '/including/{print $2}' "$TMP/q8.sum")
echo "   perplexity exact $pe, compact -q 8 $pq ($(calc "($pq / $pe - 1) * 100" | xargs printf '%+.3f')%)"
