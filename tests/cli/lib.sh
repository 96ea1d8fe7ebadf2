# lib.sh - TAP helpers for the CLI tests (sourced, not run).
# SPINSCAN names the binary under test; each test runs in its own temp dir.
: "${SPINSCAN:?SPINSCAN must name the spinscan binary}"
T_N=0
T_FAIL=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

t_ok() { # t_ok CONDITION-EXIT-STATUS DESCRIPTION
    T_N=$((T_N + 1))
    if [ "$1" -eq 0 ]; then echo "ok $T_N - $2"; else echo "not ok $T_N - $2"; T_FAIL=$((T_FAIL + 1)); fi
}
t_is() { # t_is GOT WANT DESCRIPTION
    T_N=$((T_N + 1))
    if [ "$1" = "$2" ]; then echo "ok $T_N - $3"; else
        echo "not ok $T_N - $3"; echo "#   got:  $1"; echo "#   want: $2"; T_FAIL=$((T_FAIL + 1)); fi
}
t_skip() { T_N=$((T_N + 1)); echo "ok $T_N # skip $1"; }
t_done() { echo "1..$T_N"; [ "$T_FAIL" -eq 0 ]; }
# The KenLM fixture directory, or empty when absent (users' clones).
t_fixtures() {
    local d=${SPINSCAN_FIXTURES:-../shared/fixtures/kenlm}
    if [ -f "$d/tiny.arpa" ]; then echo "$d"; fi
}

# A small trigram model whose scores the tests work out by hand.
t_small_model() {
    cat > "$1" <<'ARPA'
\data\
ngram 1=5
ngram 2=4
ngram 3=2

\1-grams:
-1.0	<unk>	0
0	<s>	-0.5
-1.5	</s>	0
-0.8	a	-0.3
-0.9	b	-0.2

\2-grams:
-0.4	<s> a	-0.1
-0.6	a b	-0.25
-0.7	b </s>
-0.3	b a	0

\3-grams:
-0.2	<s> a b
-0.15	a b </s>

\end\
ARPA
}
