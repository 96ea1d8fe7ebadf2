#!/usr/bin/env python3
"""corpus.py - turn the fetched packages of models/en/recipe.json into prose,
split by document into train / calib / heldout, and select from the splits.

    python3 scripts/corpus.py clean   --recipe R --source NAME --root DIR --out CORPUS
    python3 scripts/corpus.py files   --recipe R --corpus CORPUS --split S
                                      [--domain D,..] [--exclude-domain D,..]
                                      [--exclude-source N,..]
    python3 scripts/corpus.py train-text --recipe R --corpus CORPUS [--budget WORDS]
                                      [--exclude-domain D,..] [--exclude-source N,..]
    python3 scripts/corpus.py domains --recipe R [--split heldout --corpus CORPUS]

clean: reads the unpacked package(s) of one source under ROOT (ROOT/<package>/
is what `dpkg-deb -x` or `tar x` made of it) with the source's extractor
("kind" in the recipe), and writes CORPUS/{train,calib,heldout}/NAME.txt: one
paragraph per line, an empty line between documents (the convention of
scripts/synth.js).  It prints a JSON summary of the source on stdout.

Cleaning (the same for every source, after the extractor):
  - markup is parsed, never matched with patterns: HTML with html.parser, XML
    (Mallard, OSIS) with xml.etree or html.parser, POD with perl's Pod::Simple,
    JSON with json; code blocks (pre, programlisting, screen, verbatim POD),
    tables, navigation, menus, headers, footers, tables of contents and
    headings are dropped whole;
  - white space is collapsed; a paragraph is kept only if it looks like prose:
    at least MIN_WORDS words, at least 70 % of its non-space characters are
    letters, few code characters ({}[]<>=;$\\|_#@~^*), a lower-case letter, and
    (for sources whose recipe says "sentence_end") a final . ! ? : or a closing
    quote or bracket after one;
  - duplicates are dropped: a paragraph seen before in the same source (case
    and spacing ignored) is dropped, and a document left empty is dropped.
Split (by document, deterministic): h = the first 8 hex digits of
sha1(source name + "\\0" + document id) as a number, p = h mod 100;
p < calib_percent -> calib, p < calib_percent + heldout_percent -> heldout,
else train.  The document id is the file path inside the package (or the
chapter, entry group, ... that the extractor names), so the split does not
depend on the order of files.  A source's "max_train_words" caps its train
split: train documents are taken in order of h until the cap is reached; the
rest are dropped (never moved to calib or heldout).
"""
import argparse
import glob
import hashlib
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

MIN_WORDS = 5
CODE_CHARS = set('{}[]<>=;$\\|_#@~^*')


def die(msg):
    sys.stderr.write('corpus.py: ' + msg + '\n')
    sys.exit(1)


def load_recipe(path):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die('%s: %s' % (path, e))


def source_of(recipe, name):
    for s in recipe['sources']:
        if s['name'] == name:
            return s
    die('no source %r in the recipe' % name)


# ------------------------------------------------------------------ prose filter

WS = re.compile(r'\s+')
END_OK = re.compile(r'[.!?:]["\'\u201d\u2019)\]]*$')


CONTROL = re.compile(r'[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]')


def norm(text):
    return WS.sub(' ', CONTROL.sub(' ', text).replace('\u00a0', ' ')).strip()


def is_prose(p, sentence_end, min_words=MIN_WORDS):
    words = p.split(' ')
    if len(words) < min_words:
        return False
    chars = [c for c in p if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    if letters < 0.7 * len(chars):
        return False
    if sum(c in CODE_CHARS for c in chars) > 0.02 * len(chars) + 1:
        return False
    if not any(c.islower() for c in p):
        return False
    if sentence_end and not END_OK.search(p):
        return False
    return True


# ------------------------------------------------------------------ HTML

BLOCK = {'p', 'div', 'li', 'ul', 'ol', 'dl', 'dd', 'dt', 'blockquote', 'section', 'article',
         'main', 'body', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'figure', 'figcaption',
         'td', 'th', 'tr', 'caption', 'aside', 'details', 'summary', 'center', 'address'}
HEADINGS = {'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'caption', 'figcaption', 'summary', 'dt'}
SKIP_TAGS = {'script', 'style', 'pre', 'table', 'nav', 'header', 'footer', 'head', 'title',
             'form', 'button', 'select', 'textarea', 'svg', 'math', 'noscript', 'iframe',
             'object', 'kbd', 'samp', 'var'}
VOID = {'br', 'hr', 'img', 'input', 'meta', 'link', 'area', 'base', 'col', 'embed', 'param',
        'source', 'track', 'wbr'}
# Class or id tokens (whole tokens, not substrings) whose subtree is dropped.
SKIP_CLASS = re.compile(r'^(sidebar|sphinxsidebar|sidebar-scrollbox|related|footer|header|nav|navheader|'
                        r'navfooter|navigation|nav-wrapper|nav-chapters|breadcrumbs?|toc|toctree-wrapper|'
                        r'menu|menu-bar|menu-title|search|searchbar|highlight|highlight-\w+|literal-block|'
                        r'doctest|screen|programlisting|synopsis|cmdsynopsis|funcsynopsis|'
                        r'copyright|legalnotice|rubric|admonition-title|headerlink|'
                        r'sig|sig-object|signature|code-header|docblock-short|item-table|'
                        r'out-of-band|since|stability|line-numbers|bookmark|relatedtopics|'
                        r'mobile-nav-chapters|playground|example-wrap|src-line-numbers|item-decl|'
                        r'sub-variant|impl-items|tooltip|notable-traits)$', re.I)


def skip_class(cls, extra):
    for t in cls.split():
        if SKIP_CLASS.match(t) or (extra and extra.match(t)):
            return True
    return False


class ProseHTML(html.parser.HTMLParser):
    """Collects the text of block elements outside skipped subtrees; a block
    boundary ends a paragraph; headings are dropped."""

    def __init__(self, extra_skip_class=None):
        super().__init__(convert_charrefs=True)
        self.stack = []          # (tag, skipping, heading)
        self.buf = []
        self.paras = []
        self.extra = re.compile('^(' + extra_skip_class + ')$', re.I) if extra_skip_class else None

    def skipping(self):
        return bool(self.stack) and self.stack[-1][1]

    def heading(self):
        return bool(self.stack) and self.stack[-1][2]

    def flush(self):
        text = norm(''.join(self.buf))
        self.buf = []
        if text:
            self.paras.append(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in BLOCK:
            self.flush()
        if tag in VOID:
            return
        cls = ' '.join(filter(None, [a.get('class'), a.get('id'), a.get('role')]))
        skip = self.skipping() or tag in SKIP_TAGS or skip_class(cls, self.extra) \
            or a.get('hidden') is not None
        self.stack.append((tag, skip, self.heading() or tag in HEADINGS))

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if tag in VOID:
            if tag in BLOCK:
                self.flush()
            return
        # Pop to the matching open tag (tolerates unclosed <p>, <li>).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                was_heading = self.stack[i][2] and not (i > 0 and self.stack[i - 1][2])
                del self.stack[i:]
                if was_heading:
                    self.buf = []
                elif tag in BLOCK:
                    self.flush()
                return

    def handle_data(self, data):
        if not self.skipping() and not self.heading():
            self.buf.append(data)

    def close(self):
        super().close()
        self.flush()
        return self.paras


def html_paragraphs(path, extra_skip_class=None):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    p = ProseHTML(extra_skip_class)
    p.feed(text)
    return p.close()


def extract_html(src, root):
    pkg = os.path.join(root, src['package'])
    files = []
    for pat in src['files']:
        files += glob.glob(os.path.join(pkg, pat), recursive=True)
    excl = [re.compile(x) for x in src.get('exclude', [])]
    for path in sorted(set(files)):
        rel = os.path.relpath(path, pkg)
        if any(x.search(rel) for x in excl) or os.path.islink(path):
            continue
        yield rel, html_paragraphs(path, src.get('skip_class'))


# ------------------------------------------------------------------ Mallard (GNOME help)

MALLARD = '{http://projectmallard.org/1.0/}'
MALLARD_SKIP = {'code', 'screen', 'table', 'title', 'info', 'links', 'media', 'synopsis',
                'comment', 'example'}


def extract_mallard(src, root):
    pkg = os.path.join(root, src['package'])
    files = []
    for pat in src['files']:
        files += glob.glob(os.path.join(pkg, pat), recursive=True)
    for path in sorted(set(files)):
        try:
            tree = ET.parse(path)
        except ET.ParseError as e:
            sys.stderr.write('corpus.py: %s: skipped (%s)\n' % (path, e))
            continue
        paras = []

        def walk(el, skip):
            tag = el.tag.replace(MALLARD, '') if isinstance(el.tag, str) else ''
            if tag in MALLARD_SKIP or '}' in tag:   # another namespace (its, ui, e)
                skip = True
            if tag == 'p' and not skip:
                paras.append(norm(''.join(t for t in text_without(el))))
                return
            for c in el:
                walk(c, skip)

        def text_without(el):
            # The text of a <p>, leaving out nested code blocks' text but keeping
            # inline elements (gui, link, em, cmd, file, key).
            yield el.text or ''
            for c in el:
                t = c.tag.replace(MALLARD, '') if isinstance(c.tag, str) else ''
                if t not in ('screen', 'media', 'comment'):
                    yield from text_without(c)
                yield c.tail or ''

        walk(tree.getroot(), False)
        yield os.path.relpath(path, pkg), paras


# ------------------------------------------------------------------ POD (perl-doc)

POD_DUMP = r'''
use strict; use warnings; use Pod::Simple::SimpleTree;
binmode STDOUT, ':utf8';
sub text { my ($n) = @_; return $n unless ref $n;
    my ($tag, $attr, @kids) = @$n;
    return '' if $tag eq 'X' || $tag eq 'Z';
    return join '', map { text($_) } @kids; }
for my $file (@ARGV) {
    my $p = Pod::Simple::SimpleTree->new; $p->no_errata_section(1); $p->complain_stderr(0);
    my $tree = eval { $p->parse_file($file)->root };
    next unless $tree;
    my ($tag, $attr, @kids) = @$tree;
    for my $k (@kids) {
        next unless ref $k;
        my @q = ($k);
        while (my $n = shift @q) {
            my ($t, $a, @c) = @$n;
            if ($t eq 'Para' || $t eq 'item-text') { my $s = text($n); $s =~ s/\s+/ /g;
                print "$file\t$s\n" if length $s; }
            elsif ($t =~ /^over-(bullet|number|text|block)$/) { unshift @q, grep { ref } @c; }
        }
    }
}
'''


def extract_pod(src, root):
    pkg = os.path.join(root, src['package'])
    files = []
    for pat in src['files']:
        files += glob.glob(os.path.join(pkg, pat), recursive=True)
    files = sorted(set(f for f in files if not os.path.islink(f)))
    excl = [re.compile(x) for x in src.get('exclude', [])]
    files = [f for f in files if not any(x.search(os.path.relpath(f, pkg)) for x in excl)]
    docs = {}
    order = []
    for i in range(0, len(files), 200):
        out = subprocess.run(['perl', '-e', POD_DUMP] + files[i:i + 200], capture_output=True,
                             check=True).stdout.decode('utf-8', 'replace')
        for line in out.split('\n'):
            if '\t' not in line:
                continue
            f, para = line.split('\t', 1)
            if f not in docs:
                docs[f] = []
                order.append(f)
            docs[f].append(para)
    for f in order:
        yield os.path.relpath(f, pkg), docs[f]


# ------------------------------------------------------------------ npm corpora

def extract_brown(src, root):
    pkg = os.path.join(root, src['package'], 'package')
    files = sorted(f for f in os.listdir(pkg) if re.fullmatch(src.get('select', 'c[a-r][0-9][0-9]'), f))
    for f in files:
        paras = []
        with open(os.path.join(pkg, f), encoding='utf-8', errors='replace') as fh:
            for line in fh:
                toks = line.split()
                if not toks:
                    continue
                words = [re.sub(r'/[^/]*$', '', t) for t in toks]
                s = ' '.join(words).replace('``', '"').replace("''", '"')
                paras.append(s)
        yield f, paras


def extract_nlp(src, root):
    d = os.path.join(root, src['package'], 'package', 'builds')
    files = sorted((f for f in os.listdir(d) if re.fullmatch(r'doc-\d+\.json', f)),
                   key=lambda f: int(f[4:-5]))
    for f in files:
        with open(os.path.join(d, f), encoding='utf-8') as fh:
            lines = json.load(fh)
        yield f, [s for s in lines if isinstance(s, str)]


def extract_sotu(src, root):
    d = os.path.join(root, src['package'], 'package', 'data')
    for f in sorted(os.listdir(d)):
        if not re.fullmatch(r'\d{4}_.*\.txt', f):
            continue
        with open(os.path.join(d, f), encoding='utf-8', errors='replace') as fh:
            yield f, [l for l in fh.read().replace('\r', '').split('\n') if l.strip()]


def extract_moby_dick(src, root):
    d = os.path.join(root, src['package'], 'package', 'data')
    files = sorted((f for f in os.listdir(d) if re.fullmatch(r'chapter_\d+\.json', f)),
                   key=lambda f: int(f[8:-5]))
    for f in files:
        with open(os.path.join(d, f), encoding='utf-8') as fh:
            ch = json.load(fh)
        yield f, [p for p in re.split(r'\n\s*\n', ch.get('text', '')) if p.strip()]


# ------------------------------------------------------------------ game data

CDDA_KEYS = {'description', 'text', 'dynamic_line', 'message', 'snippet', 'yes', 'no',
             'info', 'msg', 'sound', 'str', 'str_sp', 'effect_msg', 'npc_msg'}
CDDA_FMT = re.compile(r'<[a-z_]+>|%\d?\$?[sd]|\$[a-z_]+')


def extract_cdda(src, root):
    pkg = os.path.join(root, src['package'])
    files = []
    for pat in src['files']:
        files += glob.glob(os.path.join(pkg, pat), recursive=True)
    for path in sorted(set(files)):
        try:
            with open(path, encoding='utf-8') as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            continue
        paras = []

        def walk(v, key):
            if isinstance(v, str):
                if key in CDDA_KEYS:
                    # A placeholder (<npcname>, %s) leaves a hole; drop the string.
                    if not CDDA_FMT.search(v):
                        paras.extend(p for p in re.split(r'\n\s*\n|\n', v) if p.strip())
            elif isinstance(v, list):
                for x in v:
                    walk(x, key)
            elif isinstance(v, dict):
                for k, x in v.items():
                    walk(x, k if k not in ('str', 'str_sp', 'str_pl') else key)

        walk(data, None)
        yield os.path.relpath(path, pkg), paras


ES_TEXT = re.compile(r'^(?:(?:description|spaceport|dialog|conversation|news|word|'
                     r'message|log)\s+)?(`[^`]*`|"[^"]*")\s*$')


def extract_endless_sky(src, root):
    """Endless Sky's data files: a line that starts at column 0 opens a block
    (conversation, mission, planet, ...), one document; a quoted text line (a
    conversation line, or the argument of description / spaceport / dialog)
    is a paragraph."""
    pkg = os.path.join(root, src['package'])
    files = []
    for pat in src['files']:
        files += glob.glob(os.path.join(pkg, pat), recursive=True)
    for path in sorted(set(files)):
        rel = os.path.relpath(path, pkg)
        block, paras = None, []
        with open(path, encoding='utf-8', errors='replace') as fh:
            for line in fh:
                line = line.rstrip('\n')
                if not line.strip() or line.lstrip().startswith('#'):
                    continue
                if not line[0].isspace():
                    if block is not None and paras:
                        yield rel + ':' + block, paras
                    block, paras = line.strip(), []
                    continue
                m = ES_TEXT.match(line.strip())
                if m:
                    t = m.group(1)[1:-1]
                    if '<' in t or '&[' in t or '$' in t:  # substitutions (<origin>, &[...])
                        continue
                    paras.append(t)
        if block is not None and paras:
            yield rel + ':' + block, paras


# ------------------------------------------------------------------ OSIS (SWORD)

class OsisVerse(html.parser.HTMLParser):
    """Text of one verse of mod2imp's OSIS output, without notes and titles;
    a paragraph milestone (<div type="x-p" sID=.../> or <p>) starts a new
    paragraph (reported as '\\n' in the text)."""
    SKIP = {'note', 'title', 'rdg'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.out = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.SKIP:
            self.depth += 1
        elif tag in ('p', 'lg') or (tag == 'div' and a.get('type') in ('x-p', 'paragraph')):
            self.out.append('\n')

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        if (tag == 'div' and a.get('type') in ('x-p', 'paragraph') and a.get('sID')) or \
                (tag == 'lg' and a.get('sID')) or (tag == 'milestone' and a.get('type') == 'x-p'):
            self.out.append('\n')

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.out.append(data)


def extract_sword(src, root):
    pkg = os.path.join(root, src['package'])
    env = dict(os.environ, SWORD_PATH=os.path.join(pkg, 'usr/share/sword'))
    try:
        imp = subprocess.run(['mod2imp', src['module']], env=env, capture_output=True,
                             check=True).stdout.decode('utf-8', 'replace')
    except FileNotFoundError:
        die('mod2imp is missing: install libsword-utils (scripts/install-deps.sh)')
    chapter, text = None, []

    def done():
        paras = [norm(p) for p in ''.join(text).split('\n')]
        return [p for p in paras if p]

    key = re.compile(r'^\$\$\$(.+?) (\d+):(\d+)$')
    cur = None
    for line in imp.split('\n'):
        if line.startswith('$$$'):
            m = key.match(line)
            cur = (m.group(1), int(m.group(2))) if m and int(m.group(2)) > 0 else None
            if cur != chapter and cur is not None:
                if chapter is not None:
                    yield '%s %d' % chapter, done()
                chapter, text = cur, []
            continue
        if cur is None or chapter is None:
            continue
        v = OsisVerse()
        v.feed(line)
        v.close()
        text.append(''.join(v.out) + ' ')
    if chapter is not None:
        yield '%s %d' % chapter, done()


# ------------------------------------------------------------------ dictd dictionaries

B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'


def b64num(s):
    n = 0
    for c in s:
        n = n * 64 + B64.index(c)
    return n


def extract_dictd(src, root):
    """A dictd database: the .index gives each entry's offset and length in the
    .dict.dz (gzip).  An entry that contains any of the recipe's
    "drop_entries_with" strings is left out whole (dict-gcide: every entry with
    a block tagged [WordNet 1.5]).  Each blank-line separated block of an entry
    is a paragraph, its first line's headword and pronunciation removed (GCIDE
    "Word \\Pro*nun"ci*a`tion\\, n. [Etym.]"; Devil "WORD, n."), bracketed
    source tags ([1913 Webster]) and {braces} removed.  Entries are grouped
    into documents of "entries_per_doc" consecutive index entries."""
    import gzip
    pkg = os.path.join(root, src['package'])
    base = os.path.join(pkg, src['dict'])
    with gzip.open(base + '.dict.dz', 'rb') as fh:
        data = fh.read()
    seen = set()
    entries = []
    with open(base + '.index', encoding='utf-8', errors='replace') as fh:
        for line in fh:
            f = line.rstrip('\n').split('\t')
            if len(f) < 3 or f[0].startswith('00-database') or f[0].startswith('00database'):
                continue
            off, ln = b64num(f[1]), b64num(f[2])
            if (off, ln) in seen:
                continue
            seen.add((off, ln))
            entries.append((off, ln))
    entries.sort()
    drop = src.get('drop_entries_with', [])
    per = src.get('entries_per_doc', 50)
    head_gcide = re.compile(r'^[^\\]*\\[^\\]*\\,?\s*(?:(?:[a-z]+\.\s*)+)?(?:\[[^\]]*\]\s*)?')
    head_devil = re.compile(r'^[A-Z][A-Z \'-]*,\s*(?:[a-z]+\.\s*)+')
    doc, docs_n = [], 0
    dropped = 0
    for i, (off, ln) in enumerate(entries):
        text = data[off:off + ln].decode('utf-8', 'replace')
        if any(d in text for d in drop):
            dropped += 1
            continue
        blocks = re.split(r'\n\s*\n', text)
        for bi, b in enumerate(blocks):
            if re.match(r'^\s{2,}\S', b) and src.get('drop_indented'):
                continue   # verse quotations (Devil) and aligned lists
            t = norm(b)
            if bi == 0:
                t = head_gcide.sub('', t) if src.get('style') == 'gcide' else head_devil.sub('', t)
            t = re.sub(r'\[[^\]]*\]', '', t)
            t = t.replace('{', '').replace('}', '')
            t = re.sub(r'\s--\s?[A-Z][\w. ]*$', '', t)  # a trailing citation: --Shak.
            t = norm(t)
            if t:
                doc.append(t)
        if (i + 1) % per == 0 and doc:
            yield '%s:%d' % (src['dict'], docs_n), doc
            doc, docs_n = [], docs_n + 1
    if doc:
        yield '%s:%d' % (src['dict'], docs_n), doc
    sys.stderr.write('corpus.py: %s: %d entries left out (%s)\n' % (src['name'], dropped, ', '.join(drop) or '-'))


EXTRACTORS = {
    'html': extract_html, 'mallard': extract_mallard, 'pod': extract_pod, 'brown': extract_brown,
    'nlp-corpus': extract_nlp, 'sotu': extract_sotu, 'moby-dick': extract_moby_dick,
    'cdda-json': extract_cdda, 'endless-sky': extract_endless_sky, 'sword': extract_sword,
    'dictd': extract_dictd,
}


# ------------------------------------------------------------------ clean + split

def doc_hash(name, doc_id):
    return int(hashlib.sha1((name + '\0' + doc_id).encode('utf-8')).hexdigest()[:8], 16)


def split_of(recipe, src, h):
    sp = dict(recipe['split'])
    sp.update(src.get('split', {}))
    p = h % 100
    if p < sp['calib_percent']:
        return 'calib'
    if p < sp['calib_percent'] + sp['heldout_percent']:
        return 'heldout'
    return 'train'


def cmd_clean(a):
    recipe = load_recipe(a.recipe)
    src = source_of(recipe, a.source)
    kind = src['kind']
    if kind not in EXTRACTORS:
        die('source %s: unknown kind %r' % (src['name'], kind))
    sentence_end = src.get('sentence_end', False)
    min_words = src.get('min_words', MIN_WORDS)
    seen = set()
    docs = []
    raw_paras = kept_paras = dup_paras = 0
    for doc_id, paras in EXTRACTORS[kind](src, a.root):
        out = []
        for p in paras:
            p = norm(html.unescape(p) if kind in ('endless-sky', 'dictd') else p)
            raw_paras += 1
            if not is_prose(p, sentence_end, min_words):
                continue
            k = p.lower()
            if k in seen:
                dup_paras += 1
                continue
            seen.add(k)
            out.append(p)
        if out:
            kept_paras += len(out)
            docs.append((doc_hash(src['name'], doc_id), doc_id, out))
    if not docs:
        die('source %s: no prose found under %s' % (src['name'], a.root))
    splits = {'train': [], 'calib': [], 'heldout': []}
    for h, doc_id, paras in docs:
        splits[split_of(recipe, src, h)].append((h, doc_id, paras))
    cap = src.get('max_train_words')
    capped = 0
    if cap:
        keep, n = [], 0
        for d in sorted(splits['train']):
            w = sum(len(p.split(' ')) for p in d[2])
            if n + w > cap and keep:
                capped += 1
                continue
            keep.append(d)
            n += w
        kept = set(id(d) for d in keep)
        splits['train'] = [d for d in splits['train'] if id(d) in kept]
    summary = {'source': src['name'], 'package': src['package'], 'domain': src['domain'],
               'paragraphs_extracted': raw_paras, 'paragraphs_kept': kept_paras,
               'paragraphs_duplicate': dup_paras, 'train_documents_over_cap': capped}
    for name, ds in splits.items():
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        summary[name] = {'documents': len(ds), 'words': 0}
        if not ds:   # no empty files: synth.js takes every *.txt as a source
            if os.path.exists(os.path.join(d, src['name'] + '.txt')):
                os.remove(os.path.join(d, src['name'] + '.txt'))
            continue
        tmp = os.path.join(d, src['name'] + '.txt.tmp')
        words = 0
        with open(tmp, 'w', encoding='utf-8') as fh:
            for i, (_, _, paras) in enumerate(ds):   # documents in package order
                if i:
                    fh.write('\n')
                for p in paras:
                    fh.write(p + '\n')
                    words += len(p.split(' '))
        os.replace(tmp, os.path.join(d, src['name'] + '.txt'))
        summary[name] = {'documents': len(ds), 'words': words}
    print(json.dumps(summary))


# ------------------------------------------------------------------ selection

def csv(s):
    return [x for x in (s or '').split(',') if x]


def selected(recipe, a):
    doms, xdoms, xsrcs = csv(a.domain), csv(a.exclude_domain), csv(a.exclude_source)
    names = [s['name'] for s in recipe['sources']]
    domains = sorted(set(s['domain'] for s in recipe['sources']))
    for x in xsrcs:
        if x not in names:
            die('unknown source %r (sources: %s)' % (x, ', '.join(names)))
    for x in doms + xdoms:
        if x not in domains:
            die('unknown domain %r (domains: %s)' % (x, ', '.join(domains)))
    out = []
    for s in recipe['sources']:
        if doms and s['domain'] not in doms:
            continue
        if s['domain'] in xdoms or s['name'] in xsrcs:
            continue
        if s.get('train', True) is False and getattr(a, 'split', 'train') == 'train':
            continue
        out.append(s)
    return out


def cmd_files(a):
    recipe = load_recipe(a.recipe)
    for s in selected(recipe, a):
        f = os.path.join(a.corpus, a.split, s['name'] + '.txt')
        if os.path.exists(f) and os.path.getsize(f) > 0:
            print(f)


def cmd_train_text(a):
    """Writes the selected training text to OUT/SOURCE.txt (same format).
    With --budget WORDS, each source keeps its share of the budget (budget x
    its words / all selected words): its documents are taken in order of
    their hash until the share is reached, so a smaller model keeps the
    mixture; --budget 0 copies everything."""
    recipe = load_recipe(a.recipe)
    a.split = 'train'
    srcs = selected(recipe, a)
    os.makedirs(a.out, exist_ok=True)
    files = [(s['name'], os.path.join(a.corpus, 'train', s['name'] + '.txt')) for s in srcs]
    files = [(n, f) for n, f in files if os.path.exists(f)]
    if not files:
        die('no training text left after the exclusions')
    docs = {}
    total = 0
    for n, f in files:
        with open(f, encoding='utf-8') as fh:
            ds = [d.strip('\n') for d in fh.read().split('\n\n') if d.strip()]
        docs[n] = ds
        total += sum(len(d.split()) for d in ds)
    share = min(1.0, a.budget / max(total, 1)) if a.budget else 1.0
    for n, _ in files:
        ds = docs[n]
        if share < 1.0:
            want = share * sum(len(d.split()) for d in ds)
            order = sorted(range(len(ds)), key=lambda i: doc_hash(n, str(i)))
            got, take = 0, []
            for i in order:
                if got >= want:
                    break
                take.append(i)
                got += len(ds[i].split())
            ds = [ds[i] for i in sorted(take)]
        with open(os.path.join(a.out, n + '.txt'), 'w', encoding='utf-8') as fh:
            fh.write('\n\n'.join(ds) + '\n')


def cmd_plan(a):
    """What fetch-corpus.sh needs, tab-separated: "package REGISTRY NAME
    VERSION LICENCE EXCLUDES" lines (EXCLUDES: tar patterns not unpacked), then "source NAME PACKAGE DOMAIN KEY" lines where
    KEY changes whenever the source's recipe entry, the split rule, the
    package's version or scripts/corpus.py change (the source is cleaned
    again then)."""
    recipe = load_recipe(a.recipe)
    with open(os.path.abspath(__file__), 'rb') as fh:
        code = hashlib.sha1(fh.read()).hexdigest()
    pk = recipe['packages']
    used = []
    for s in recipe['sources']:
        if s['package'] not in pk:
            die('source %s: package %s is not in "packages"' % (s['name'], s['package']))
        if s['package'] not in used:
            used.append(s['package'])
    for name in used:
        p = pk[name]
        print('\t'.join(['package', p['registry'], name, p['version'], p['licence'],
                         ' '.join(p.get('extract_exclude', []))]))
    for s in recipe['sources']:
        key = hashlib.sha1(json.dumps([s, recipe['split'], recipe['cleaning'], pk[s['package']], code],
                                      sort_keys=True).encode()).hexdigest()[:16]
        print('\t'.join(['source', s['name'], s['package'], s['domain'], key]))


def cmd_summary(a):
    """Joins the per-source JSON summaries (DIR/stamps/NAME.json) into one
    JSON object keyed by source, in recipe order, with the package's version
    as fetched (DIR/x/PACKAGE/.version) and licence."""
    recipe = load_recipe(a.recipe)
    out = {}
    for s in recipe['sources']:
        f = os.path.join(a.corpus, 'stamps', s['name'] + '.json')
        with open(f, encoding='utf-8') as fh:
            d = json.load(fh)
        vf = os.path.join(a.corpus, 'x', s['package'], '.version')
        d['version'] = open(vf).read().strip() if os.path.exists(vf) else None
        d['recipe_version'] = recipe['packages'][s['package']]['version']
        d['licence'] = recipe['packages'][s['package']]['licence']
        d['registry'] = recipe['packages'][s['package']]['registry']
        d['why'] = s.get('why', '')
        out[s['name']] = d
    print(json.dumps(out, indent=1))


def cmd_domains(a):
    recipe = load_recipe(a.recipe)
    doms = {}
    for s in recipe['sources']:
        doms.setdefault(s['domain'], []).append(s['name'])
    for d in sorted(doms):
        print(d + '\t' + ','.join(doms[d]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('clean')
    c.add_argument('--recipe', required=True)
    c.add_argument('--source', required=True)
    c.add_argument('--root', required=True)
    c.add_argument('--out', required=True)
    for name in ('files', 'train-text'):
        f = sub.add_parser(name)
        f.add_argument('--recipe', required=True)
        f.add_argument('--corpus', required=True)
        if name == 'files':
            f.add_argument('--split', required=True, choices=['train', 'calib', 'heldout'])
        else:
            f.add_argument('--budget', type=int, default=0)
            f.add_argument('--out', required=True)
        f.add_argument('--domain', default='')
        f.add_argument('--exclude-domain', default='')
        f.add_argument('--exclude-source', default='')
    d = sub.add_parser('domains')
    d.add_argument('--recipe', required=True)
    pl = sub.add_parser('plan')
    pl.add_argument('--recipe', required=True)
    sm = sub.add_parser('summary')
    sm.add_argument('--recipe', required=True)
    sm.add_argument('--corpus', required=True)
    a = ap.parse_args()
    {'clean': cmd_clean, 'files': cmd_files, 'train-text': cmd_train_text,
     'domains': cmd_domains, 'plan': cmd_plan, 'summary': cmd_summary}[a.cmd](a)


if __name__ == '__main__':
    main()
