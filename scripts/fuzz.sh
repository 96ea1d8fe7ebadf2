#!/usr/bin/env bash
# fuzz.sh TARGET... - runs each libFuzzer target (built by `make fuzz` in
# $BUILD/fuzz/) for $FUZZ_SECONDS seconds, starting from its seed corpus
# tests/fuzz/corpus/TARGET/.  New interesting inputs go to
# $BUILD/corpus/TARGET/ (kept between runs; copy good ones into the seed
# corpus by hand), crashes to $BUILD/crashes/TARGET-*.  Exits 1 if any target
# crashed.  FUZZ_JOBS=N runs N targets at a time (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
mkdir -p "$BUILD/crashes" "$BUILD/logs"

# Raw binary images of the ARPA seeds in the current format, compiled by this
# build, for fuzz_binfmt's raw mode (its committed seeds compile at run time).
binfmt_seeds() {
    local d="$BUILD/seeds/binfmt" f name opt
    rm -rf "$d" && mkdir -p "$d"
    for f in tests/fuzz/corpus/arpa/*; do
        name=$(basename "$f")
        tail -c +2 "$f" >"$d/$name.arpa"
        for layout in "" --compact "--compact -q 8"; do
            # shellcheck disable=SC2086
            "$BUILD/spinscan" compile $layout "$d/$name.arpa" "$d/$name.bin" >/dev/null 2>&1 || continue
            for opt in 0 1 2 6; do
                { printf "\\$(printf %o "$opt")"; cat "$d/$name.bin"; } >"$d/$name${layout// /}-$opt"
            done
        done
        rm -f "$d/$name.arpa" "$d/$name.bin"
    done
}

run_one() {
    local t=$1 extra=()
    mkdir -p "$BUILD/corpus/$t"
    if [ "$t" = binfmt ]; then
        binfmt_seeds
        extra=("$BUILD/seeds/binfmt")
    fi
    # -timeout: an input taking 10 s is a hang; -rss_limit_mb: memory really
    # used beyond 2 GB is a failure; -max_len fits the binary model seeds.
    # -malloc_limit_mb is higher than the RSS limit on purpose: a compressed
    # ARPA file may declare counts that size tables of gigabytes, which are
    # allocated (zero pages, never touched) before the entries are found
    # missing.  Under ASan such a table is not free: the allocator poisons
    # its shadow (an eighth of its size), so a few of them pass the RSS
    # limit though the release build stays at a few MB (an ARPA.gz declaring
    # 600 M unigrams: 7 MB released, 2.1 GB under ASan).  So ASan refuses
    # any single allocation above 1 GB (max_allocation_size_mb with
    # allocator_may_return_null): loading fails with SPIN_ENOMEM, a path the
    # allocation-failure tests cover.  -seed=1 makes a CI run repeatable.
    local timer=()
    [ -x /usr/bin/time ] && timer=(/usr/bin/time -o "$BUILD/logs/$t.time" -f "%U %S")
    if ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=1024 "${timer[@]}" "$BUILD/fuzz/fuzz_$t" \
        -max_total_time="$SECONDS_EACH" -seed=1 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=65536 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$BUILD/crashes/$t-" \
        "$BUILD/corpus/$t" "tests/fuzz/corpus/$t" "${extra[@]}" >"$BUILD/logs/$t.log" 2>&1; then
        local runs cpu=""
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/logs/$t.log" | grep -o '[0-9]*$')
        [ -s "$BUILD/logs/$t.time" ] && cpu=$(awk '{printf ", %.1f CPU minutes", ($1 + $2) / 60}' "$BUILD/logs/$t.time")
        echo "fuzz $t: ok, $runs runs in ${SECONDS_EACH}s$cpu"
    else
        echo "fuzz $t: FAILED (see $BUILD/logs/$t.log and $BUILD/crashes/)"
        # CI keeps only what is printed: the report and the input that failed.
        grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|INITED)|NEW_FUNC' "$BUILD/logs/$t.log" | tail -n 40 | sed "s/^/fuzz $t: /"
        local a
        for a in "$BUILD/crashes/$t"-*; do
            [ -f "$a" ] || continue
            echo "fuzz $t: input $a ($(wc -c <"$a") bytes, base64):"
            head -c 4096 "$a" | base64 | sed "s/^/fuzz $t: /"
        done
        return 1
    fi
}

status=0
running=0
pids=()
for t in "$@"; do
    run_one "$t" &
    pids+=($!)
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
        running=$((running - 1))
    fi
done
for p in "${pids[@]}"; do
    wait "$p" || status=1
done
exit $status
