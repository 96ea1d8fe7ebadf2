#!/usr/bin/env node
// synth.js - synthetic spun text, word salad and keyword stuffing for
// calibrating and evaluating spinscan.
//
//   node scripts/synth.js --source DIR --thesaurus WORDS.txt --seed N --out OUTDIR
//                         [--docs N] [--classes LIST] [--min-units 8] [--max-units 20]
//
// SOURCE.  Every DIR/*.txt (sorted by name) is one source file of a corpus
// split (models/corpus/heldout or models/corpus/calib, see
// scripts/fetch-corpus.sh).  An empty line separates documents.  Each line is
// cut into sentences by a small rule (a '.', '!' or '?', optionally followed by
// closing quotes or brackets, then white space and an upper-case letter or an
// opening quote, unless the word before is a common abbreviation or an
// initial); each sentence is one UNIT.  Long documents are cut into chunks of
// consecutive units, each 8..20 units long (uniformly drawn; a remainder
// shorter than the minimum is dropped).  A chunk is a SOURCE DOCUMENT.
// --docs N source documents (default 200) are drawn from the chunks, taking
// the source files in turn so that each corpus contributes equally, without
// repetition; every class is made from the same N source documents ("paired"),
// so OUTDIR/natural/X.txt and OUTDIR/spun40/X.txt are two versions of one text.
//
// OUTPUT.  OUTDIR/<class>/<id>.txt, one unit per line (spinscan's segmenter
// never joins lines, so units stay apart), and OUTDIR/labels.tsv, one line per
// file, no header, tab-separated:
//   path         relative to OUTDIR, e.g. spun40/nlp-0007.txt
//   class        one of the classes below
//   doc_label    0 for natural, 1 for every other class
//   unit_labels  one character 0/1 per line of the file, in order
//   source       where the text came from: FILE:LINE-LINE of the source split
// Unit labels are TRUE labels: a line is 1 exactly when this script changed it
// or made it up, and 0 when it is the source unit unchanged.  So a line of a
// spun20 document in which the spinner happened to replace no word is 0 even
// though the document is 1.  For mixed documents the 1s are exactly the spun
// units.  OUTDIR/manifest.json records the arguments and the counts.
//
// CLASSES (default: all, in this order):
//   natural        the source document unchanged.
//   spun20, spun40, spun60
//                  a sense-blind, morphology-blind spinner.  ELIGIBLE words are
//                  whole tokens (maximal runs of letters, digits, apostrophes
//                  and hyphens) made of 3 or more ASCII letters only, not in
//                  the stopword list below, whose lower-case form is a Moby
//                  headword with at least one synonym other than itself.
//                  Exactly round(rate x eligible words of the document) of them,
//                  chosen uniformly without replacement over the whole
//                  document, are replaced, each by a synonym drawn uniformly
//                  from the headword's whole Moby list (all senses; multi-word
//                  synonyms allowed).  Case: an all-capital word (2+ letters)
//                  gets an all-capital synonym, a capitalised word a synonym
//                  with a capital first letter, else the synonym as listed.
//                  Nothing else (punctuation, spacing, other tokens) changes.
//   salad_shuffle  in each sentence of each unit the space-separated tokens are
//                  put in a uniformly random order different from the original
//                  (when one exists); terminal punctuation (a last token of
//                  only punctuation, or the trailing .!? with closing quotes of
//                  the last token) stays at the end.  The multiset of words is
//                  kept.
//   salad_markov   one line per source unit, made by a bigram Markov chain over
//                  space-separated tokens (punctuation attached as written),
//                  trained on every unit of every document of the whole source
//                  split, so the vocabulary is the split's.  Each line starts
//                  from the sentence-start state and runs for exactly as many
//                  tokens as the source unit it stands for (so lengths match
//                  the source's); a sentence end reached earlier restarts the
//                  chain; '.' is appended when the last token does not end in
//                  . ! or ? (with closing quotes).
//   stuffing       2..4 keywords or keyphrases: either frequent content words of
//                  the document (1-word, or a 2-word phrase of two of them), or
//                  phrases of one made-up spam topic (insurance, casino, diet
//                  pills, loans, ...), or a mix of both.  They are injected
//                  densely: into ~90% of the units a keyword (sometimes
//                  decorated: "best X", "cheap X", "X online", "top X", "X
//                  tips", "X reviews") is inserted every 3..7 tokens, plain,
//                  between commas or in brackets; and 1 or 2 stuffed lines
//                  (keyword lists, tag lines, "related searches", bare
//                  repetition, a "Looking for X?" teaser) are added at the
//                  start, the end or in between.  Half of the documents are
//                  stuffed SPARSELY instead (issue 14: the dense ones taught the
//                  detector repetition counts that sparse stuffing does not
//                  have): one keyphrase (2 or 3 words, possibly decorated) is
//                  pasted 2..5 times, each time into a different unit at a
//                  random word boundary, and nothing else changes.
//   mixed          the natural document in which k units are spun, k drawn
//                  uniformly from ceil(0.2 U)..floor(0.4 U) for U units, chosen
//                  among the units with 2 or more eligible words; in each, a
//                  rate r drawn uniformly from 0.4..0.6 of its eligible words
//                  (at least one) is replaced as in spunNN.  Unit labels: 1
//                  for exactly those units.  A source document with too few
//                  such units gives no mixed document (counted in manifest.json).
//
// Deterministic: a PRNG of its own (mulberry32) seeded from a string hash of
// (seed, purpose, class, id), so one document's text does not depend on which
// other classes or documents are made.  Same arguments, same bytes.
'use strict';
const fs = require('fs');
const path = require('path');

const ALL_CLASSES = ['natural', 'spun20', 'spun40', 'spun60', 'salad_shuffle', 'salad_markov', 'stuffing', 'mixed'];

// ---------------------------------------------------------------- PRNG
function hashString(s) { // FNV-1a then a murmur3 finaliser: a 32-bit seed
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
    return h >>> 0;
}
function rngFor(...parts) {
    let a = hashString(parts.join('\u0001'));
    const next = () => { // mulberry32
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
    next.pick = arr => arr[Math.floor(next() * arr.length)];
    next.shuffle = arr => { for (let i = arr.length - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [arr[i], arr[j]] = [arr[j], arr[i]]; } return arr; };
    next.sample = (arr, k) => next.shuffle(arr.slice()).slice(0, k);
    return next;
}

// ---------------------------------------------------------------- words
// Function words never replaced or used as keywords (written for this script).
const STOPWORDS = new Set((
    'a an the and or but nor so yet for if then than that this these those there here ' +
    'i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself ' +
    'she her hers herself it its itself they them their theirs themselves one ones ' +
    'who whom whose which what whatever whoever whichever when where why how whether while ' +
    'am is are was were be been being have has had having do does did doing done ' +
    'will would shall should can could may might must ought ' +
    'not no yes nor never ever also too very just only even still already again ' +
    'of in on at by to from with without within into onto upon about above below over under ' +
    'after before between among through throughout during since until till via per ' +
    'against across along around behind beside besides beyond toward towards near off out up down ' +
    'all any both each either neither every few many much more most less least some such ' +
    'other another same own several enough whose ' +
    'because although though unless whereas however therefore thus hence ' +
    'now soon often always sometimes perhaps maybe rather quite almost ' +
    'mr mrs ms dr st etc ' +
    'two three four five six seven eight nine ten first second third ' +
    "don't can't won't isn't aren't wasn't weren't it's that's"
).split(/\s+/).filter(Boolean));

const TOKEN_RE = /[\p{L}\p{N}'\u2019-]+|[^\p{L}\p{N}'\u2019-]+/gu;
const isWordToken = t => /^[\p{L}\p{N}'\u2019-]+$/u.test(t);

function loadThesaurus(file) {
    const map = new Map();
    for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
        if (!line) continue;
        const parts = line.split(',');
        const head = parts[0].trim().toLowerCase();
        if (!head) continue;
        let set = map.get(head);
        if (!set) map.set(head, set = new Set());
        for (const s of parts.slice(1)) {
            const t = s.trim();
            if (t && t.toLowerCase() !== head) set.add(t);
        }
    }
    const out = new Map();
    for (const [k, v] of map) if (v.size) out.set(k, [...v]);
    return out;
}

function isEligible(tok, thes) {
    if (!/^[A-Za-z]{3,}$/.test(tok)) return false;
    const lw = tok.toLowerCase();
    return !STOPWORDS.has(lw) && thes.has(lw);
}

function matchCase(orig, syn) {
    if (orig.length >= 2 && orig === orig.toUpperCase()) return syn.toUpperCase();
    if (orig[0] === orig[0].toUpperCase()) return syn[0].toUpperCase() + syn.slice(1);
    return syn;
}

// Units -> [{unit, tokens, eligible: [token indexes]}]
function analyse(units, thes) {
    return units.map(u => {
        const tokens = u.match(TOKEN_RE) || [];
        const eligible = [];
        tokens.forEach((t, i) => { if (isEligible(t, thes)) eligible.push(i); });
        return { tokens, eligible };
    });
}

// Adjective-like words (a list written for this script, plus suffixes) for the
// inversion artifact; a heuristic, as a spinner's own rules are.
const ADJECTIVES = new Set((
    'free good new great small large big high low early late long short old young important ' +
    'common simple easy hard strong weak full main major minor real true clear quick fast slow ' +
    'deep wide rich poor safe certain recent local public private special general natural ' +
    'healthy fresh whole regular normal serious severe mild chronic acute effective popular'
).split(' '));
const ADJ_SUFFIX = /(ful|ous|ive|able|ible|ical|less|ant|ent|ary|al|ic)$/;
const isAdjective = w => ADJECTIVES.has(w.toLowerCase()) || (w.length > 5 && ADJ_SUFFIX.test(w.toLowerCase()));
const isPlainWord = t => t !== undefined && /^[A-Za-z]+$/.test(t) && !STOPWORDS.has(t.toLowerCase());

// Replace the chosen (unit, token) positions by random synonyms.  With
// 'artifacts' > 0 (calibration and the spun model's text only; the evaluation
// spinner keeps it 0), each replacement instead leaves, with that probability,
// one of the marks that real article spinners leave behind:
// - a spintax overlap that repeats the word: "pain" -> "pain, pain" or
//   "pain, ache";
// - an adjective moved behind its noun phrase: "free blood circulation" ->
//   "blood circulation that is free" (the adjective itself may be swapped).
function spinPositions(an, positions, thes, rng, artifacts = 0) {
    const toks = an.map(a => a.tokens.slice());
    for (const [u, i] of positions) {
        const t = toks[u], orig = t[i];
        if (!thes.has(orig.toLowerCase())) continue; /* consumed by an inversion */
        const syn = matchCase(orig, rng.pick(thes.get(orig.toLowerCase())));
        if (artifacts > 0 && rng() < artifacts) {
            if (isAdjective(orig) && t[i + 1] === ' ' && isPlainWord(t[i + 2])) {
                let end = i + 2;
                if (t[end + 1] === ' ' && isPlainWord(t[end + 2])) end += 2;
                const adj = rng() < 0.5 ? orig : syn;
                t[end] += ' that is ' + adj.toLowerCase();
                t[i] = '';
                t[i + 1] = '';
                if (i === 0 && t[i + 2]) t[i + 2] = t[i + 2][0].toUpperCase() + t[i + 2].slice(1);
                continue;
            }
            /* Overlapping spintax alternatives repeat the word itself ("pain,
             * pain") or put two of its variants side by side ("pain, ache"). */
            t[i] = orig + ', ' + (rng() < 0.5 ? orig.toLowerCase() : syn.toLowerCase());
            continue;
        }
        t[i] = syn;
    }
    return toks.map(t => t.join(''));
}

// ---------------------------------------------------------------- source
const ABBREV = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'gen', 'gov', 'sen', 'rep', 'col', 'capt', 'lt',
    'sgt', 'prof', 'rev', 'hon', 'vs', 'no', 'co', 'inc', 'ltd', 'corp', 'dept', 'jan', 'feb', 'mar', 'apr', 'jun',
    'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'u.s', 'u.k', 'e.g', 'i.e', 'etc', 'fig', 'vol', 'mt', 'ft']);
function splitSentences(line) {
    const out = [];
    const re = /[.!?]+["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]?[A-Z])/g;
    let start = 0, m;
    while ((m = re.exec(line))) {
        const before = line.slice(start, m.index);
        const lastWord = (before.match(/([A-Za-z.]+)$/) || ['', ''])[1].toLowerCase();
        if (line[m.index] === '.' && (ABBREV.has(lastWord) || /^[a-z]$/.test(lastWord))) continue;
        const end = m.index + m[0].length;
        const s = line.slice(start, end).trim();
        if (s) out.push(s);
        start = end;
    }
    const rest = line.slice(start).trim();
    if (rest) out.push(rest);
    return out;
}

function readSource(dir) {
    const files = fs.readdirSync(dir).filter(f => f.endsWith('.txt')).sort();
    if (!files.length) throw new Error(dir + ': no .txt files');
    const sources = []; // per file: {name, docs: [{units: [{text, line}]}]}
    for (const f of files) {
        const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
        const docs = [];
        let cur = [];
        lines.forEach((raw, i) => {
            const line = raw.replace(/\r$/, '').replace(/\s+/g, ' ').trim();
            if (!line) { if (cur.length) docs.push(cur); cur = []; return; }
            for (const s of splitSentences(line)) cur.push({ text: s, line: i + 1 });
        });
        if (cur.length) docs.push(cur);
        sources.push({ name: f.replace(/\.txt$/, ''), file: f, docs });
    }
    return sources;
}

function chunkSources(sources, seed, minU, maxU) {
    const pools = [];
    for (const src of sources) {
        const rng = rngFor(seed, 'chunk', src.file);
        const chunks = [];
        src.docs.forEach(doc => {
            let i = 0;
            while (doc.length - i >= minU) {
                const n = Math.min(rng.int(minU, maxU), doc.length - i);
                chunks.push({ src: src.file, units: doc.slice(i, i + n) });
                i += n;
            }
        });
        pools.push({ name: src.name, chunks: rngFor(seed, 'order', src.file).shuffle(chunks) });
    }
    return pools;
}

function selectDocs(pools, n) {
    const picked = [], next = pools.map(() => 0), count = pools.map(() => 0);
    while (picked.length < n) {
        let progressed = false;
        for (let p = 0; p < pools.length && picked.length < n; p++) {
            if (next[p] >= pools[p].chunks.length) continue;
            const c = pools[p].chunks[next[p]++];
            count[p]++;
            picked.push({ ...c, id: pools[p].name + '-' + String(count[p]).padStart(4, '0') });
            progressed = true;
        }
        if (!progressed) break;
    }
    return picked;
}

// ---------------------------------------------------------------- classes
function makeSpun(doc, rate, thes, rng, artifacts = 0) {
    const an = analyse(doc.units.map(u => u.text), thes);
    const all = [];
    an.forEach((a, u) => a.eligible.forEach(i => all.push([u, i])));
    const k = Math.round(rate * all.length);
    return spinPositions(an, rng.sample(all, k), thes, rng, artifacts);
}

function makeMixed(doc, thes, rng, artifacts = 0) {
    const units = doc.units.map(u => u.text);
    const an = analyse(units, thes);
    const U = units.length;
    const lo = Math.ceil(0.2 * U - 1e-9), hi = Math.floor(0.4 * U + 1e-9);
    const candidates = [];
    an.forEach((a, u) => { if (a.eligible.length >= 2) candidates.push(u); });
    if (hi < lo || candidates.length < lo) return null;
    const k = rng.int(lo, Math.min(hi, candidates.length));
    const chosen = rng.sample(candidates, k);
    const positions = [];
    for (const u of chosen) {
        const r = 0.4 + 0.2 * rng();
        const e = an[u].eligible;
        const n = Math.max(1, Math.round(r * e.length));
        for (const i of rng.sample(e, n)) positions.push([u, i]);
    }
    const lines = spinPositions(an, positions, thes, rng, artifacts);
    const set = new Set(chosen);
    return { lines, labels: units.map((_, u) => (set.has(u) ? '1' : '0')) };
}

const TERM_TOKEN = /^[.!?;:'"\u201d\u2019)\]]+$/;
const TERM_TAIL = /[.!?]+["'\u201d\u2019)\]]*$/;
function shuffleSentence(s, rng) {
    const toks = s.split(' ').filter(Boolean);
    let tail = '';
    if (toks.length && TERM_TOKEN.test(toks[toks.length - 1]) && toks.length > 1) {
        tail = ' ' + toks.pop();
    } else if (toks.length) {
        const m = toks[toks.length - 1].match(TERM_TAIL);
        if (m && m.index > 0) { tail = m[0]; toks[toks.length - 1] = toks[toks.length - 1].slice(0, m.index); }
    }
    const orig = toks.join(' ');
    let out = toks;
    if (new Set(toks).size > 1) {
        for (let tries = 0; tries < 20; tries++) {
            out = rng.shuffle(toks.slice());
            if (out.join(' ') !== orig) break;
        }
    }
    return out.join(' ') + tail;
}

function makeShuffle(doc, rng) {
    return doc.units.map(u => splitSentences(u.text).map(s => shuffleSentence(s, rng)).join(' '));
}

function buildMarkov(sources) {
    const next = new Map(); // token -> array of successors (with repeats)
    const add = (a, b) => { let l = next.get(a); if (!l) next.set(a, l = []); l.push(b); };
    for (const src of sources) for (const doc of src.docs) for (const u of doc) {
        const toks = u.text.split(' ').filter(Boolean);
        let prev = '<s>';
        for (const t of toks) { add(prev, t); prev = t; }
        add(prev, '</s>');
    }
    return next;
}

function markovLine(chain, len, rng) {
    const out = [];
    let prev = '<s>';
    const ends = t => /[.!?]["'\u201d\u2019)\]]*$/.test(t);
    while (out.length < len) {
        const succ = chain.get(prev);
        const t = succ ? rng.pick(succ) : '</s>';
        if (t === '</s>') { prev = '<s>'; continue; }
        out.push(t);
        prev = t;
    }
    if (!ends(out[out.length - 1])) out[out.length - 1] += '.';
    return out.join(' ');
}

function makeMarkov(doc, chain, rng) {
    return doc.units.map(u => markovLine(chain, Math.max(1, u.text.split(' ').filter(Boolean).length), rng));
}

// Spam topics for keyword stuffing (phrases written for this script).
const TOPICS = [
    ['cheap car insurance', 'car insurance quotes', 'auto insurance', 'low cost insurance', 'insurance deals'],
    ['weight loss', 'diet pills', 'lose weight fast', 'fat burner', 'slimming tea'],
    ['online casino', 'casino bonus', 'free spins', 'slot games', 'jackpot'],
    ['payday loans', 'fast cash', 'bad credit loans', 'instant approval', 'personal loans'],
    ['replica watches', 'luxury watches', 'cheap watches', 'watch deals', 'designer watches'],
    ['web hosting', 'cheap hosting', 'domain names', 'hosting plans', 'vps hosting'],
    ['back pain relief', 'natural remedies', 'joint pain', 'pain relief', 'herbal supplements'],
    ['seo services', 'link building', 'rank higher', 'search engine optimization', 'backlinks'],
    ['cheap flights', 'hotel deals', 'travel deals', 'last minute flights', 'vacation packages'],
    ['essay writing service', 'buy essays', 'homework help', 'cheap essays', 'term papers'],
    ['crypto trading', 'bitcoin profits', 'trading signals', 'passive income', 'make money online'],
    ['dating site', 'meet singles', 'free dating', 'local singles', 'online dating'],
];
const DECOR = [k => k, k => k, k => k, k => 'best ' + k, k => 'cheap ' + k, k => k + ' online', k => 'top ' + k,
    k => k + ' tips', k => k + ' reviews', k => 'affordable ' + k, k => k + ' near me'];

function docKeywords(doc, rng) {
    const freq = new Map(), first = new Map();
    let pos = 0;
    for (const u of doc.units) for (const t of u.text.match(/[A-Za-z]+/g) || []) {
        const w = t.toLowerCase();
        pos++;
        if (w.length < 4 || STOPWORDS.has(w)) continue;
        freq.set(w, (freq.get(w) || 0) + 1);
        if (!first.has(w)) first.set(w, pos);
    }
    const ranked = [...freq.keys()].sort((a, b) => freq.get(b) - freq.get(a) || first.get(a) - first.get(b)).slice(0, 6);
    return ranked.length ? ranked : ['quality', 'service'];
}

function chooseKeywords(doc, rng) {
    const mode = rng.pick(['doc', 'topic', 'both']);
    const n = rng.int(2, 4);
    const words = docKeywords(doc, rng);
    const topic = rng.pick(TOPICS);
    const fromDoc = k => {
        const ws = rng.sample(words, Math.min(words.length, k + 1));
        const kws = ws.slice(0, k);
        if (ws.length > 1 && rng() < 0.5) kws[0] = ws[0] + ' ' + ws[ws.length - 1]; // a 2-word keyphrase
        return kws;
    };
    if (mode === 'doc') return fromDoc(n);
    if (mode === 'topic') return rng.sample(topic, n);
    const t = rng.int(1, n - 1);
    return [...rng.sample(topic, t), ...fromDoc(n - t)];
}

function stuffedLine(kws, rng) {
    const k = () => rng.pick(kws);
    const d = () => rng.pick(DECOR)(k());
    const list = n => Array.from({ length: n }, d);
    const cap = s => s[0].toUpperCase() + s.slice(1);
    switch (rng.int(0, 6)) {
    case 0: return 'Keywords: ' + list(rng.int(5, 9)).join(', ');
    case 1: return 'Tags: ' + list(rng.int(5, 8)).join(' | ');
    case 2: return 'Related searches: ' + list(rng.int(4, 7)).join(', ') + '.';
    case 3: return Array.from({ length: rng.int(8, 14) }, k).join(' ');
    case 4: { const a = k(); return `Looking for ${a}? Find the best ${a}, ${d()} and ${d()} right here, ${d()}!`; }
    case 5: return list(rng.int(5, 8)).map(cap).join(' - ');
    default: { const a = k(), b = k(); return `${cap(a)} ${a} ${b}: ${d()}, ${d()}, ${a} ${b}, ${d()}.`; }
    }
}

function injectKeywords(text, kws, rng) {
    const toks = text.split(' ').filter(Boolean);
    if (toks.length < 3) return text;
    let tail = [];
    if (TERM_TOKEN.test(toks[toks.length - 1])) tail = [toks.pop()];
    const gapLo = rng.int(3, 5), gapHi = gapLo + 2;
    const out = [];
    let gap = rng.int(1, gapHi);
    for (let i = 0; i < toks.length; i++) {
        out.push(toks[i]);
        if (--gap === 0 && i < toks.length - 1) {
            const kw = rng.pick(DECOR)(rng.pick(kws));
            const style = rng();
            if (style < 0.55) out.push(kw);
            else if (style < 0.85) { out[out.length - 1] += ','; out.push(kw + ','); }
            else out.push('(' + kw + ')');
            gap = rng.int(gapLo, gapHi);
        }
    }
    return out.concat(tail).join(' ');
}

function makeSparseStuffing(doc, kws, rng) {
    let phrase = kws.find(k => k.includes(' ')) || kws.slice(0, 2).join(' ');
    phrase = rng.pick(DECOR)(phrase);
    const lines = doc.units.map(u => u.text), labels = lines.map(() => '0');
    const times = Math.min(rng.int(2, 5), lines.length);
    for (const at of rng.sample([...lines.keys()], times)) {
        const toks = lines[at].split(' ').filter(Boolean);
        const pos = rng.int(0, toks.length - 1);
        toks.splice(pos, 0, pos === 0 ? phrase[0].toUpperCase() + phrase.slice(1) : phrase);
        if (pos === 0 && toks.length > 1) toks[1] = toks[1][0].toLowerCase() + toks[1].slice(1);
        lines[at] = toks.join(' ');
        labels[at] = '1';
    }
    return { lines, labels };
}

function makeStuffing(doc, rng) {
    const kws = chooseKeywords(doc, rng);
    if (rng() < 0.5) return makeSparseStuffing(doc, kws, rng);
    const lines = [], labels = [];
    for (const u of doc.units) {
        const t = rng() < 0.9 ? injectKeywords(u.text, kws, rng) : u.text;
        lines.push(t);
        labels.push(t === u.text ? '0' : '1');
    }
    const extra = rng.int(1, 2);
    for (let e = 0; e < extra; e++) {
        const where = rng();
        const at = where < 0.4 ? 0 : where < 0.8 ? lines.length : rng.int(1, lines.length - 1);
        lines.splice(at, 0, stuffedLine(kws, rng));
        labels.splice(at, 0, '1');
    }
    return { lines, labels };
}

// ---------------------------------------------------------------- main
function usage(msg) {
    if (msg) process.stderr.write('synth.js: ' + msg + '\n');
    (msg ? process.stderr : process.stdout).write(
        'usage: node scripts/synth.js --source DIR --thesaurus WORDS.txt --seed N --out OUTDIR\n' +
        '                          [--docs N] [--classes ' + ALL_CLASSES.join(',') + '] [--min-units 8] [--max-units 20]\n' +
        '       node scripts/synth.js --spin-corpus RATE --source DIR --thesaurus WORDS.txt --seed N --out FILE\n' +
        '       (both: [--artifacts RATE], spinner marks: repeated words, inverted adjectives; default 0)\n' +
        (msg ? '' : 'Makes synthetic spun, word-salad and keyword-stuffed documents with labels;\n' +
            'the classes and the output format are described at the top of scripts/synth.js.\n'));
    process.exit(msg ? 2 : 0);
}

function parseArgs(argv) {
    const o = { docs: 200, classes: ALL_CLASSES.slice(), minUnits: 8, maxUnits: 20, artifacts: 0 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i], v = () => { if (i + 1 >= argv.length) usage(a + ' needs a value'); return argv[++i]; };
        const int = () => { const s = v(); if (!/^\d+$/.test(s)) usage(a + ': not a non-negative integer: ' + s); return Number(s); };
        switch (a) {
        case '--source': o.source = v(); break;
        case '--thesaurus': o.thesaurus = v(); break;
        case '--seed': o.seed = int(); break;
        case '--out': o.out = v(); break;
        case '--docs': o.docs = int(); break;
        case '--min-units': o.minUnits = int(); break;
        case '--max-units': o.maxUnits = int(); break;
        case '--artifacts': {
            const r = Number(v());
            if (!(r >= 0 && r <= 1)) usage('--artifacts needs a rate in [0, 1]');
            o.artifacts = r;
            break;
        }
        case '--spin-corpus': {
            const r = Number(v());
            if (!(r > 0 && r <= 1)) usage('--spin-corpus needs a rate in (0, 1]');
            o.spinCorpus = r;
            break;
        }
        case '--classes':
            o.classes = v().split(',').filter(Boolean);
            for (const c of o.classes) if (!ALL_CLASSES.includes(c)) usage('unknown class: ' + c);
            break;
        case '-h': case '--help': usage();
        default: usage('unknown argument: ' + a);
        }
    }
    for (const k of ['source', 'thesaurus', 'seed', 'out']) if (o[k] === undefined) usage('--' + k + ' is required');
    if (o.minUnits < 1 || o.maxUnits < o.minUnits) usage('need 1 <= --min-units <= --max-units');
    return o;
}

// --spin-corpus: every line of every DIR/*.txt, spun at RATE by the same
// spinner as the spun classes (each line on its own, seeded by file and line),
// written to one file with the same lines.  This is the training text of the
// "spun" language model whose likelihood ratio against the natural model is a
// detector feature (scripts/build-detector.sh).
function spinCorpus(o, thes) {
    const files = fs.readdirSync(o.source).filter(f => f.endsWith('.txt')).sort();
    if (!files.length) throw new Error(o.source + ': no .txt files');
    const tmp = o.out + '.tmp';
    const fd = fs.openSync(tmp, 'w');
    let lines = 0;
    for (const f of files) {
        const text = fs.readFileSync(path.join(o.source, f), 'utf8').split('\n');
        if (text.length && text[text.length - 1] === '') text.pop();
        const out = text.map((line, i) => {
            if (!line.trim()) return line;
            ++lines;
            return makeSpun({ units: [{ text: line }] }, o.spinCorpus, thes, rngFor(o.seed, 'corpus', f, i),
                o.artifacts)[0];
        });
        fs.writeSync(fd, out.join('\n') + '\n');
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, o.out);
    process.stderr.write(`synth.js: ${lines} lines of ${o.source} spun at ${o.spinCorpus} into ${o.out}\n`);
}

function main() {
    const o = parseArgs(process.argv.slice(2));
    const thes = loadThesaurus(o.thesaurus);
    if (o.spinCorpus) return spinCorpus(o, thes);
    const sources = readSource(o.source);
    const docs = selectDocs(chunkSources(sources, o.seed, o.minUnits, o.maxUnits), o.docs);
    if (docs.length < o.docs) process.stderr.write(`synth.js: only ${docs.length} source documents available (asked ${o.docs})\n`);
    const chain = o.classes.includes('salad_markov') ? buildMarkov(sources) : null;

    fs.mkdirSync(o.out, { recursive: true });
    for (const c of ALL_CLASSES) fs.rmSync(path.join(o.out, c), { recursive: true, force: true });
    const rows = [], counts = {}, skipped = {};
    for (const c of o.classes) {
        fs.mkdirSync(path.join(o.out, c), { recursive: true });
        counts[c] = 0; skipped[c] = 0;
        for (const doc of docs) {
            const rng = rngFor(o.seed, 'class', c, doc.id);
            const src = doc.units.map(u => u.text);
            let lines, labels;
            if (c === 'natural') lines = src;
            else if (c.startsWith('spun')) lines = makeSpun(doc, Number(c.slice(4)) / 100, thes, rng, o.artifacts);
            else if (c === 'salad_shuffle') lines = makeShuffle(doc, rng);
            else if (c === 'salad_markov') lines = makeMarkov(doc, chain, rng);
            else if (c === 'stuffing') ({ lines, labels } = makeStuffing(doc, rng));
            else if (c === 'mixed') {
                const m = makeMixed(doc, thes, rng, o.artifacts);
                if (!m) { skipped[c]++; continue; }
                ({ lines, labels } = m);
            }
            if (!labels) labels = lines.map((l, i) => (c === 'salad_markov' || l !== src[i] ? '1' : '0'));
            const rel = c + '/' + doc.id + '.txt';
            fs.writeFileSync(path.join(o.out, rel), lines.join('\n') + '\n');
            const first = doc.units[0].line, last = doc.units[doc.units.length - 1].line;
            rows.push([rel, c, c === 'natural' ? 0 : 1, labels.join(''), `${doc.src}:${first}-${last}`].join('\t'));
            counts[c]++;
        }
    }
    fs.writeFileSync(path.join(o.out, 'labels.tsv'), rows.join('\n') + (rows.length ? '\n' : ''));
    const manifest = {
        generator: 'scripts/synth.js', seed: o.seed, source: o.source, thesaurus: o.thesaurus, artifacts: o.artifacts,
        source_files: sources.map(s => s.file), min_units: o.minUnits, max_units: o.maxUnits,
        source_documents: docs.length, classes: o.classes, documents: counts, skipped,
        units: docs.reduce((n, d) => n + d.units.length, 0),
    };
    fs.writeFileSync(path.join(o.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    process.stderr.write(`synth.js: ${rows.length} documents in ${o.out} (${docs.length} source documents x ${o.classes.length} classes` +
        (skipped.mixed ? `, ${skipped.mixed} without a mixed version` : '') + ')\n');
}

if (require.main === module) main();
// The building blocks scripts/evalgen.js reuses (same definitions, same PRNG).
module.exports = { rngFor, hashString, STOPWORDS, TOKEN_RE, isWordToken, loadThesaurus, isEligible, matchCase, analyse,
    spinPositions, splitSentences, readSource, chunkSources, selectDocs, makeSpun, makeMixed, makeShuffle, makeStuffing, TOPICS,
    docKeywords };
