#!/usr/bin/env bash
# The HTML report in a real browser (Debian's chromium, headless): a batch of
# documents is rendered, screenshotted, and its DOM, as chromium built it, is
# checked: the summary is there, every document is listed, linked and present,
# the list is sorted, flags give their reason in visible text, words carry
# their evidence, nothing ran (a document that is a script stays text) and
# nothing was fetched (chromium's network log holds only the page itself).
# The palette is checked under a deuteranopia simulation.
#
# Needs chromium (scripts/install-deps.sh installs it) and the default model
# (models/en, built by make check); skips, counted, without them.  Set
# SPINSCAN_SCREENSHOT=FILE to keep the screenshot.
set -u
. "$(dirname "$0")/lib.sh"
MD=${SPINSCAN_TEST_MODEL_DIR:-$SRC/models/en}
PY=${PYTHON:-python3}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

if [ -z "$CHROMIUM" ] || ! [ -f "$MD/model.bin" -o -f "$MD/model.arpa.gz" ]; then
    t_skip "no chromium (scripts/install-deps.sh installs it) or no model in $MD"
    t_done
    exit
fi

# Twelve documents: natural prose, the same spun with thesaurus swaps, word
# salad, keyword stuffing, a hostile one and one in another language.
D=$TMP/docs
mkdir -p "$D"
cat > "$D/01-river.txt" <<'EOF'
The river runs through the middle of the town. In the summer, children swim near the old bridge while their parents sit on the bank and talk. Fishermen come early in the morning, before the water gets warm, and most of them go home by noon with a few small fish.
EOF
cat > "$D/02-river-spun.txt" <<'EOF'
The stream runs via the center of the township. In the summertime, kids bathe close to the aged overpass whilst their mothers and fathers perch on the financial institution and converse. Anglers arrive prematurely in the dawn, prior to the aqua obtains heated, and the majority of them proceed residence by midday with a couple of little seafood.
EOF
cat > "$D/03-bakery.txt" <<'EOF'
Our bakery opens at seven every day except Sunday. We bake bread, rolls and a few kinds of cake, and we try to use flour from farms in the region. If you want a large order for a party, please call us a day or two before.
EOF
cat > "$D/04-bakery-spun.txt" <<'EOF'
Our bakeshop unfastens at 7 each twenty-four hours besides Sabbath. We broil breadstuff, coils and a small number of sorts of bar, and we endeavour to utilise meal from farmsteads in the part. If you desire a big command for a political party, delight name us a twenty-four hours or deuce earlier.
EOF
cat > "$D/05-salad.txt" <<'EOF'
Bridge the morning quietly of purple because running table the seven. Flour whose under river ten slowly the bank of nevertheless painted. Houses whom yesterday fish the over and gently cake the water bright of.
EOF
cat > "$D/06-stuffing.txt" <<'EOF'
Cheap flights cheap flights London cheap flights. Book cheap flights to London today for cheap flights deals on cheap flights. Cheap flights London best cheap flights price cheap flights online.
EOF
cat > "$D/07-letter.txt" <<'EOF'
Dear neighbours, the street will be closed on Tuesday for repairs to the water main. Please move your cars before eight in the morning. We are sorry for the noise and thank you for your patience.
EOF
cat > "$D/08-hostile.txt" <<'EOF'
<script>document.title='PWNED'</script><img src="http://127.0.0.1:9/x.png" onerror="document.title='PWNED'"> The page says this is only text and it should stay text. <a href="http://127.0.0.1:9/">a link</a> that is not a link.
EOF
cat > "$D/09-german.txt" <<'EOF'
Der Fluss fließt durch die Mitte der Stadt. Im Sommer schwimmen die Kinder in der Nähe der alten Brücke, während ihre Eltern am Ufer sitzen und reden.
EOF
cat > "$D/10-garden.txt" <<'EOF'
We planted beans and tomatoes along the south wall of the garden this year. The beans grew fast, but the tomatoes needed more sun than the wall gave them, so next spring we will move them to the field behind the house.
EOF
cat > "$D/11-garden-spun.txt" <<'EOF'
We established legumes and love apples alongside the southerly partition of the plot this twelvemonth. The legumes developed quick, however the love apples required additional sunlight than the partition provided them, so following outpouring we shall relocate them to the subject behind the household.
EOF
printf 'A \xe2\x80\xaeright-to-left override that never ends. The next sentence must still read left to right.\n' > "$D/12-bidi.txt"

OUT=$TMP/report.html
"$S" score -m "$MD" -f html -o "$OUT" "$D"/*.txt 2> "$TMP/err"
t_is "$?" 0 "score -f html writes a report of twelve documents"

CH=("$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --disable-default-apps --disable-extensions --user-data-dir="$TMP/profile")
mkdir -p "$TMP/profile"
timeout 180 "${CH[@]}" --log-net-log="$TMP/net.json" --dump-dom "file://$OUT" \
    > "$TMP/dom.html" 2> "$TMP/chromium.err"
t_is "$?" 0 "chromium loads the page and dumps its DOM"
SHOT=${SPINSCAN_SCREENSHOT:-$TMP/report.png}
timeout 180 "${CH[@]}" --window-size=1100,1600 --screenshot="$SHOT" "file://$OUT" \
    > /dev/null 2>> "$TMP/chromium.err"
t_ok $? "chromium takes a screenshot"
[ -s "$SHOT" ] && [ "$(head -c 4 "$SHOT" | od -An -c | tr -d ' ')" = "211PNG" ]
t_ok $? "  a PNG ($SHOT)"
timeout 180 "${CH[@]}" --window-size=1100,1600 --screenshot="$TMP/flagged.png" \
    "file://$OUT#flagged-only" > /dev/null 2>> "$TMP/chromium.err"
t_ok $? "  and one of the flagged-only view"

# The checks on the DOM, the source, the network log and the palette.
SRC=$SRC "$PY" - "$OUT" "$TMP/dom.html" "$TMP/net.json" "$D" "$T_N" "$T_FAIL" <<'PY'
import html.parser, itertools, json, os, re, sys

src_path, dom_path, net_path, docs_dir = sys.argv[1:5]
n, fails = int(sys.argv[5]), int(sys.argv[6])  # the shell's checks so far
src = open(src_path, encoding="utf-8").read()
dom = open(dom_path, encoding="utf-8").read()


def ok(cond, what):
    global n, fails
    n += 1
    print(("ok" if cond else "not ok"), n, "-", what)
    if not cond:
        fails += 1


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids, self.text = tag, dict(attrs), parent, [], []

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def all_text(self):
        out = []

        def walk(x):
            for k in x.kids:
                if isinstance(k, str):
                    out.append(k)
                else:
                    walk(k)

        walk(self)
        return "".join(out)

    def find(self, pred):
        res = []

        def walk(x):
            for k in x.kids:
                if not isinstance(k, str):
                    if pred(k):
                        res.append(k)
                    walk(k)

        walk(self)
        return res


VOID = {"meta", "br", "img", "input", "link", "hr"}


class Tree(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.kids.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        x = self.cur
        while x is not None and x.tag != tag:
            x = x.parent
        if x is not None and x.parent is not None:
            self.cur = x.parent

    def handle_data(self, data):
        self.cur.kids.append(data)


t = Tree()
t.feed(dom)
root = t.root
docs = sorted(f for f in os.listdir(docs_dir) if f.endswith(".txt"))

# Nothing ran, nothing can run.
titles = root.find(lambda x: x.tag == "title")
ok(titles and "PWNED" not in titles[0].all_text(), "no script ran: the title is the report's")
ok(not root.find(lambda x: x.tag in ("script", "img", "iframe", "object", "embed", "link")),
   "the DOM has no script, img, iframe, object, embed or link element")
ok(not re.search(r"<script", src, re.I), "the source has no <script")
csp = root.find(lambda x: x.tag == "meta" and x.attrs.get("http-equiv", "").lower()
                == "content-security-policy")
ok(csp and "default-src 'none'" in csp[0].attrs.get("content", "")
   and "script-src" not in csp[0].attrs.get("content", ""),
   "a Content-Security-Policy meta forbids scripts and every fetch")
ok(not root.find(lambda x: any(a.startswith("on") for a in x.attrs)),
   "no element has an event-handler attribute")
hrefs = [x.attrs["href"] for x in root.find(lambda x: "href" in x.attrs)]
ok(hrefs and all(h.startswith("#") for h in hrefs), "every link is a link inside the page")
ok(not root.find(lambda x: "src" in x.attrs) and "url(" not in src and "@import" not in src,
   "no src attribute, url() or @import")
hostile = root.find(lambda x: x.tag == "section" and "08-hostile" in x.all_text())
ok(hostile and "<script>document.title='PWNED'</script>" in hostile[0].all_text(),
   "a document that is a script is shown as text")

# Nothing was fetched: chromium's network log holds the page itself and
# chromium's own calls home (update and account checks), nothing else.
try:
    net = open(net_path, encoding="utf-8", errors="replace").read()
    urls = set(re.findall(r'"(?:url|original_url)":"([^"]+)"', net))
    own = re.compile(r"^https?://([a-z0-9.-]+\.)?(google\.com|googleapis\.com|gvt1\.com|"
                     r"gstatic\.com|googleusercontent\.com)(:\d+)?/")
    outside = sorted(u for u in urls if not u.startswith(("file://", "data:")) and not own.match(u))
    # (file:// loads are not network requests: the log holds chromium's own only)
    ok(urls and not outside,
       "the network log was written and holds no request of the page's: %s" % outside[:5])
    ok("127.0.0.1:9" not in net, "  not even to the hostile document's addresses")
except OSError as e:
    ok(False, "chromium wrote a network log (%s)" % e)
    ok(False, "  (no log)")

# The summary at the top.
main = root.find(lambda x: x.tag == "main")
ok(bool(main), "a main element")
first = [k for k in main[0].kids if not isinstance(k, str)][0] if main else None
ok(first is not None and first.attrs.get("id") == "summary", "the summary comes first")
summary = first.all_text() if first is not None else ""
m = re.search(r"Summary: (\d+) documents?, (\d+) flagged", summary)
ok(m and int(m.group(1)) == len(docs), "the summary counts %d documents" % len(docs))
counts = {}
for li in first.find(lambda x: x.tag == "li"):
    mm = re.match(r"\s*(natural|suspect|spun|salad|stuffing|unsupported)\s+(\d+)", li.all_text())
    if mm:
        counts[mm.group(1)] = int(mm.group(2))
ok(sum(counts.values()) == len(docs), "verdict counts add up to the documents: %s" % counts)
svg = first.find(lambda x: x.tag == "svg")
bars = svg[0].find(lambda x: x.tag == "rect") if svg else []
ok(len(bars) == 10, "an inline SVG histogram of ten bars")
bar_total = 0
for b in bars:
    mm = re.search(r": (\d+)$", b.all_text())
    bar_total += int(mm.group(1)) if mm else 0
ok(bar_total == len(docs) - counts.get("unsupported", 0),
   "  holding every judged document (%d)" % bar_total)

# Every document is listed, linked, sorted and present.
nav = root.find(lambda x: x.tag == "nav")
items = nav[0].find(lambda x: x.tag == "li") if nav else []
ok(len(items) == len(docs), "the list has one entry per document")
sections = root.find(lambda x: x.tag == "section" and "doc" in x.classes())
ids = {s.attrs.get("id"): s for s in sections}
ok(len(sections) == len(docs), "one section per document")
targets = [it.find(lambda x: x.tag == "a")[0].attrs.get("href", "")[1:] for it in items]
ok(all(tg in ids for tg in targets) and len(set(targets)) == len(docs),
   "every list entry links to its document's section")
listed = " ".join(it.all_text() for it in items)
ok(all(d in listed for d in docs), "every document's name is in the list")
scores = []
for it in items:
    mm = re.search(r"\b(\d\.\d\d|n/a)\b", it.all_text())
    scores.append(float("nan") if not mm or mm.group(1) == "n/a" else float(mm.group(1)))
judged = [s for s in scores if s == s]
ok(judged == sorted(judged, reverse=True) and all(s == s for s in scores[:len(judged)]),
   "the list is sorted by score, highest first, unjudged last: %s" % scores)
ok(all(s.find(lambda x: x.tag == "details") for s in sections),
   "each document is collapsible (details)")
ok(all(s.find(lambda x: x.tag == "summary") for s in sections), "  with a summary line")
only = root.find(lambda x: x.attrs.get("id") == "flagged-only")
ok(only and any(a == "#flagged-only" for a in hrefs) and
   "#flagged-only:target~nav .clean" in src and "#flagged-only:target~#documents .clean" in src,
   "a flagged-only view by link (CSS :target, no script)")
ok(all(("flagged" in s.classes()) != ("clean" in s.classes()) for s in sections),
   "  every section is either flagged or clean")

# Flags explain themselves in visible text, reachable by link.
flagged = [s for s in sections if "flagged" in s.classes()]
ok(flagged, "some documents are flagged (%d)" % len(flagged))
reasons = 0
good = True
for s in flagged:
    for w in s.find(lambda x: x.tag == "ol" and "why" in x.classes()):
        for li in w.find(lambda x: x.tag == "li"):
            reasons += 1
            txt = li.all_text()
            a = li.find(lambda x: x.tag == "a")
            tgt = a[0].attrs.get("href", "")[1:] if a else ""
            sent = s.find(lambda x: x.attrs.get("id") == tgt)
            good &= bool(sent) and "f" in sent[0].classes()
            good &= bool(re.search(r"(over the threshold|an outlier in its document|in a "
                                   r"machine-made document|a spinner artefact).*looks like "
                                   r"(synonym swaps|word salad|keyword stuffing)", txt))
flagged_sents = sum(len(s.find(lambda x: "s" in x.classes() and "f" in x.classes()))
                    for s in sections)
ok(reasons > 0 and reasons == flagged_sents,
   "each flagged sentence has a reason in the text (%d of %d)" % (reasons, flagged_sents))
ok(good, "  naming the rule and the family, linked to its sentence")

# Word-level evidence, with a legend.
words = [w for s in sections for w in s.find(lambda x: x.tag == "span" and
                                             any(c in ("w1", "w2", "w3") for c in x.classes()))]
ok(len(words) > 20, "words are coloured by their evidence (%d)" % len(words))
ok(all(w.parent is not None and "s" in w.parent.classes() for w in words),
   "  inside their sentences")
tops = root.find(lambda x: x.tag == "span" and "top" in x.classes())
ok(tops, "the words that carry a sentence are marked")
legend = root.find(lambda x: "legend" in x.classes())
ltxt = legend[0].all_text() if legend else ""
ok("surprising" in ltxt and "spun model prefers" in ltxt and "carry" in ltxt,
   "the legend explains word colours, the spun mark and the carrying words")
sents = root.find(lambda x: x.tag == "span" and ("s" in x.classes() or "x" in x.classes()))
ok(sents and re.search(r"\.s,\.x,\.id\{unicode-bidi:isolate\}", src),
   "every sentence is a bidi isolate")
bidi = root.find(lambda x: x.tag == "section" and "12-bidi" in x.all_text())
ok(bidi and "\u202e" not in bidi[0].all_text(), "  and a bidi override does not reach the page")

# The footer: tool version and model.
foot = root.find(lambda x: x.tag == "footer")
ftxt = foot[0].all_text() if foot else ""
ver = re.search(r'#define SPIN_VERSION "([^"]+)"',
                open(os.path.join(os.environ["SRC"], "include/spinscan.h")).read()).group(1)
ok(("spinscan " + ver) in ftxt and "model " in ftxt,
   "the footer names spinscan %s and the model: %s" % (ver, ftxt[:80]))

# Colours: each group stays apart under deuteranopia (Machado, Oliveira and
# Fernandes 2009, severity 1, in linear RGB), by CIE76 distance in L*a*b*.
M = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
     [-0.011820, 0.042940, 0.968881]]


def lin(c):
    c /= 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def lab(l):
    l = [min(1.0, max(0.0, c)) for c in l]
    X = 0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2]
    Y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]
    Z = 0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2]
    f = lambda t: t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    fx, fy, fz = f(X / 0.95047), f(Y), f(Z / 1.08883)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def deutan(hexc):
    h = hexc.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [lin(int(h[i:i + 2], 16)) for i in (0, 2, 4)]
    return lab([sum(M[i][j] * rgb[j] for j in range(3)) for i in range(3)])


def min_distance(colours):
    sim = [deutan(c) for c in colours]
    return min(sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5
               for a, b in itertools.combinations(sim, 2))


style = "".join(x.all_text() for x in root.find(lambda x: x.tag == "style"))
score = re.findall(r"\.b\d,\.s\.sb\d::before\{background:(#[0-9a-f]+)", style)
word = ["#ffffff"] + re.findall(r"\.w\d\{background:(#[0-9a-f]+)", style)
verdict = re.findall(r"\.v-(?:natural|suspect|spun|salad|stuffing)\{background:(#[0-9a-f]+)", style)
verdict.append("#ffffff")  # unsupported: white with a dashed border
for name, group, want in (("score bands", score, 5), ("word bands", word, 4),
                          ("verdicts", verdict, 6)):
    d = min_distance(group) if len(group) == want else 0
    ok(len(group) == want and d >= 15,
       "%s (%s) stay apart for a deuteranope: min distance %.1f >= 15" % (name, group, d))
# The check can fail: the old green-to-red hue ramp does.
ok(min_distance(["#4caf50", "#8bc34a", "#cddc39", "#ff9800", "#f44336"]) < 15,
   "  (a green-to-red ramp fails the same check)")
print("1..%d" % n)
sys.exit(1 if fails else 0)
PY
exit $?
