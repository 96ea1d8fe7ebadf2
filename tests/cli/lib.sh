# lib.sh - TAP helpers for the CLI tests (sourced, not run).
# SPINSCAN names the binary under test; each test runs in its own temp dir.
: "${SPINSCAN:?SPINSCAN must name the spinscan binary}"
S=$SPINSCAN                                             # short, for the commands run
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) # the source tree
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
# t_options_accepted COMMAND [ARG=VALUE...]: every --option that COMMAND's
# --help lists is accepted (with --help after it), given VALUE for an argument
# named ARG in the help ("ARG=" passes none), x for other arguments.
t_options_accepted() {
    local cmd=$1 help opt arg val kv
    shift
    help=$("$SPINSCAN" "$cmd" --help)
    for opt in $(echo "$help" | grep -o -- '--[a-z-]*' | sort -u); do
        arg=$(echo "$help" | grep -E -- "^ +(-[a-z], )?$opt( |$)" | grep -o -- "$opt [A-Z]*" | awk '{print $2}')
        val=x
        [ -n "$arg" ] || val=
        for kv in "$@"; do [ "${kv%%=*}" = "$arg" ] && val=${kv#*=}; done
        if [ -n "$val" ]; then "$SPINSCAN" "$cmd" "$opt" "$val" --help >/dev/null 2>&1
        else "$SPINSCAN" "$cmd" "$opt" --help >/dev/null 2>&1; fi
        t_is $? 0 "option $opt from --help is accepted"
    done
}
# The KenLM fixture directory, or empty when absent (users' clones).
t_fixtures() {
    local d=${SPINSCAN_FIXTURES:-../shared/fixtures/kenlm}
    if [ -f "$d/tiny.arpa" ]; then echo "$d"; fi
}

# The test models are ARPA files in tests/cli/lm/ (small.arpa: a trigram model
# whose scores the tests work out by hand; river.arpa, cat.arpa ...: toy
# bigram models for the commands' plumbing).
T_LM=$(cd "$(dirname "${BASH_SOURCE[0]}")/lm" && pwd)
t_model() { # t_model NAME FILE: copies the test model lm/NAME.arpa to FILE
    cp "$T_LM/$1.arpa" "$2"
}
t_small_model() { t_model small "$1"; }
# t_use_model NAME: the test model NAME as $TMP/m.arpa, named by $M; no
# SPINSCAN_MODEL from the caller's environment.
t_use_model() {
    unset SPINSCAN_MODEL
    M=$TMP/m.arpa
    t_model "$1" "$M"
}
