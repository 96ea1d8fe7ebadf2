#!/usr/bin/env bash
# Language-model figures: ARPA parse speed, load time, query throughput and
# peak memory, beside KenLM's when a KenLM build is named by KENLM_BIN (a
# directory holding its `query`), measured the same way in the same run.
#
#   SPINSCAN_BENCH_MODEL  ARPA model to use (default: the largest at hand)
#   SPINSCAN_BENCH_TEXT   tokenized text, one sentence per line
#   KENLM_BIN             directory with KenLM's query binary (optional)
set -euo pipefail
BUILD=${BUILD:-build}
SPINSCAN=$BUILD/spinscan
BENCH=$BUILD/bench/bench_lm
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
F=${SPINSCAN_FIXTURES:-../shared/fixtures/kenlm}

model=${SPINSCAN_BENCH_MODEL:-}
if [ -z "$model" ]; then
    for m in models/en/model.arpa models/en/model.arpa.gz "$F/mid4.arpa.gz" "$F/tiny.arpa"; do
        if [ -f "$m" ]; then model=$m; break; fi
    done
fi
if [ -z "$model" ]; then
    echo "bench lm: no model at hand (run 'make model' or set SPINSCAN_BENCH_MODEL); skipped"
    exit 0
fi
# Parse speed is measured on the plain ARPA text.
case $(head -c 2 "$model" | od -An -tx1 | tr -d ' ') in
    1f8b) gzip -dc "$model" > "$TMP/model.arpa"; model_plain=$TMP/model.arpa ;;
    *) model_plain=$model ;;
esac

text=${SPINSCAN_BENCH_TEXT:-}
if [ -z "$text" ]; then
    if [ -f models/corpus/heldout/nlp.txt ]; then
        "$SPINSCAN" tokenize models/corpus/heldout/nlp.txt models/corpus/heldout/sotu.txt > "$TMP/text" 2>/dev/null || true
    fi
    if [ ! -s "$TMP/text" ] && [ -f "$F/mid_train.txt" ]; then cp "$F/mid_train.txt" "$TMP/text"; fi
    if [ ! -s "$TMP/text" ]; then
        "$SPINSCAN" query -v word "$model_plain" < /dev/null > /dev/null
        echo "bench lm: no text at hand; skipped"; exit 0
    fi
    text=$TMP/text
fi
# Enough text that scoring, not loading, dominates the query timing.
for i in $(seq 24); do cat "$text"; done > "$TMP/big"

size_mb=$(awk -v b="$(stat -c %s "$model_plain")" 'BEGIN{printf "%.1f", b/1e6}')
counts=$(sed -n '/^ngram /p' "$model_plain" | head -8 | sed 's/ngram //' | tr '\n' ' ')
words=$(wc -w < "$TMP/big"); lines=$(wc -l < "$TMP/big")
echo "== language model: $model ($size_mb MB ARPA; counts $counts)"
echo "   query text: $(wc -l < "$text") lines x 24 = $words words + $lines </s>"

median() { sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
calc() { awk "BEGIN{printf \"%.6f\", $1}"; }

# spinscan: wall time of `query -v summary` on empty input (load) and on the
# big text (load + scoring); peak RSS from /usr/bin/time.
ours_load=(); ours_run=(); ours_rss=()
for r in 1 2 3; do
    t0=$(now); "$SPINSCAN" query -v summary "$model_plain" < /dev/null > /dev/null; t1=$(now)
    ours_load+=("$(calc "$t1 - $t0")")
    t0=$(now); /usr/bin/time -f %M -o "$TMP/rss" "$SPINSCAN" query -v summary "$model_plain" < "$TMP/big" > "$TMP/ours.out"; t1=$(now)
    ours_run+=("$(calc "$t1 - $t0")"); ours_rss+=("$(cat "$TMP/rss")")
done
ol=$(printf '%s\n' "${ours_load[@]}" | median); orun=$(printf '%s\n' "${ours_run[@]}" | median)
orss=$(printf '%s\n' "${ours_rss[@]}" | median)
tokens=$(awk -F'\t' '/^Tokens/{print $2}' "$TMP/ours.out")
ours_qps=$(calc "$tokens / ($orun - $ol)")

have_kenlm=0
if [ -n "${KENLM_BIN:-}" ] && [ -x "$KENLM_BIN/query" ]; then
    have_kenlm=1
    k_load=(); k_run=(); k_rss=()
    for r in 1 2 3; do
        t0=$(now); "$KENLM_BIN/query" -v summary "$model_plain" < /dev/null > /dev/null 2>&1; t1=$(now)
        k_load+=("$(calc "$t1 - $t0")")
        t0=$(now); /usr/bin/time -f %M -o "$TMP/rss" "$KENLM_BIN/query" -v summary "$model_plain" < "$TMP/big" > "$TMP/kenlm.out" 2>/dev/null; t1=$(now)
        k_run+=("$(calc "$t1 - $t0")"); k_rss+=("$(cat "$TMP/rss")")
    done
    kl=$(printf '%s\n' "${k_load[@]}" | median); krun=$(printf '%s\n' "${k_run[@]}" | median)
    krss=$(printf '%s\n' "${k_rss[@]}" | median)
    k_qps=$(calc "$tokens / ($krun - $kl)")
    if cmp -s "$TMP/ours.out" "$TMP/kenlm.out"; then same="identical"; else same="DIFFERENT"; fi
fi

row() { # name ours kenlm unit better(lower|higher)
    if [ "$have_kenlm" = 1 ]; then
        printf '   %-34s %12s %12s   %6s  %s\n' "$1" "$2" "$3" \
            "$(calc "$2 / $3" | xargs printf '%.2f')x" "$4"
    else
        printf '   %-34s %12s %12s   %6s  %s\n' "$1" "$2" n/a n/a "$4"
    fi
}
printf '   %-34s %12s %12s   %6s\n' figure spinscan KenLM ratio
[ "$have_kenlm" = 1 ] ||
    echo "   KenLM: n/a (KENLM_BIN unset or without query: set it to a KenLM build's bin/ to compare in this run)"
row "load (ARPA parse), s" "$(printf %.3f "$ol")" "$(printf %.3f "${kl:-0}")" "s (median of 3)"
row "ARPA parse speed, MB/s" "$(calc "$size_mb / $ol" | xargs printf %.1f)" \
    "$(calc "$size_mb / ${kl:-1}" | xargs printf %.1f)" "MB/s"
row "query throughput, words/s" "$(printf %.0f "$ours_qps")" "$(printf %.0f "${k_qps:-1}")" \
    "words/s (query -v summary, load excluded)"
row "peak RSS, MB" "$(calc "$orss / 1024" | xargs printf %.1f)" \
    "$(calc "${krss:-1024} / 1024" | xargs printf %.1f)" "MB (query on the text)"
if [ "$have_kenlm" = 1 ]; then
    echo "   query summaries: $same"
else
    echo "   query summaries identical to KenLM's: n/a (KENLM_BIN unset)"
fi
"$BENCH" "$model_plain" "$text" 8 | awk -F'\t' '
    /^score_words_s/    {printf "   %-34s %12.0f   words/s (API: spin_full_score on indexed words)\n", "API score loop", $2}
    /^sentence_words_s/ {printf "   %-34s %12.0f   words/s (API: spin_score_sentence, lookups included)\n", "API sentence scorer", $2}'
