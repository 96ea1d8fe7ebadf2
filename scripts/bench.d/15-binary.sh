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
    kenlm_na="n/a (KENLM_BIN unset: set it to a KenLM build's bin/ to compare in this run)"
    [ -n "${KENLM_BIN:-}" ] && kenlm_na="n/a (no query and build_binary in KENLM_BIN=$KENLM_BIN)"
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
declare -A qps rssmb bytes
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
    bytes[$name]=$(stat -c %s "$file")
    ratio=-
    if [ "$have_kenlm" = 1 ] && [ -n "${qps[KenLM probing]:-}" ]; then
        ratio=$(calc "${qps[$name]} / ${qps[KenLM probing]}" | xargs printf '%.2fx')
    fi
    printf '   %-24s %10s %10s %14.0f %10s %10s\n' "$name" "$(mb "$(stat -c %s "$file")")" \
        "$(calc "$l * 1000" | xargs printf %.1f)" "${qps[$name]}" "$(printf %.1f "${rssmb[$name]}")" "$ratio"
done
[ "$have_kenlm" = 1 ] || for name in "KenLM probing" "KenLM trie" "KenLM trie -q 8 -b 8"; do
    printf '   %-24s %s\n' "$name" "$kenlm_na"
done
for pair in "spinscan probing|KenLM probing" "spinscan compact|KenLM trie" \
            "spinscan compact -q 8|KenLM trie -q 8 -b 8"; do
    IFS='|' read -r a b <<< "$pair"
    if [ "$have_kenlm" = 1 ]; then
        printf '   %s vs %s: query throughput %.2fx, peak RSS %.3fx, file %.3fx (same run)\n' "$a" "$b" \
            "$(calc "${qps[$a]} / ${qps[$b]}")" "$(calc "${rssmb[$a]} / ${rssmb[$b]}")" \
            "$(calc "${bytes[$a]} / ${bytes[$b]}")"
    else
        printf '   %s vs %s: %s\n' "$a" "$b" "$kenlm_na"
    fi
done

# Start-up: the whole process on empty input (exec, dynamic linking, opening
# the model, exit), KenLM's query with -l lazy (it maps the file and reads
# pages as scoring needs them, as spinscan does).  Runs alternate; medians of
# STARTUP_RUNS (default 21).  `spinscan --version` is the process without a
# model: the part of start-up that the libraries' loading and relocation take.
SR=${STARTUP_RUNS:-21}
declare -A st
for r in $(seq "$SR"); do
    for row in "spinscan --version|$SPINSCAN --version|" \
               "spinscan compact|$SPINSCAN query -v summary|$TMP/compact.bin" \
               "spinscan probing|$SPINSCAN query -v summary|$TMP/probing.bin" \
               "KenLM trie -l lazy|${KENLM_BIN:-}/query -l lazy -v summary|$TMP/kenlm.trie" \
               "KenLM probing -l lazy|${KENLM_BIN:-}/query -l lazy -v summary|$TMP/kenlm.probing"; do
        IFS='|' read -r name cmd file <<< "$row"
        [ "$have_kenlm" = 1 ] || case $name in KenLM*) continue ;; esac
        t0=$(now); $cmd $file < /dev/null > /dev/null 2>&1; t1=$(now)
        st[$name]+="$(calc "($t1 - $t0) * 1000") "
    done
done
med() { printf '%s\n' ${st[$1]} | median; }
echo "   start-up on empty input, ms (median of $SR, alternating):"
printf '      spinscan --version %.2f, spinscan compact %.2f, spinscan probing %.2f\n' \
    "$(med "spinscan --version")" "$(med "spinscan compact")" "$(med "spinscan probing")"
if [ "$have_kenlm" = 1 ]; then
    printf '      KenLM query -l lazy: trie %.2f, probing %.2f; spinscan compact / KenLM trie %.2fx, probing / probing %.2fx\n' \
        "$(med "KenLM trie -l lazy")" "$(med "KenLM probing -l lazy")" \
        "$(calc "$(med "spinscan compact") / $(med "KenLM trie -l lazy")")" \
        "$(calc "$(med "spinscan probing") / $(med "KenLM probing -l lazy")")"
else
    echo "      KenLM query -l lazy: $kenlm_na"
fi

# In-process figures from the API (no process start): load and scoring speed.
for f in probing compact; do
    "$BENCH" "$TMP/$f.bin" "$text" 8 | awk -F'\t' -v f="$f" '
        /^load_ms/       {printf "   API %-8s load (median of 5)          %8.3f ms\n", f, $2}
        /^score_words_s/ {printf "   API %-8s spin_full_score             %8.0f words/s\n", f, $2}'
done

# What quantization does, to the perplexity of the text and to each word's
# log10 probability, beside KenLM's -q 8 -b 8 trie on the same model and text.
"$SPINSCAN" query -v word "$TMP/probing.bin" < "$text" > "$TMP/exact.words"
"$SPINSCAN" query -v word "$TMP/compact-q8.bin" < "$text" > "$TMP/q8.words"
"$SPINSCAN" query -v summary "$TMP/probing.bin" < "$text" > "$TMP/exact.sum"
"$SPINSCAN" query -v summary "$TMP/compact-q8.bin" < "$text" > "$TMP/q8.sum"
cmp -s "$TMP/exact.sum" <("$SPINSCAN" query -v summary "$TMP/compact.bin" < "$text") &&
    echo "   compact (exact) summary identical to probing: yes" || echo "   compact (exact) summary identical to probing: NO"
word_errors() { # label exact-words quantized-words
    paste -d'\n' <(tr '\t' '\n' < "$2") <(tr '\t' '\n' < "$3") | awk -v label="$1" '
        NR % 2 == 1 { a = $NF; next }
        { b = $NF; if (a == "" || b == "" || a !~ /^-?[0-9.]/) next
          d = b - a; s += d; if (d < 0) d = -d; if (d > max) max = d; sum += d; n++ }
        END { printf "   %-22s per word: max |delta log10 p| %.4f, mean %.5f, mean signed %+.6f over %d words\n", label, max, sum / n, s / n, n }'
}
word_errors "spinscan -q 8" "$TMP/exact.words" "$TMP/q8.words"
pe=$(awk -F'\t' '/including/{print $2}' "$TMP/exact.sum"); pq=$(awk -F'\t' '/including/{print $2}' "$TMP/q8.sum")
if [ "$have_kenlm" = 1 ]; then
    "$KENLM_BIN/query" -v word "$TMP/kenlm.trie-q8" < "$text" 2>/dev/null |
        sed 's/=[0-9]* / /g' > "$TMP/k8.words"
    "$SPINSCAN" query -v word "$TMP/probing.bin" < "$text" | sed 's/=[0-9]* / /g' > "$TMP/exact.k"
    word_errors "KenLM -q 8 -b 8" "$TMP/exact.k" "$TMP/k8.words"
    pk=$(awk -F'\t' '/including/{print $2}' <("$KENLM_BIN/query" -v summary "$TMP/kenlm.trie-q8" < "$text" 2>/dev/null))
    printf '   perplexity: exact %s; spinscan -q 8 %s (%+.4f%%); KenLM -q 8 -b 8 %s (%+.4f%%)\n' "$pe" "$pq" \
        "$(calc "($pq / $pe - 1) * 100")" "$pk" "$(calc "($pk / $pe - 1) * 100")"
else
    echo "   KenLM -q 8 -b 8        per word: $kenlm_na"
    printf '   perplexity: exact %s; spinscan -q 8 %s (%+.4f%%); KenLM -q 8 -b 8 %s\n' "$pe" "$pq" \
        "$(calc "($pq / $pe - 1) * 100")" "$kenlm_na"
fi
