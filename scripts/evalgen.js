#!/usr/bin/env node
// evalgen.js - the documents of the evaluation matrix (scripts/eval.sh):
// natural text of one domain, and the same text spun, rewritten, salad-ed or
// stuffed by spinners and generators defined exactly below.
//
//   node scripts/evalgen.js --source DIR --thesaurus WORDS.txt --pos POS.txt --freq DIR
//                           --seed N --out OUTDIR [--docs N] [--classes LIST]
//                           [--min-units 8] [--max-units 20]
//
// SOURCE.  DIR/*.txt of one domain, read as scripts/synth.js reads its source
// (an empty line between documents, sentences cut by synth.js's rule, each
// sentence one UNIT; documents cut into chunks of 8..20 units, --docs chunks
// drawn with the files taken in turn).  Every class is made from the same
// source documents ("paired"): OUTDIR/natural/X.txt and OUTDIR/careful/X.txt
// are two versions of one text.  THESAURUS is a words.txt of
// scripts/fetch-thesauri.sh (one line per sense, "headword,syn1,..."; a
// headword's first line is its first sense).  POS.txt gives each word's parts
// of speech (n, v, adj, adv).  --freq DIR: every DIR/*.txt (the LM's training
// text) gives the word frequency list the careful spinner prefers common
// words by (or --freq FILE.tsv, "word<TAB>count" lines: writeFreq()).
//
// OUTPUT.  OUTDIR/<class>/<id>.txt: the units of a document joined by one
// space into paragraphs of 4 units, paragraphs separated by an empty line
// (the detector must find the sentences itself).  OUTDIR/labels.tsv, one line
// per file, tab-separated:
//   path  class  doc_label (0 natural, 1 otherwise)  unit_labels (one 0/1 per
//   unit)  source (FILE:LINE-LINE)  spans
// where spans lists each unit's byte range in the file and label,
// "START-END:LABEL" separated by commas (END exclusive, UTF-8 bytes).  A unit
// is labelled 1 exactly when this script changed or made it up.
//
// Words.  A WORD is a whole token (synth.js: a maximal run of letters, digits,
// apostrophes and hyphens) of 3 or more ASCII letters, not in synth.js's
// stopword list.  A word is ELIGIBLE for a spinner when the spinner has a
// replacement for it.  Case of a replacement follows synth.js (all capitals,
// capitalised, or as listed).
//
// CLASSES (default: all, in this order):
//   natural      the source document unchanged.
//   blind10, blind20, blind40
//                the sense-blind spinner of synth.js's spunNN: eligible = the
//                word's lower-case form is a headword; exactly round(rate x
//                eligible words) of the document, drawn uniformly, are each
//                replaced by a synonym drawn uniformly from all lines (senses)
//                of the headword, multi-word synonyms included; inflection
//                is not kept (a sense-blind spinner does not know it).
//   careful      a careful spinner.  For a word w it finds (lemma, suffix):
//                suffix one of "", s, ed, ing, er, est, ly, lemma a headword
//                with inflect(lemma, suffix) == w (the inflection rules of
//                inflect() below: -s/-es/-ies, -d/-ed/-ied and consonant
//                doubling, -ing with e-dropping and doubling, -er/-est,
//                -ly/-ily/-ally/-le>-ly); a suffixed analysis is preferred to
//                "".  Part of speech required: the lemma's parts of speech in
//                POS.txt, restricted by the suffix (s: n or v; ed, ing: v;
//                er, est: adj; ly: adj, the adverb's base) and, for "", by
//                the word before (after a determiner or possessive: n or adj;
//                after "to" or a modal: v).  Sense: of the lemma's lines, the
//                one whose single-word synonyms with a required part of
//                speech have the highest summed frequency in --freq (the most
//                frequent sense; for Moby, one line of all senses).
//                Candidates: those single lower-case words, not stopwords,
//                whose own lines list the lemma too (synonyms both ways), seen
//                at least 3 times in --freq, whose inflected form is seen in
//                --freq at least once; the 3 most frequent are kept and one is
//                drawn with probability proportional to its frequency.  The
//                replacement is inflect(candidate, suffix).  A word is
//                eligible when it has a candidate and is not capitalised after
//                the first word of its unit (a name); exactly round(0.30 x
//                eligible words) of the document are replaced.
//   phrase       phrase rewrites as commercial spinners do them, each match
//                (left to right, not overlapping) rewritten with probability
//                0.5:  ADJ NOUN -> "NOUN that is ADJ" ("that are" after a
//                plural noun ending in s), ADJ a word whose only part of
//                speech is adj, NOUN a word with n among its parts of speech
//                (a plural ending in s by its singular when it has no entry),
//                followed by punctuation, the end, or a stopword;  "X and Y"
//                -> "Y and X" for two words sharing a part of speech;  "the X
//                of the Y" -> "the Y's X" for two nouns.  Then round(0.15 x
//                eligible words) of the remaining words are replaced by the
//                careful spinner.
//   artefacts    spinner artefacts only, nothing else changed (the other
//                classes never contain them): in round(0.3 x units) units (at
//                least 1) with a word of 4+ letters, one word w gets one
//                artefact, drawn uniformly: a repeated word "w, w"; two
//                variants side by side "w, s" (s a sense-blind synonym of w,
//                else "w, w"); a repeated list item "w, s, and w" (s a
//                synonym, else another word of the unit).
//   salad_trigram
//                one sentence per source unit from a word-trigram Markov chain
//                over space-separated tokens (punctuation attached as
//                written), trained on every unit of the whole --source DIR
//                (the same domain as the natural documents).  A sentence runs
//                from the start state to the end state (at most 60 tokens);
//                a sentence equal to a training unit (a verbatim copy) or
//                shorter than 4 tokens is rejected and drawn again (up to 200
//                times; then the unit is left out).
//   shuffle      synth.js's salad_shuffle: the tokens of each sentence in a
//                random order.
//   stuff_sparse one SEO phrase (drawn from synth.js's spam topics, or a
//                2-word phrase of the document's most frequent content words)
//                inserted n times, n uniform in 2..5, into n distinct units
//                drawn uniformly, each at a place drawn uniformly from: as a
//                sentence opener ("Best running shoes, the ..."), after a
//                word in mid-sentence, or after the last word before the final
//                punctuation.
//   stuff_dense  synth.js's stuffing (dense keywords, keyword-list lines): the
//                easy class.
//   mixed        synth.js's mixed: k units, k uniform in ceil(0.2 U)..floor(0.4
//                U), among units with 2+ eligible words, each spun sense-blind
//                at a rate uniform in 0.4..0.6; labelled 1 exactly there.
//
// Deterministic (synth.js's PRNG seeded by seed, class and document id).
'use strict';
const fs = require('fs');
const path = require('path');
const S = require('./synth.js');

const ALL_CLASSES = ['natural', 'blind10', 'blind20', 'blind40', 'careful', 'phrase', 'artefacts', 'salad_trigram',
    'shuffle', 'stuff_sparse', 'stuff_dense', 'mixed'];
// Classes that use the thesaurus (made once per thesaurus in the matrix).
const THESAURUS_CLASSES = ['blind10', 'blind20', 'blind40', 'careful', 'phrase', 'artefacts', 'mixed'];

// ---------------------------------------------------------------- inflection
const VOW = 'aeiou';
const cvc = w => /^[^aeiou]*[aeiou][^aeiouwxy]$/.test(w); // one-syllable consonant-vowel-consonant: doubled
function inflect(w, suf) {
    if (!suf) return w;
    switch (suf) {
    case 's': return /(s|x|z|ch|sh)$/.test(w) ? w + 'es' : /[^aeiou]y$/.test(w) ? w.slice(0, -1) + 'ies' : w + 's';
    case 'ed': return /e$/.test(w) ? w + 'd' : /[^aeiou]y$/.test(w) ? w.slice(0, -1) + 'ied'
        : cvc(w) ? w + w.slice(-1) + 'ed' : w + 'ed';
    case 'ing': return /ie$/.test(w) ? w.slice(0, -2) + 'ying' : /[^e]e$/.test(w) ? w.slice(0, -1) + 'ing'
        : cvc(w) ? w + w.slice(-1) + 'ing' : w + 'ing';
    case 'er': case 'est': return /e$/.test(w) ? w + suf.slice(1) : /[^aeiou]y$/.test(w) ? w.slice(0, -1) + 'i' + suf
        : cvc(w) ? w + w.slice(-1) + suf : w + suf;
    case 'ly': return /[^aeiou]le$/.test(w) ? w.slice(0, -1) + 'y' : /[^aeiou]y$/.test(w) ? w.slice(0, -1) + 'ily'
        : /ic$/.test(w) ? w + 'ally' : w + 'ly';
    default: throw new Error('unknown suffix ' + suf);
    }
}
const SUFFIXES = ['s', 'ed', 'ing', 'er', 'est', 'ly'];
// Possible lemmas of w for a suffix (checked by inflect() afterwards).
function lemmaCandidates(w, suf) {
    const out = [];
    if (!w.endsWith(suf)) return out;
    const b = w.slice(0, -suf.length);
    out.push(b, b + 'e');
    if (/(.)\1$/.test(b)) out.push(b.slice(0, -1));
    if (/i$/.test(b)) out.push(b.slice(0, -1) + 'y');
    if (suf === 's' && /e$/.test(b)) out.push(b.slice(0, -1));
    if (suf === 's' && /ies$/.test(w)) out.push(w.slice(0, -3) + 'y');
    if (suf === 'ing' && /y$/.test(b)) out.push(b.slice(0, -1) + 'ie');
    if (suf === 'ly') { out.push(b.replace(/al$/, ''), b.replace(/i$/, 'y')); if (/[^aeiou]$/.test(b)) out.push(b + 'le'); }
    return out.filter(x => x.length >= 2);
}
const SUFFIX_POS = { s: ['n', 'v'], ed: ['v'], ing: ['v'], er: ['adj'], est: ['adj'], ly: ['adj'] };

// ---------------------------------------------------------------- data
function loadSenses(file) { // headword -> [[syn, ...] per line, in order]
    const map = new Map();
    for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
        if (!line) continue;
        const parts = line.split(',');
        const head = parts[0].trim().toLowerCase();
        if (!head) continue;
        const syns = parts.slice(1).map(s => s.trim()).filter(s => s && s.toLowerCase() !== head);
        if (!syns.length) continue;
        let l = map.get(head);
        if (!l) map.set(head, l = []);
        l.push(syns);
    }
    return map;
}
function loadPos(file) {
    const map = new Map();
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const t = line.indexOf('\t');
        if (t > 0) map.set(line.slice(0, t), line.slice(t + 1).split(','));
    }
    return map;
}
// --freq DIR: count the words of DIR/*.txt; --freq FILE.tsv: "word<TAB>count"
// lines (written by writeFreq, so that many runs count the text once).
function loadFreq(dir) {
    const freq = new Map();
    if (/\.tsv$/.test(dir)) {
        for (const line of fs.readFileSync(dir, 'utf8').split('\n')) {
            const t = line.indexOf('\t');
            if (t > 0) freq.set(line.slice(0, t), Number(line.slice(t + 1)));
        }
        return freq;
    }
    for (const f of fs.readdirSync(dir).filter(x => x.endsWith('.txt')).sort()) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        const re = /[A-Za-z]+/g;
        let m;
        while ((m = re.exec(text))) { const w = m[0].toLowerCase(); freq.set(w, (freq.get(w) || 0) + 1); }
    }
    return freq;
}

function writeFreq(dir, out) {
    const freq = loadFreq(dir);
    const lines = [...freq].filter(([, c]) => c >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    fs.writeFileSync(out + '.tmp', lines.map(([w, c]) => w + '\t' + c).join('\n') + '\n');
    fs.renameSync(out + '.tmp', out);
}

// ---------------------------------------------------------------- careful spinner
const DETERMINERS = new Set(['the', 'a', 'an', 'this', 'that', 'these', 'those', 'his', 'her', 'its', 'their', 'our',
    'my', 'your', 'some', 'any', 'every', 'each', 'no']);
const VERB_CUES = new Set(['to', 'will', 'would', 'can', 'could', 'should', 'may', 'might', 'must', 'shall', 'not',
    "don't", "didn't", "doesn't", "can't", "won't"]);
const isWord = t => t !== undefined && /^[A-Za-z]{3,}$/.test(t) && !S.STOPWORDS.has(t.toLowerCase());

class Careful {
    constructor(senses, pos, freq) { this.senses = senses; this.pos = pos; this.freq = freq; this.cache = new Map(); }
    // c is a synonym of lemma in the other direction too (c's lines list lemma):
    // keeps a sense-mixed list (Moby) to the senses both words share.
    mutual(lemma, c) {
        const l = this.senses.get(c);
        return !!l && l.some(line => line.some(x => x.toLowerCase() === lemma));
    }
    // The candidates for word w (lower case) after the word prev, or null:
    // {suffix, cands: [[word, freq], ...]}.
    analyse(w, prev) {
        const key = w + '\u0001' + (DETERMINERS.has(prev) ? 'd' : VERB_CUES.has(prev) ? 'v' : '');
        if (this.cache.has(key)) return this.cache.get(key);
        let r = null;
        for (const suf of [...SUFFIXES, '']) {
            const lemmas = suf ? lemmaCandidates(w, suf) : [w];
            for (const lemma of lemmas) {
                if (!this.senses.has(lemma) || inflect(lemma, suf) !== w) continue;
                let req = (this.pos.get(lemma) || []).slice();
                if (suf) req = req.filter(p => SUFFIX_POS[suf].includes(p));
                else if (DETERMINERS.has(prev)) req = req.filter(p => p === 'n' || p === 'adj');
                else if (VERB_CUES.has(prev)) req = req.filter(p => p === 'v');
                if (!req.length) continue;
                const ok = c => /^[a-z]+$/.test(c) && c !== lemma && !S.STOPWORDS.has(c) &&
                    (this.pos.get(c) || []).some(p => req.includes(p)) && (this.freq.get(c) || 0) >= 3 &&
                    (this.freq.get(inflect(c, suf)) || 0) >= 1 && this.mutual(lemma, c);
                let best = null, bestSum = -1;
                for (const line of this.senses.get(lemma)) {
                    const cands = line.filter(ok);
                    const sum = cands.reduce((a, c) => a + this.freq.get(c), 0);
                    if (cands.length && sum > bestSum) { best = cands; bestSum = sum; }
                }
                if (!best) continue;
                const top = [...new Set(best)].map(c => [c, this.freq.get(c)])
                    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
                const cands = top.map(([c, f]) => [inflect(c, suf), f]).filter(([c]) => c !== w);
                if (cands.length) { r = { suffix: suf, cands }; break; }
            }
            if (r) break;
        }
        this.cache.set(key, r);
        return r;
    }
    // Eligible words of tokenised units: [u, i, analysis], analysed in the
    // source text (before any replacement changes a word's left neighbour).
    eligible(toks) {
        const out = [];
        toks.forEach((t, u) => t.forEach((tok, i) => {
            const name = /[A-Z]/.test(tok) && prevWord(t, i) !== ''; // a capital after the first word: a name
            const a = isWord(tok) && !name ? this.analyse(tok.toLowerCase(), prevWord(t, i)) : null;
            if (a) out.push([u, i, a]);
        }));
        return out;
    }
    replace(t, i, a, rng) {
        const total = a.cands.reduce((s, c) => s + c[1], 0);
        let x = rng() * total, pick = a.cands[a.cands.length - 1][0];
        for (const [c, f] of a.cands) { if ((x -= f) < 0) { pick = c; break; } }
        t[i] = S.matchCase(t[i], pick);
    }
}
function prevWord(t, i) {
    for (let j = i - 1; j >= 0; j--) if (S.isWordToken(t[j])) return t[j].toLowerCase();
    return '';
}
const tokenise = units => units.map(u => u.match(S.TOKEN_RE) || []);

function makeCareful(units, careful, rate, rng, toks0) {
    const toks = toks0 || tokenise(units);
    const el = careful.eligible(toks);
    const k = Math.round(rate * el.length);
    for (const [u, i, a] of rng.sample(el, k)) careful.replace(toks[u], i, a, rng);
    return toks.map(t => t.join(''));
}

// ---------------------------------------------------------------- phrase rewrites
function hasPos(pos, w, p) { // a plural noun ("lamps") by its singular when the list lacks it
    const l = w.toLowerCase();
    return (pos.get(l) || (/[^s]s$/.test(l) ? pos.get(l.slice(0, -1)) : null) || []).includes(p);
}
function onlyAdj(pos, w) { const p = pos.get(w.toLowerCase()); return !!p && p.length === 1 && p[0] === 'adj'; }
function lowerFirst(w) { return /^[A-Z][a-z]/.test(w) ? w[0].toLowerCase() + w.slice(1) : w; }
function upperFirst(w) { return w[0].toUpperCase() + w.slice(1); }

// Rewrites one unit's tokens in place; returns the number of rewrites.
function rewritePhrases(t, pos, rng) {
    let n = 0;
    for (let i = 0; i < t.length; i++) {
        // the X of the Y -> the Y's X
        if (/^the$/i.test(t[i]) && t[i + 1] === ' ' && isWord(t[i + 2]) && hasPos(pos, t[i + 2], 'n') &&
            t[i + 3] === ' ' && t[i + 4] === 'of' && t[i + 5] === ' ' && t[i + 6] === 'the' && t[i + 7] === ' ' &&
            isWord(t[i + 8]) && hasPos(pos, t[i + 8], 'n') && !/^[A-Za-z'-]/.test(t[i + 9] || '.')) {
            if (rng() < 0.5) {
                const x = t[i + 2], y = t[i + 8];
                const poss = /s$/.test(y) ? y + "'" : y + "'s";
                t.splice(i, 9, t[i], ' ', poss, ' ', x);
                n++;
                i += 4;
            }
            continue;
        }
        // X and Y -> Y and X
        if (isWord(t[i]) && t[i + 1] === ' ' && t[i + 2] === 'and' && t[i + 3] === ' ' && isWord(t[i + 4])) {
            const px = pos.get(t[i].toLowerCase()) || [], py = pos.get(t[i + 4].toLowerCase()) || [];
            if (px.some(p => py.includes(p)) && rng() < 0.5) {
                let x = t[i], y = t[i + 4];
                if (/^[A-Z][a-z]/.test(x) && /^[a-z]/.test(y)) { y = upperFirst(y); x = lowerFirst(x); }
                t[i] = y; t[i + 4] = x;
                n++;
                i += 4;
            }
            continue;
        }
        // ADJ NOUN -> NOUN that is ADJ
        if (isWord(t[i]) && onlyAdj(pos, t[i]) && t[i + 1] === ' ' && isWord(t[i + 2]) && hasPos(pos, t[i + 2], 'n') &&
            (t[i + 3] === undefined || !/^ ?$/.test(t[i + 3]) && !/^[A-Za-z]/.test(t[i + 3]) ||
                t[i + 3] === ' ' && S.STOPWORDS.has((t[i + 4] || '').toLowerCase()))) {
            if (rng() < 0.5) {
                let adj = t[i], noun = t[i + 2];
                if (/^[A-Z][a-z]/.test(adj)) { noun = upperFirst(noun); adj = lowerFirst(adj); }
                const verb = /[^s]s$/.test(noun) ? ' that are ' : ' that is ';
                t.splice(i, 3, noun + verb + adj);
                n++;
            }
        }
    }
    return n;
}

function makePhrase(units, careful, pos, rng) {
    const toks = tokenise(units);
    const changed = toks.map(t => rewritePhrases(t, pos, rng) > 0);
    // Careful synonyms on the rest: rebuild tokens (rewrites joined some).
    const toks2 = toks.map(t => t.join('').match(S.TOKEN_RE) || []);
    const lines = makeCareful(null, careful, 0.15, rng, toks2);
    return { lines, changed };
}

// ---------------------------------------------------------------- artefacts
function makeArtefacts(units, thes, rng) {
    const toks = tokenise(units);
    const cands = [];
    toks.forEach((t, u) => { if (t.some(x => /^[A-Za-z]{4,}$/.test(x) && !S.STOPWORDS.has(x.toLowerCase()))) cands.push(u); });
    const k = Math.min(cands.length, Math.max(1, Math.round(0.3 * units.length)));
    for (const u of rng.sample(cands, k)) {
        const t = toks[u];
        const idx = [];
        t.forEach((x, i) => { if (/^[A-Za-z]{4,}$/.test(x) && !S.STOPWORDS.has(x.toLowerCase())) idx.push(i); });
        const i = rng.pick(idx), w = t[i];
        const syns = (thes.get(w.toLowerCase()) || []).filter(s => /^[a-z][a-z -]*$/.test(s));
        const kind = rng.int(0, 2);
        const lw = w.toLowerCase();
        if (kind === 0 || (kind === 1 && !syns.length)) t[i] = w + ', ' + lw;
        else if (kind === 1) t[i] = w + ', ' + rng.pick(syns);
        else {
            let other = syns.length ? rng.pick(syns) : null;
            if (!other) { const o = idx.filter(j => t[j].toLowerCase() !== lw); other = o.length ? t[rng.pick(o)].toLowerCase() : lw; }
            t[i] = w + ', ' + other + ', and ' + lw;
        }
    }
    return toks.map(t => t.join(''));
}

// ---------------------------------------------------------------- trigram salad
function buildTrigram(sources) {
    const next = new Map(), seen = new Set();
    const add = (a, b, c) => { const k = a + '\u0001' + b; let l = next.get(k); if (!l) next.set(k, l = []); l.push(c); };
    for (const src of sources) for (const doc of src.docs) for (const u of doc) {
        const toks = u.text.split(' ').filter(Boolean);
        seen.add(toks.join(' '));
        let a = '<s>', b = '<s>';
        for (const t of toks) { add(a, b, t); a = b; b = t; }
        add(a, b, '</s>');
    }
    return { next, seen };
}
function trigramSentence(chain, rng) {
    for (let tries = 0; tries < 200; tries++) {
        const out = [];
        let a = '<s>', b = '<s>';
        while (out.length < 60) {
            const succ = chain.next.get(a + '\u0001' + b);
            const t = succ ? rng.pick(succ) : '</s>';
            if (t === '</s>') break;
            out.push(t);
            a = b; b = t;
        }
        const s = out.join(' ');
        if (out.length >= 4 && !chain.seen.has(s)) return s;
    }
    return null;
}
function makeTrigram(units, chain, rng) {
    return units.map(() => trigramSentence(chain, rng)).filter(s => s !== null);
}

// ---------------------------------------------------------------- sparse stuffing
function makeSparse(doc, rng) {
    const units = doc.units.map(u => u.text);
    let phrase;
    if (rng() < 0.5) phrase = rng.pick(rng.pick(S.TOPICS));
    else { const kw = S.docKeywords(doc, rng); phrase = kw.length >= 2 ? kw[0] + ' ' + kw[1] : rng.pick(rng.pick(S.TOPICS)); }
    const n = rng.int(2, 5);
    const us = rng.sample(units.map((_, i) => i), Math.min(n, units.length));
    const lines = units.slice(), changed = units.map(() => false);
    for (const u of us) {
        const toks = lines[u].split(' ');
        const where = rng.int(0, 2);
        if (where === 0 || toks.length < 3) {
            toks[0] = upperFirst(phrase) + ', ' + (/^(I|I'm|I've)$/.test(toks[0]) ? toks[0] : lowerFirst(toks[0]));
        } else if (where === 1) {
            const at = rng.int(1, toks.length - 2); // after word at-1, before the last word
            toks.splice(at, 0, phrase);
        } else {
            const last = toks[toks.length - 1], m = last.match(/[.!?;:]+["'\u201d\u2019)\]]*$/);
            toks[toks.length - 1] = m ? last.slice(0, m.index) + ' ' + phrase + m[0] : last + ' ' + phrase;
        }
        lines[u] = toks.join(' ');
        changed[u] = true;
    }
    return { lines, changed, phrase, count: us.length };
}

// ---------------------------------------------------------------- output
function assemble(lines, labels) { // -> {text, spans}
    let text = '', bytes = 0;
    const spans = [];
    lines.forEach((l, i) => {
        const sep = i === 0 ? '' : i % 4 === 0 ? '\n\n' : ' ';
        text += sep; bytes += Buffer.byteLength(sep);
        const b = Buffer.byteLength(l);
        spans.push(`${bytes}-${bytes + b}:${labels[i]}`);
        text += l; bytes += b;
    });
    return { text: text + '\n', spans: spans.join(',') };
}

function usage(msg) {
    if (msg) process.stderr.write('evalgen.js: ' + msg + '\n');
    (msg ? process.stderr : process.stdout).write(
        'usage: node scripts/evalgen.js --source DIR --thesaurus WORDS.txt --pos POS.txt --freq DIR --seed N --out OUTDIR\n' +
        '                          [--docs N] [--classes ' + ALL_CLASSES.join(',') + '] [--min-units 8] [--max-units 20]\n');
    process.exit(msg ? 2 : 0);
}
function parseArgs(argv) {
    const o = { docs: 100, classes: ALL_CLASSES.slice(), minUnits: 8, maxUnits: 20 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i], v = () => { if (i + 1 >= argv.length) usage(a + ' needs a value'); return argv[++i]; };
        const int = () => { const s = v(); if (!/^\d+$/.test(s)) usage(a + ': not a non-negative integer: ' + s); return Number(s); };
        switch (a) {
        case '--source': o.source = v(); break;
        case '--thesaurus': o.thesaurus = v(); break;
        case '--pos': o.pos = v(); break;
        case '--freq': o.freq = v(); break;
        case '--seed': o.seed = int(); break;
        case '--out': o.out = v(); break;
        case '--docs': o.docs = int(); break;
        case '--min-units': o.minUnits = int(); break;
        case '--max-units': o.maxUnits = int(); break;
        case '--classes':
            o.classes = v().split(',').filter(Boolean);
            for (const c of o.classes) if (!ALL_CLASSES.includes(c)) usage('unknown class: ' + c);
            break;
        case '-h': case '--help': usage(); // falls through (usage exits)
        default: usage('unknown argument: ' + a);
        }
    }
    for (const k of ['source', 'thesaurus', 'pos', 'freq', 'seed', 'out']) if (o[k] === undefined) usage('--' + k + ' is required');
    if (o.minUnits < 1 || o.maxUnits < o.minUnits) usage('need 1 <= --min-units <= --max-units');
    return o;
}

function main() {
    const o = parseArgs(process.argv.slice(2));
    const need = c => o.classes.includes(c);
    const thes = S.loadThesaurus(o.thesaurus);
    const senses = loadSenses(o.thesaurus);
    const pos = loadPos(o.pos);
    const freq = need('careful') || need('phrase') ? loadFreq(o.freq) : new Map();
    const careful = new Careful(senses, pos, freq);
    const sources = S.readSource(o.source);
    const docs = S.selectDocs(S.chunkSources(sources, o.seed, o.minUnits, o.maxUnits), o.docs);
    if (docs.length < o.docs) process.stderr.write(`evalgen.js: only ${docs.length} source documents in ${o.source} (asked ${o.docs})\n`);
    const chain = need('salad_trigram') ? buildTrigram(sources) : null;

    fs.mkdirSync(o.out, { recursive: true });
    const rows = [], counts = {}, skipped = {};
    for (const c of o.classes) {
        fs.rmSync(path.join(o.out, c), { recursive: true, force: true });
        fs.mkdirSync(path.join(o.out, c), { recursive: true });
        counts[c] = 0; skipped[c] = 0;
        for (const doc of docs) {
            const rng = S.rngFor(o.seed, 'evalgen', c, doc.id);
            const src = doc.units.map(u => u.text);
            let lines, labels;
            if (c === 'natural') lines = src;
            else if (c.startsWith('blind')) lines = S.makeSpun(doc, Number(c.slice(5)) / 100, thes, rng, 0);
            else if (c === 'careful') lines = makeCareful(src, careful, 0.30, rng);
            else if (c === 'phrase') lines = makePhrase(src, careful, pos, rng).lines;
            else if (c === 'artefacts') lines = makeArtefacts(src, thes, rng);
            else if (c === 'salad_trigram') { lines = makeTrigram(src, chain, rng); labels = lines.map(() => '1'); }
            else if (c === 'shuffle') lines = S.makeShuffle(doc, rng);
            else if (c === 'stuff_sparse') ({ lines, labels } = (r => ({ lines: r.lines, labels: r.changed.map(x => (x ? '1' : '0')) }))(makeSparse(doc, rng)));
            else if (c === 'stuff_dense') ({ lines, labels } = S.makeStuffing(doc, rng));
            else if (c === 'mixed') {
                const m = S.makeMixed(doc, thes, rng, 0);
                if (!m) { skipped[c]++; continue; }
                ({ lines, labels } = m);
            }
            if (!lines.length) { skipped[c]++; continue; }
            if (!labels) labels = lines.map((l, i) => (l !== src[i] ? '1' : '0'));
            const { text, spans } = assemble(lines, labels);
            const rel = c + '/' + doc.id + '.txt';
            fs.writeFileSync(path.join(o.out, rel), text);
            const first = doc.units[0].line, last = doc.units[doc.units.length - 1].line;
            rows.push([rel, c, c === 'natural' ? 0 : 1, labels.join(''), `${doc.src}:${first}-${last}`, spans].join('\t'));
            counts[c]++;
        }
    }
    fs.writeFileSync(path.join(o.out, 'labels.tsv'), rows.join('\n') + (rows.length ? '\n' : ''));
    fs.writeFileSync(path.join(o.out, 'manifest.json'), JSON.stringify({
        generator: 'scripts/evalgen.js', seed: o.seed, source: o.source, thesaurus: o.thesaurus, pos: o.pos, freq: o.freq,
        min_units: o.minUnits, max_units: o.maxUnits, source_documents: docs.length, classes: o.classes,
        documents: counts, skipped }, null, 2) + '\n');
    process.stderr.write(`evalgen.js: ${rows.length} documents in ${o.out} (${docs.length} source documents x ${o.classes.length} classes)\n`);
}

if (require.main === module) main();
module.exports = { writeFreq, loadFreq, inflect, lemmaCandidates, Careful, rewritePhrases, makeArtefacts, buildTrigram, trigramSentence,
    makeSparse, assemble, loadSenses, loadPos, ALL_CLASSES, THESAURUS_CLASSES };
