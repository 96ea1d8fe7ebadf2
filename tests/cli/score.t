#!/usr/bin/env bash
# spinscan score: the command's plumbing (formats, colour, output file, model
# lookup, exit statuses).  Detection quality is tested elsewhere; here a tiny
# model written by this test is enough, except for the one check that needs
# the default model (skipped when models/en has not been built).  The tiny
# model is tests/cli/lm/cat.arpa.
set -u
. "$(dirname "$0")/lib.sh"
unset NO_COLOR
t_use_model cat

printf 'Cats And Dogs\n\nThe cat sat on the mat. The dog ran home.\nThe mat sat on the cat.\n' > "$TMP/a.txt"
printf 'The dog sat. The cat ran home on the mat.\n' > "$TMP/b.txt"

# --- basics and exit statuses ---
out=$("$S" score -m "$M" "$TMP/a.txt" 2>"$TMP/err"); rc=$?
t_is "$rc" 0 "one file: exit 0"
echo "$out" | head -1 | grep -q "^== $TMP/a.txt: spin [0-9.]* ([a-z]*), [0-9]* tokens, [0-9]* OOV, perplexity [0-9.]*, [0-9]* of [0-9]* prose sentences flagged$"
t_ok $? "text: a header line per document"
t_is "$(echo "$out" | grep -c '^\(>>\|  \) \[[01]\.[0-9][0-9]\] ')" 3 "text: the three prose sentences, each with its score"
echo "$out" | grep -q '^   \[head\] Cats And Dogs$'; t_ok $? "text: the heading is marked as such"
t_is "$(grep -c 'warning: NO CALIBRATION for this model' "$TMP/err"):$(grep -c 'spinscan calibrate -m MODEL -O MODEL.detector' "$TMP/err"):$(grep -vc 'NO CALIBRATION' "$TMP/err")" "1:1:0" \
    "without a calibration file: one loud warning saying how to calibrate, nothing else"

"$S" score -m "$M" "$TMP/a.txt" "$TMP/none.txt" "$TMP/b.txt" >"$TMP/out" 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "a missing FILE: exit 1"
grep -q "^spinscan: $TMP/none.txt: " "$TMP/err"; t_ok $? "  named on stderr as 'spinscan: FILE: ...'"
t_is "$(grep -c '^== ' "$TMP/out")" 2 "  the other files are still scored"

printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' > "$TMP/img.txt"
"$S" score -m "$M" "$TMP/img.txt" >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "a file that is not text: exit 1"
grep -q "^spinscan: $TMP/img.txt: .*not text" "$TMP/err"; t_ok $? "  said so: $(head -c 120 "$TMP/err")"

"$S" score -m "$M" --max-bytes 10 "$TMP/a.txt" >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "a file over --max-bytes: exit 1"
grep -q "^spinscan: $TMP/a.txt: larger than 10 bytes" "$TMP/err"; t_ok $? "  said so"
"$S" score -m "$M" --max-bytes 1K "$TMP/a.txt" >/dev/null 2>&1; t_is $? 0 "--max-bytes 1K accepted"

: > "$TMP/empty.txt"
"$S" score -m "$M" -f json "$TMP/empty.txt" >"$TMP/out" 2>&1; rc=$?
t_is "$rc" 0 "an empty file is an empty document (exit 0)"
grep -q '"sentences": \[\]' "$TMP/out"; t_ok $? "  with no sentences"

for args in "-f xml" "--color sometimes" "--max-bytes lots" "--bogus" "-f"; do
    "$S" score -m "$M" $args "$TMP/a.txt" >/dev/null 2>"$TMP/err"; rc=$?
    t_is "$rc" 2 "usage error ($args): exit 2"
done
grep -q "Try 'spinscan score --help'" "$TMP/err"; t_ok $? "  with a hint to --help"
"$S" score -m "$M" "$TMP/a.txt" >/dev/full 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "a full disk: exit 1"
grep -q "cannot write" "$TMP/err"; t_ok $? "  said so"
"$S" score --version | grep -q '^spinscan [0-9]'; t_ok $? "--version"

# --- help and parser agree ---
help=$("$S" score --help); t_is $? 0 "--help exits 0"
for opt in model format color output max-bytes; do
    echo "$help" | grep -q -- "--$opt "; t_ok $? "--help lists --$opt"
done
echo "$help" | grep -qi "NO_COLOR"; t_ok $? "--help mentions NO_COLOR"
echo "$help" | grep -q "detector.txt"; t_ok $? "--help says where the calibration comes from"
t_options_accepted score PATH="$M" FMT=json WHEN=never OUT="$TMP/h.out" N=1M

# --- JSON Lines ---
"$S" score -m "$M" -f json "$TMP/a.txt" "$TMP/b.txt" >"$TMP/out.jsonl"; rc=$?
t_is "$rc" 0 "json, two files: exit 0"
t_is "$(wc -l < "$TMP/out.jsonl" | tr -d ' ')" 2 "  one line per document"
perl -MJSON::PP -e '
    my @ids; my $bad = 0;
    open my $f, "<", $ARGV[0] or die;
    while (my $l = <$f>) {
        my $o = eval { JSON::PP->new->decode($l) } or do { $bad = 1; next };
        push @ids, $o->{id};
        for my $k (qw(id spin_score verdict tokens oov perplexity sentences)) { $bad = 2 unless exists $o->{$k} }
        $bad = 3 unless $o->{verdict} =~ /^(natural|suspect|spun|salad|stuffing|unsupported)$/;
        for my $s (@{$o->{sentences}}) {
            for my $k (qw(start end text spin flagged log10prob perplexity z kind reason family words evidence)) { $bad = 4 unless exists $s->{$k} }
            # evidence (docs/detector.md): a reason exactly when flagged, one word per token,
            # word and evidence spans inside the sentence
            $bad = 7 unless (defined $s->{reason}) == ($s->{flagged} ? 1 : 0);
            $bad = 7 if defined $s->{reason} && $s->{reason} !~ /^(threshold|outlier|document)$/;
            $bad = 8 unless @{$s->{words}} == $s->{tokens};
            for my $w (@{$s->{words}}, @{$s->{evidence}}) {
                $bad = 9 unless $w->[0] >= $s->{start} && $w->[1] <= $s->{end} && $w->[0] < $w->[1];
            }
            $bad = 10 unless @{$s->{evidence}} <= 3;
            $bad = 5 unless $s->{kind} =~ /^(prose|heading|boilerplate)$/;
            $bad = 6 unless JSON::PP::is_bool($s->{flagged});
        }
    }
    print "$bad ", join(" ", @ids), "\n";
' "$TMP/out.jsonl" > "$TMP/check" 2>&1
t_is "$(cat "$TMP/check")" "0 $TMP/a.txt $TMP/b.txt" "  valid JSON, every SPEC field, ids = paths as given, in order"
perl -MJSON::PP -ne '
    my $o = JSON::PP->new->decode($_); open my $f, "<:raw", $o->{id} or die; local $/; my $t = <$f>;
    for my $s (@{$o->{sentences}}) {
        my $want = substr($t, $s->{start}, $s->{end} - $s->{start});
        utf8::encode(my $got = $s->{text}); print "mismatch\n" if $got ne $want;
    }' "$TMP/out.jsonl" > "$TMP/check"
t_is "$(cat "$TMP/check")" "" "  each sentence's text is the document's bytes [start, end)"

"$S" score -m "$M" -f json - < "$TMP/a.txt" > "$TMP/stdin.json"; rc=$?
t_is "$rc" 0 "'-' reads standard input"
grep -q '^{"id": "-", ' "$TMP/stdin.json"; t_ok $? "  its id is '-'"
"$S" score -m "$M" -f json < "$TMP/a.txt" | cmp -s - "$TMP/stdin.json"
t_ok $? "  no FILE is the same as '-'"
gzip -c "$TMP/a.txt" > "$TMP/a.txt.gz"
"$S" score -m "$M" -f json "$TMP/a.txt.gz" | sed 's/^{"id": "[^"]*"/{"id": "-"/; s/"bytes": [0-9]*/B/' > "$TMP/gz.json"
sed 's/"bytes": [0-9]*/B/' "$TMP/stdin.json" | cmp -s - "$TMP/gz.json"
t_ok $? "a gzip file is decompressed: same report as the plain text"

# --- HTML ---
printf 'Tags <script>alert(1)</script> and "quotes" here.\n' > "$TMP/x.txt"
"$S" score -m "$M" -f html "$TMP/x.txt" "$TMP/a.txt" > "$TMP/out.html"; rc=$?
t_is "$rc" 0 "html: exit 0"
t_is "$(grep -c '<html' "$TMP/out.html")" 1 "  one page for two files"
t_is "$(grep -c '<section class="doc' "$TMP/out.html")" 2 "  a section per document"
grep -q '<script' "$TMP/out.html"; t_is $? 1 "  a document's <script> never appears raw"
sed 's/<span[^>]*>//g; s/<\/span>//g' "$TMP/out.html" | grep -q '&lt;script&gt;alert(1)&lt;/script&gt;'; t_ok $? "  it is shown as text"

# --- colour ---
"$S" score -m "$M" --color always "$TMP/a.txt" | grep -q $'\033\\['; t_ok $? "--color always: ANSI escapes"
NO_COLOR=1 "$S" score -m "$M" --color always "$TMP/a.txt" | grep -q $'\033\\['
t_ok $? "--color always wins over NO_COLOR"
"$S" score -m "$M" "$TMP/a.txt" | grep -q $'\033'; t_is $? 1 "auto, not a terminal: no colour"
"$S" score -m "$M" --color never "$TMP/a.txt" | grep -q $'\033'; t_is $? 1 "--color never: no colour"
"$S" score -m "$M" -f json --color always "$TMP/a.txt" | grep -q $'\033'; t_is $? 1 "json never has colour"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    tty_run() { TERM=xterm script -qec "$1" /dev/null < /dev/null; }
    tty_run "'$S' score -m '$M' '$TMP/a.txt'" | grep -q $'\033\\['; t_ok $? "auto on a terminal: colour"
    NO_COLOR=1 tty_run "'$S' score -m '$M' '$TMP/a.txt'" | grep -q $'\033\\['
    t_is $? 1 "auto on a terminal with NO_COLOR=1: no colour"
    NO_COLOR= tty_run "'$S' score -m '$M' '$TMP/a.txt'" | grep -q $'\033\\['
    t_ok $? "auto on a terminal with NO_COLOR empty: colour"
    tty_run "'$S' score -m '$M' -o '$TMP/tty.txt' '$TMP/a.txt'" >/dev/null
    grep -q $'\033' "$TMP/tty.txt"; t_is $? 1 "auto with -o FILE: no colour in the file"
else
    for i in 1 2 3 4; do t_skip "script(1) cannot make a terminal here"; done
fi

# --- -o ---
"$S" score -m "$M" -f json "$TMP/a.txt" > "$TMP/want.json"
"$S" score -m "$M" -f json -o "$TMP/o.json" "$TMP/a.txt" > "$TMP/stdout"; rc=$?
t_is "$rc" 0 "-o: exit 0"
cmp -s "$TMP/o.json" "$TMP/want.json"; t_ok $? "  the file holds what stdout would"
t_is "$(cat "$TMP/stdout")" "" "  and stdout is empty"
echo "precious" > "$TMP/keep.json"
"$S" score -m "$M" -f json -o "$TMP/keep.json" "$TMP/none.txt" 2>/dev/null; rc=$?
t_is "$rc" 1 "-o when every FILE fails: exit 1"
t_is "$(cat "$TMP/keep.json")" "precious" "  an existing OUT is left intact"
"$S" score -m "$M" -f json -o "$TMP/keep.json" "$TMP/none.txt" "$TMP/b.txt" 2>/dev/null; rc=$?
t_is "$rc" 1 "-o when one FILE of two fails: exit 1"
t_is "$(grep -c '"id"' "$TMP/keep.json")" 1 "  OUT holds the document that was scored"
"$S" score -m "$M" -o "$TMP/nodir/x.txt" "$TMP/a.txt" 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "-o in a missing directory: exit 1"
grep -q "nodir/x.txt" "$TMP/err"; t_ok $? "  naming it"
t_is "$(ls "$TMP" | grep -c '\.tmp\.')" 0 "no temporary files are left behind"

# --- model lookup ---
mkdir -p "$TMP/md" "$TMP/empty-dir"
cp "$M" "$TMP/md/model.arpa"
SPINSCAN_MODEL=$TMP/md "$S" score -f json "$TMP/a.txt" > "$TMP/env.json"; rc=$?
t_is "$rc" 0 "SPINSCAN_MODEL names a model directory"
nomodel() { sed 's/, "spinscan": {.*}}$/}/' "$@"; } # the model's file name differs, nothing else
cmp -s <(nomodel "$TMP/env.json") <(nomodel "$TMP/want.json"); t_ok $? "  same report as -m FILE"
SPINSCAN_MODEL=$TMP/empty-dir "$S" score -m "$TMP/md" -f json "$TMP/a.txt" | nomodel | cmp -s - <(nomodel "$TMP/want.json")
t_ok $? "-m wins over SPINSCAN_MODEL"
SPINSCAN_MODEL=$TMP/empty-dir "$S" score "$TMP/a.txt" >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "a directory without a model: exit 1"
grep -q "empty-dir: no model.bin, model.arpa.gz or model.arpa" "$TMP/err"; t_ok $? "  said so"
"$S" score -m "$TMP/missing.arpa" "$TMP/a.txt" >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "-m naming nothing: exit 1"
grep -q "missing.arpa" "$TMP/err"; t_ok $? "  named"
echo "not a calibration" > "$TMP/md/detector.txt"
"$S" score -m "$TMP/md" "$TMP/a.txt" >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "a directory's detector.txt is read (a malformed one: exit 1)"
grep -q "md/detector.txt" "$TMP/err"; t_ok $? "  naming it"
echo "not a calibration" > "$M.detector"
"$S" score -m "$M" "$TMP/a.txt" >/dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "a model file's FILE.detector is read"
rm -f "$M.detector"

# --- the default model: lookup from the source tree, and the mission's sentence ---
if ls "$SRC"/models/en/model.* >/dev/null 2>&1; then
    (cd "$TMP" && "$S" score -f json "$SRC/tests/data/samples/spun-back-pain.txt") > "$TMP/mission.json"
    t_is $? 0 "no -m, no SPINSCAN_MODEL: models/en in the source tree is found (from another directory)"
    perl -MJSON::PP -ne '
        my $o = JSON::PP->new->decode($_);
        for my $s (@{$o->{sentences}}) {
            print(($s->{flagged} ? "flagged" : "not flagged"), "\n") if $s->{text} =~ /^Back especially low back pain, pain,/;
        }' "$TMP/mission.json" > "$TMP/check"
    t_is "$(cat "$TMP/check")" "flagged" "the mission's sentence ('Back especially low back pain, pain, ...') is flagged"
else
    t_skip "models/en not built ('make model'): default-model lookup and mission sentence"
    t_skip "models/en not built"
fi
# --- crawl-adaptive reference (docs/detector.md) ---
"$S" score -m "$M" --save-reference "$TMP/ref.txt" "$TMP/a.txt" > /dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 2 "--save-reference without --adapt: usage error"
"$S" score -m "$M" --adapt - < "$TMP/a.txt" > /dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 2 "--adapt on standard input: usage error ($(head -c 80 "$TMP/err"))"
"$S" score -m "$M" --adapt "$TMP/a.txt" "$TMP/b.txt" > /dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "--adapt with too few documents: exit 1"
grep -q "adapting needs at least" "$TMP/err"; t_ok $? "  and says why: $(head -c 100 "$TMP/err")"
"$S" score -m "$M" --reference "$TMP/none.txt" "$TMP/a.txt" > /dev/null 2>"$TMP/err"; rc=$?
t_is "$rc" 1 "--reference FILE that does not exist: exit 1"
grep -q "none.txt" "$TMP/err"; t_ok $? "  naming the file"
# --- the tool version and the model's identity in every report (issue 16) ---
VER=$("$S" --version | awk '{print $2; exit}')
IM=$TMP/idm
mkdir -p "$IM"
cp "$M" "$IM/model.arpa"
SHA=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
printf '{"packages": ["toy-corpus@1.2 (MIT)", "toy-dict@0.3-1 (GPL-3+)"], "sha256": "%s", "sha256_of": "model.arpa"}\n' "$SHA" > "$IM/manifest.json"
ID="spinscan $VER; model ${SHA:0:12}"
WANT="$ID (2-gram; sha256 $SHA; packages toy-corpus@1.2, toy-dict@0.3-1)"
"$S" score -m "$IM" "$TMP/a.txt" "$TMP/b.txt" > "$TMP/id.txt" 2>/dev/null
t_is "$(tail -1 "$TMP/id.txt")" "-- $WANT" "text: the last line names the version, checksum and packages from manifest.json"
t_is "$(grep -c '^-- spinscan ' "$TMP/id.txt")" 1 "  once, after the last document"
t_is "$(head -n -1 "$TMP/id.txt")" "$("$S" score -m "$M" "$TMP/a.txt" "$TMP/b.txt" 2>/dev/null | head -n -1)" "  the documents' lines unchanged"
t_is "$("$S" score -m "$M" "$TMP/a.txt" 2>/dev/null | tail -1)" \
    "-- spinscan $VER; model unknown (2-gram; no manifest.json: checksum and packages unknown)" "  a model without a manifest: said so"
"$S" score -m "$IM" "$TMP/none.txt" > "$TMP/id.txt" 2>/dev/null
t_is "$(cat "$TMP/id.txt")" "" "  no document written: no identity line either"
"$S" score -m "$IM" --color always "$TMP/a.txt" 2>/dev/null | tail -1 | grep -qF $'\033[2m-- '"$WANT"$'\033[0m'
t_ok $? "  dim with --color always"
"$S" score -m "$IM" -f html "$TMP/a.txt" > "$TMP/id.html" 2>/dev/null
t_is "$(grep -o '<footer>.*</footer>' "$TMP/id.html" | sed 's/ &#183; scores are .*//')" "<footer>Made by $WANT" \
    "html: the footer names the version, checksum and packages"
"$S" score -m "$IM" -f json "$TMP/a.txt" > "$TMP/id.json" 2>/dev/null
t_is "$(jq -r '[.spinscan.version, .spinscan.identity, .spinscan.model.sha256, (.spinscan.model.packages | join(","))] | join("|")' "$TMP/id.json")" \
    "$VER|$ID|$SHA|toy-corpus@1.2 (MIT),toy-dict@0.3-1 (GPL-3+)" "json: \"spinscan\" has the version, the identity rank writes, the checksum and packages"
MD=${SPINSCAN_TEST_MODEL_DIR:-$SRC/models/en}
if [ -s "$MD/manifest.json" ] && ls "$MD"/model.* > /dev/null 2>&1; then
    MSHA=$(jq -r .sha256 "$MD/manifest.json")
    MPK=$(jq -r '.packages | map(sub(" \\(.*"; "")) | join(", ")' "$MD/manifest.json")
    "$S" score -m "$MD" "$SRC/tests/data/samples/natural-sleep.txt" 2>/dev/null | tail -1 > "$TMP/md.txt"
    t_is "$(cat "$TMP/md.txt")" "-- spinscan $VER; model ${MSHA:0:12} ($(jq -r .order "$MD/manifest.json")-gram; sha256 $MSHA; packages $MPK)" \
        "default model, text: the identity line matches spinscan --version and manifest.json"
    "$S" score -m "$MD" -f html "$SRC/tests/data/samples/natural-sleep.txt" 2>/dev/null | grep -q "<footer>Made by spinscan $VER; model ${MSHA:0:12} (.*sha256 $MSHA; packages"
    t_ok $? "default model, html: the footer too"
else
    t_skip "default model not built (make model): its identity, text"
    t_skip "default model not built (make model): its identity, html"
fi
t_done
