#!/usr/bin/env bash
# fetch-ding.sh - the Ding dictionary (Debian `trans-de-en`, GPL-2+) as an
# English thesaurus in Moby's words.txt format (one sense a line: the English
# alternatives of one German headword's sense, comma-separated), for the spin
# family tests and bench (tests/cli/families.t, scripts/bench.d/55-families.sh).
# Ding is not what any part of spinscan is fitted on (that is Moby), so
# variants spun with it test the family finder on an unseen thesaurus.
#
#   scripts/fetch-ding.sh [OUT]     (OUT defaults to models/thesauri/ding/words.txt)
#
# The .deb is fetched with `apt-get download` (no root needed) and cached in
# models/corpus/pkg; nothing fetched is ever committed.  Does nothing when OUT
# exists (scripts/fetch-thesauri.sh on branch eval writes the same file).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-models/thesauri/ding/words.txt}
[ -s "$OUT" ] && exit 0
PKG=models/corpus/pkg
mkdir -p "$PKG" "$(dirname "$OUT")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb=$(ls "$PKG"/trans-de-en_*.deb 2>/dev/null | tail -1 || true)
if [ -z "$deb" ]; then
    echo "fetch-ding: apt-get download trans-de-en" >&2
    (cd "$work" && apt-get download trans-de-en >&2 2>/dev/null) || {
        echo "fetch-ding: apt-get download trans-de-en failed (run apt-get update?)" >&2
        exit 1
    }
    mv "$work"/trans-de-en_*.deb "$PKG/"
    deb=$(ls "$PKG"/trans-de-en_*.deb | tail -1)
fi
dpkg-deb -x "$deb" "$work/x"
# "German | German plural :: English; English | English plural": each '|'
# part on the English side is one sense, its ';' alternatives are synonyms.
# Annotations {..} [..] (..) and a leading "to " are dropped; alternatives of
# 1-3 plain words are kept; a sense needs two different ones.
perl -CSD -ne '
    next if /^#/;
    my (undef, $en) = split / :: /, $_, 2;
    next unless defined $en;
    chomp $en;
    for my $sense (split /\s*\|\s*/, $en) {
        my %seen; my @alt;
        for my $a (split /\s*;\s*/, $sense) {
            $a =~ s/\{[^}]*\}|\[[^\]]*\]|\([^)]*\)//g;
            $a =~ s/^\s+|\s+$//g; $a =~ s/\s+/ /g;
            $a =~ s/^to //;
            next unless $a =~ /^[a-z]+(?: [a-z]+){0,2}$/;
            push @alt, $a unless $seen{$a}++;
        }
        print join(",", @alt), "\n" if @alt >= 2;
    }' "$work/x/usr/share/trans/de-en" > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "fetch-ding: $(wc -l < "$OUT") senses in $OUT" >&2
