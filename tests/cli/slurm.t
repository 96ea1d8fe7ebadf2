#!/usr/bin/env bash
# The Slurm recipe (scripts/slurm/spinscan-slurm) on a real single-node Slurm
# cluster that this test starts by hand and stops again: munged, slurmctld and
# slurmd, private to the test (their state, sockets and logs in its temp dir,
# loopback, free ports).  A generated crawl of many files is ranked in 8
# shards; a fault is injected (one task killed after its rank, one failing)
# and the merge must refuse to publish; resuming must finish with a ranking
# byte-identical to one plain `spinscan rank` over the same inputs.
#
# Needs Slurm (Debian slurm-wlm, munge); as root it installs them when missing
# (scripts/install-deps.sh --slurm).  As root, munged runs as the munge user and
# slurmctld/slurmd as root; otherwise all three run as the current user, which
# can then run its own jobs.  Without Slurm and without root it skips and says
# why, unless SPINSCAN_REQUIRE_SLURM=1 (CI), which makes a skip a failure.
# `make check-slurm` runs it alone.
set -u
. "$(dirname "$0")/lib.sh"
RECIPE=$SRC/scripts/slurm/spinscan-slurm
REQUIRE=${SPINSCAN_REQUIRE_SLURM:-0}
unset SPINSCAN_MODEL

skip_all() { # the one reason this test cannot run here
    if [ "$REQUIRE" = 1 ]; then
        t_ok 1 "Slurm test required (SPINSCAN_REQUIRE_SLURM=1) but: $1"
    else
        t_skip "$1"
    fi
    t_done
    exit
}
note() { echo "# $*"; }
show_log() { # the end of a file, as TAP comments
    [ -f "$1" ] && tail -n "${2:-15}" "$1" | sed 's/^/#   /'
}

# ---- Slurm and munge, installed when missing (root only) ----
have_slurm() {
    local c
    for c in slurmctld slurmd sbatch squeue scontrol scancel sinfo munged munge; do
        command -v "$c" > /dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$c" > /dev/null 2>&1 || return 1
    done
}
export PATH=$PATH:/usr/sbin:/sbin
if ! have_slurm; then
    [ "$(id -u)" -eq 0 ] || skip_all "Slurm is not installed and this is not root to install it (as root: bash scripts/install-deps.sh --slurm)"
    note "installing slurm-wlm and munge (scripts/install-deps.sh --slurm)"
    bash "$SRC/scripts/install-deps.sh" --slurm > "$TMP/apt.log" 2>&1 ||
        { show_log "$TMP/apt.log"; skip_all "could not install slurm-wlm and munge (apt-get failed; log above)"; }
    have_slurm || skip_all "slurm-wlm and munge installed, but their commands are not on PATH"
fi
ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1
ME=$(id -un)

# ---- a private cluster ----
C=$TMP/cluster
mkdir -p "$C/ctld" "$C/spool" "$C/log" "$C/munge/private"
chmod 711 "$TMP" # munged checks that everyone can reach its socket
chmod 755 "$C" "$C/munge"
chmod 700 "$C/munge/private"
MUNGE_USER=$ME
if [ $ROOT = 1 ]; then
    MUNGE_USER=munge
    chown munge:munge "$C/munge" "$C/munge/private"
fi
export SLURM_CONF=$C/slurm.conf
PIDS=()
JOBS_SUBMITTED=0
stop_cluster() {
    # Jobs first (the cluster is ours alone), then the daemons we started, by PID.
    if [ "$JOBS_SUBMITTED" = 1 ] && [ -n "${CTLD_PID:-}" ] && kill -0 "$CTLD_PID" 2> /dev/null; then
        scancel --partition=spinscan > /dev/null 2>&1
        local n=0
        while [ -n "$(squeue -h -o %i 2> /dev/null)" ] && [ $n -lt 40 ]; do sleep 0.5; n=$((n + 1)); done
    fi
    local p n
    for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
    for p in "${PIDS[@]}"; do
        n=0
        while kill -0 "$p" 2> /dev/null && [ $n -lt 40 ]; do sleep 0.25; n=$((n + 1)); done
        kill -0 "$p" 2> /dev/null && kill -9 "$p" 2> /dev/null
    done
    # A job step that outlived its slurmd: found by this cluster's SLURM_CONF in its environment.
    local e
    for e in /proc/[0-9]*/environ; do
        if grep -qsa "SLURM_CONF=$C/slurm.conf" "$e" 2> /dev/null; then
            p=${e#/proc/}
            p=${p%/environ}
            [ "$p" != $$ ] && [ "$p" != "$BASHPID" ] && kill -9 "$p" 2> /dev/null
        fi
    done
    PIDS=()
}
cleanup() {
    stop_cluster
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! ss -Hltn "( sport = :$1 )" 2> /dev/null | grep -q .; }
for _ in $(seq 1 50); do
    PORT=$((20000 + RANDOM % 40000))
    port_free "$PORT" && port_free $((PORT + 1)) && break
done
NODE_LINE=$(slurmd -C 2> /dev/null | grep '^NodeName=' | head -1)
NODE=$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<< "$NODE_LINE")
[ -n "$NODE" ] || skip_all "slurmd -C printed no node line"
HOST=$(hostname -s)

dd if=/dev/urandom of="$C/munge/private/munge.key" bs=1024 count=1 status=none
chmod 400 "$C/munge/private/munge.key"
AS_MUNGE=()
if [ $ROOT = 1 ]; then
    chown munge:munge "$C/munge/private/munge.key"
    # setpriv execs munged as the munge user (no fork), so $! is munged itself.
    AS_MUNGE=(setpriv --reuid=munge --regid=munge --init-groups)
fi
"${AS_MUNGE[@]}" munged -F --socket="$C/munge/socket" \
    --key-file="$C/munge/private/munge.key" --log-file="$C/munge/private/munged.log" \
    --pid-file="$C/munge/private/munged.pid" --seed-file="$C/munge/private/seed" > "$C/log/munged.out" 2>&1 &
PIDS+=($!)

cat > "$C/slurm.conf" <<EOF
ClusterName=spinscantest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=$([ $ROOT = 1 ] && echo root || echo "$ME")
SlurmdUser=$([ $ROOT = 1 ] && echo root || echo "$ME")
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$C/munge/socket
StateSaveLocation=$C/ctld
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/log/slurmctld.log
SlurmdLogFile=$C/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MinJobAge=3600
KillWait=5
$NODE_LINE NodeAddr=127.0.0.1 NodeHostname=$HOST State=UNKNOWN
PartitionName=spinscan Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

wait_for() { # wait_for SECONDS COMMAND...: polls every half second
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.5
    done
}
munge_ok() { munge -S "$C/munge/socket" -n 2> /dev/null | unmunge -S "$C/munge/socket" > /dev/null 2>&1; }
wait_for 20 munge_ok
t_ok $? "munged runs as $MUNGE_USER on a private socket"
if ! munge_ok; then show_log "$C/log/munged.out"; skip_all "munged did not start"; fi

slurmctld -D -f "$C/slurm.conf" > "$C/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
PIDS+=("$CTLD_PID")
slurmd -D -f "$C/slurm.conf" -N "$NODE" > "$C/log/slurmd.out" 2>&1 &
PIDS+=($!)
node_idle() { [ "$(sinfo -h -n "$NODE" -o %T 2> /dev/null)" = idle ]; }
wait_for 60 node_idle
t_ok $? "slurmctld and slurmd on 127.0.0.1:$PORT-$((PORT + 1)): node $NODE idle ($(slurmd -V 2> /dev/null))"
if ! node_idle; then
    show_log "$C/log/slurmctld.log"
    show_log "$C/log/slurmd.log"
    t_done
    exit
fi

# ---- the model: the default one when built, else a small one made here ----
MD=${SPINSCAN_TEST_MODEL_DIR:-}
if [ -n "$MD" ] && [ -s "$MD/model.bin" ] && [ -s "$MD/detector.txt" ]; then
    MODEL=$MD
    note "model: $MD (binary, the default model)"
else
    mkdir -p "$TMP/model"
    cat "$SRC"/tests/data/samples/*.txt > "$TMP/model/corpus.txt"
    "$S" train -q -o 3 --discount-fallback -O "$TMP/model/model.arpa" "$TMP/model/corpus.txt" &&
        "$S" compile "$TMP/model/model.arpa" "$TMP/model/model.bin" > /dev/null 2>&1 &&
        rm "$TMP/model/model.arpa" "$TMP/model/corpus.txt"
    MODEL=$TMP/model
    note "model: a small one trained from tests/data/samples (no default model built)"
fi
[ -s "$MODEL/model.bin" ]; t_ok $? "a binary model on a path every task reads: $MODEL"

# ---- a generated crawl: JSON Lines (plain, gzip, zstd), WARC.gz, a directory ----
W=$TMP/crawl
mkdir -p "$W/pages"
cat "$SRC"/tests/data/samples/*.txt | tr -s ' \n' '  ' | sed 's/\([.!?]\) /\1\n/g' | grep -E '.{20,}' > "$TMP/sentences"
gen_docs() { # gen_docs SEED COUNT PREFIX: one document a line, "id<TAB>text"
    awk -v seed="$1" -v n="$2" -v pre="$3" 'BEGIN { srand(seed) }
        { s[NR] = $0 } END {
        for (d = 1; d <= n; d++) {
            k = 2 + int(rand() * 6); text = ""
            for (j = 0; j < k; j++) text = text s[1 + int(rand() * NR)] " "
            if (rand() < 0.3) { # word salad: the words of the text shuffled
                m = split(text, w, " ")
                for (j = m; j > 1; j--) { r = 1 + int(rand() * j); t = w[j]; w[j] = w[r]; w[r] = t }
                text = ""; for (j = 1; j <= m; j++) text = text w[j] " "
            }
            gsub(/["\\]/, "", text)
            printf "%s-%03d\t%s\n", pre, d, text
        }
    }' "$TMP/sentences"
}
to_jsonl() { awk -F'\t' '{ printf "{\"id\": \"%s\", \"text\": \"%s\"}\n", $1, $2 }'; }
for f in $(seq 1 12); do
    gen_docs "$f" 15 "j$f" | to_jsonl > "$W/part-$f.jsonl"
done
gzip "$W/part-2.jsonl" "$W/part-5.jsonl" "$W/part-9.jsonl"
if command -v zstd > /dev/null; then zstd -q --rm "$W/part-7.jsonl"; fi
for f in 1 2 3 4; do
    gen_docs "$((100 + f))" 8 "w$f" | while IFS=$'\t' read -r id text; do
        body=$(printf '%s\n' "$text")
        printf 'WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://crawl.example/%s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n' \
            "$id" "$(printf '%s' "$body" | wc -c)" "$body" | gzip -c
    done > "$W/seg-$f.warc.gz"
done
gen_docs 200 20 page | while IFS=$'\t' read -r id text; do printf '%s\n' "$text" > "$W/pages/$id.txt"; done
NDOCS=$((12 * 15 + 4 * 8 + 20))

# The reference: one plain rank over the same inputs, from the same directory.
# Relative paths (directory documents have their path as id): the tasks must
# run where submit ran, wherever resume runs.
cd "$TMP" || exit 1
INPUTS=(crawl/part-* crawl/seg-*.warc.gz crawl/pages)
"$S" rank -q -m "$MODEL" -j 2 -o "$TMP/single.tsv" "${INPUTS[@]}"
t_is "$?:$(($(wc -l < "$TMP/single.tsv") - 1))" "0:$NDOCS" "one plain rank over the crawl (${#INPUTS[@]} inputs, $NDOCS documents)"

# ---- a test double for spinscan that injects faults on request ----
FAULTS=$TMP/faults
mkdir -p "$FAULTS"
cat > "$TMP/spinscan-faulty" <<EOF
#!/usr/bin/env bash
# spinscan, with faults the test asks for: shard 3 finishes its rank, then hangs
# until the test kills the task; shard 5 finishes its rank, then exits 1.
real='$S'
case " \$* " in
*" --shard 3/8 "*) if [ -f '$FAULTS/hang-3' ]; then "\$real" "\$@"; touch '$FAULTS/ranked-3'; sleep 600; exit 1; fi ;;
*" --shard 5/8 "*) if [ -f '$FAULTS/fail-5' ]; then "\$real" "\$@"; echo "injected failure" >&2; exit 1; fi ;;
esac
exec "\$real" "\$@"
EOF
chmod +x "$TMP/spinscan-faulty"

OUT=$TMP/out
merge_job() { tail -n 1 "$OUT/job/jobids" | awk '{ print $NF }'; }
job_state() { scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }
queue_empty() { [ -z "$(squeue -h -o %i 2> /dev/null)" ]; }
submit() { # the recipe, as a user would run it
    "$RECIPE" submit -o "$OUT" -n 8 -m "$MODEL" -c 1 --mem 1G --spinscan "$TMP/spinscan-faulty" "$@" \
        "${INPUTS[@]}" > "$TMP/submit.out" 2> "$TMP/submit.err"
}

# ---- run 1: two faults ----
touch "$FAULTS/hang-3" "$FAULTS/fail-5"
T0=$SECONDS
JOBS_SUBMITTED=1
submit
t_is "$?" 0 "submit: exit 0 ($(head -1 "$TMP/submit.out"))"
ARRAY=$(head -1 "$OUT/job/jobids" | cut -d' ' -f1)
wait_for 240 test -f "$FAULTS/ranked-3"
t_ok $? "shard 3's rank finished inside its task"
scancel "${ARRAY}_3"
t_is "$?" 0 "scancel ${ARRAY}_3: task 3 killed before it could publish"
wait_for 300 queue_empty
t_ok $? "run 1: every job ended"
t_is "$(job_state "$(merge_job)")" FAILED "run 1: the merge job failed"
t_ok "$([ ! -e "$OUT/ranking.tsv" ]; echo $?)" "run 1: no ranking published"
L=$(ls "$OUT"/logs/merge-*.log | head -1)
grep -q "merge refused: 2 of 8 shards missing or incomplete" "$L"; t_ok $? "run 1: the merge says why: $(grep -m1 'refused' "$L")"
grep -q "shard-00003: missing (only an unfinished" "$L"; t_ok $? "  names the killed shard 3 (its finished ranking left unpublished)"
grep -q "shard-00005: missing" "$L"; t_ok $? "  names the failed shard 5"
ls -d "$OUT"/shards/.shard-00003.tmp.*/ranking.tsv > /dev/null 2>&1; t_ok $? "  shard 3's rank output is there, under its temporary name"
t_is "$(ls -d "$OUT"/shards/shard-* | wc -l)" 6 "run 1: the 6 other shards are published"
grep -q "injected failure" "$OUT"/logs/rank-*_5.log; t_ok $? "  task 5's log shows rank's error"
"$RECIPE" status "$OUT" > "$TMP/status" 2>&1
grep -q "6 of 8 shards done" "$TMP/status" && grep -q "not done: 3,5" "$TMP/status"; t_ok $? "status: 6 of 8 done, not done: 3,5"
for i in 0 1 2 4 6 7; do grep '^job=' "$OUT/shards/shard-0000$i/done"; done > "$TMP/jobs-before"

# ---- run 2: the same command, faults gone: only shards 3 and 5 run ----
rm -f "$FAULTS/hang-3" "$FAULTS/fail-5"
submit
t_is "$?" 0 "resubmit with the same command: exit 0"
grep -q "2 of 8 shards (3,5)" "$TMP/submit.out"; t_ok $? "  only the missing shards are submitted: $(head -1 "$TMP/submit.out")"
wait_for 300 queue_empty
t_ok $? "run 2: every job ended"
t_is "$(job_state "$(merge_job)")" COMPLETED "run 2: the merge job completed"
cmp "$OUT/ranking.tsv" "$TMP/single.tsv" > /dev/null 2>&1
t_ok $? "run 2: the merged ranking is byte-identical to one plain rank"
for i in 0 1 2 4 6 7; do grep '^job=' "$OUT/shards/shard-0000$i/done"; done > "$TMP/jobs-after"
cmp -s "$TMP/jobs-before" "$TMP/jobs-after"; t_ok $? "  the 6 shards done in run 1 were not run again"
t_is "$(ls -d "$OUT"/shards/.shard-* 2> /dev/null | wc -l)" 0 "  no temporary shard left"
t_is "$(awk -F'\t' 'NR > 1 { n += $2 } END { print NR - 1, n }' "$OUT/summary.tsv")" "8 $NDOCS" "summary.tsv: 8 shards, $NDOCS documents"
grep -q "^spinscan-slurm: 8 shards, $NDOCS documents scored, 0 skipped" "$OUT/summary.txt"; t_ok $? "summary.txt: $(cat "$OUT/summary.txt")"
t_is "$(cat "$OUT"/shards/shard-*/done | grep -c '^cores=1$')" 8 "every task ran rank with -j SLURM_CPUS_PER_TASK (1)"
n=$(grep -h '^scored=' "$OUT"/shards/shard-*/done | grep -vc '=0$')
[ "$n" -ge 4 ]; t_ok $? "the documents are spread over the shards ($n of 8 not empty)"
RUN_SECONDS=$((SECONDS - T0))

# ---- an incomplete shard (a truncated ranking) is found, refused and redone ----
sed -i '$d' "$OUT/shards/shard-00002/ranking.tsv"
"$RECIPE" merge "$OUT" > /dev/null 2> "$TMP/merge.err"
t_is "$?" 1 "merge over a truncated shard: exit 1"
grep -q "shard-00002: incomplete" "$TMP/merge.err"; t_ok $? "  says so: $(grep -m1 shard-00002 "$TMP/merge.err")"
rm "$OUT/ranking.tsv"
(cd / && "$RECIPE" resume "$OUT") > "$TMP/submit.out" 2> "$TMP/submit.err"
t_is "$?" 0 "resume OUT (from another directory): exit 0"
grep -q "1 of 8 shards (2)" "$TMP/submit.out"; t_ok $? "  reruns shard 2 only"
wait_for 300 queue_empty
t_ok $? "run 3: every job ended"
cmp "$OUT/ranking.tsv" "$TMP/single.tsv" > /dev/null 2>&1
t_ok $? "run 3: the merged ranking is byte-identical again"

# ---- the whole array resubmitted by hand: every task finds its shard done ----
cat "$OUT"/shards/shard-*/done > "$TMP/done-before"
sbatch --parsable --array=0-7 -c 1 --mem=1G -o "$OUT/logs/again-%A_%a.log" "$RECIPE" task "$OUT" > "$TMP/again" 2>&1
t_is "$?" 0 "sbatch --array=0-7 spinscan-slurm task OUT (by hand)"
wait_for 300 queue_empty
t_ok $? "every job ended"
t_is "$(cat "$OUT"/logs/again-*.log | grep -c 'complete already, skipped')" 8 "  the 8 tasks skipped their finished shards"
cat "$OUT"/shards/shard-*/done > "$TMP/done-after"
cmp -s "$TMP/done-before" "$TMP/done-after"; t_ok $? "  and left them as they were"

# ---- other settings on the same OUT are refused; a second layout (jsonl, --top, by id) ----
"$RECIPE" submit -o "$OUT" -n 9 -m "$MODEL" --spinscan "$TMP/spinscan-faulty" "${INPUTS[@]}" > /dev/null 2> "$TMP/err"
t_is "$?" 1 "submit with other settings on the same OUT: exit 1"
grep -q "holds a run with other settings" "$TMP/err"; t_ok $? "  says why"
"$S" rank -q -m "$MODEL" -f jsonl --top 25 -o "$TMP/single-top.jsonl" "${INPUTS[@]}"
OUT=$TMP/out2
submit -f jsonl --top 25 --shard-by id -n 9
t_is "$?" 0 "submit -f jsonl --top 25 --shard-by id -n 9"
wait_for 300 queue_empty
t_ok $? "every job ended"
cmp "$OUT/ranking.jsonl" "$TMP/single-top.jsonl" > /dev/null 2>&1
t_ok $? "jsonl, top 25 of 9 shards by id: byte-identical to one rank --top 25"

note "first run to a complete ranking (8 shards, 2 faults, resumed): $RUN_SECONDS s"
if [ "$T_FAIL" -ne 0 ]; then
    show_log "$C/log/slurmctld.log" 30
    show_log "$C/log/slurmd.log" 30
    for f in "$TMP"/out*/logs/*.log; do echo "# $f:"; show_log "$f" 8; done
fi
t_done
