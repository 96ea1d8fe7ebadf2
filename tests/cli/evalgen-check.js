#!/usr/bin/env node
// evalgen-check.js - the TAP checks of tests/cli/evalgen.t (which runs this):
// the evaluation's generators (scripts/evalgen.js), thesaurus converter
// (scripts/thesaurus.js) and table writer (scripts/eval-matrix.js) on the
// hand-written fixtures in tests/data/evalgen/.  Not the detector's figures.
//
//   node tests/cli/evalgen-check.js ROOT TMPDIR
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

const [ROOT, TMP] = process.argv.slice(2);
const DATA = path.join(ROOT, 'tests/data/evalgen');
const G = require(path.join(ROOT, 'scripts/evalgen.js'));
const S = require(path.join(ROOT, 'scripts/synth.js'));

let n = 0, failed = 0;
function ok(cond, name, diag) {
    n++;
    if (cond) console.log(`ok ${n} - ${name}`);
    else { failed++; console.log(`not ok ${n} - ${name}`); if (diag) console.log('#   ' + String(diag).split('\n').join('\n#   ')); }
}
function is(got, want, name) {
    const g = JSON.stringify(got), w = JSON.stringify(want);
    ok(g === w, name, `got:  ${g}\nwant: ${w}`);
}

// ---------------------------------------------------------------- inflection
const cases = [['walk', 'ed', 'walked'], ['stop', 'ed', 'stopped'], ['carry', 'ed', 'carried'], ['bake', 'ed', 'baked'],
    ['carry', 's', 'carries'], ['dish', 's', 'dishes'], ['tool', 's', 'tools'], ['make', 'ing', 'making'],
    ['run', 'ing', 'running'], ['tie', 'ing', 'tying'], ['big', 'er', 'bigger'], ['happy', 'est', 'happiest'],
    ['large', 'er', 'larger'], ['happy', 'ly', 'happily'], ['gentle', 'ly', 'gently'], ['basic', 'ly', 'basically'],
    ['quick', 'ly', 'quickly']];
is(cases.map(([w, s]) => G.inflect(w, s)), cases.map(c => c[2]), 'inflect: -s/-ed/-ing/-er/-est/-ly with e-dropping, y->i, doubling');
is(cases.map(([w, s, f]) => G.lemmaCandidates(f, s).includes(w)), cases.map(() => true), 'lemmaCandidates finds the lemma of every inflected form');

// ---------------------------------------------------------------- generate
const out = path.join(TMP, 'set');
const gen = (dir, seed, extra = []) => spawnSync('node', [path.join(ROOT, 'scripts/evalgen.js'), '--source', path.join(DATA, 'source'),
    '--thesaurus', path.join(DATA, 'thesaurus.txt'), '--pos', path.join(DATA, 'pos.txt'), '--freq', path.join(DATA, 'freq'),
    '--seed', String(seed), '--out', dir, '--min-units', '4', '--max-units', '6', '--docs', '20', ...extra], { encoding: 'utf8' });
let r = gen(out, 11);
ok(r.status === 0, 'evalgen.js runs on the fixtures', r.stderr);
const r2 = gen(path.join(TMP, 'set2'), 11);
ok(r2.status === 0 && fs.readFileSync(path.join(out, 'labels.tsv'), 'utf8') === fs.readFileSync(path.join(TMP, 'set2/labels.tsv'), 'utf8') &&
    fs.readdirSync(path.join(out, 'careful')).every(f => fs.readFileSync(path.join(out, 'careful', f), 'utf8') ===
        fs.readFileSync(path.join(TMP, 'set2/careful', f), 'utf8')), 'the same seed gives the same bytes');
const bad = gen(path.join(TMP, 'bad'), 1, ['--classes', 'nonsense']);
ok(bad.status === 2 && /unknown class: nonsense/.test(bad.stderr), 'an unknown class is a usage error (exit 2)', bad.stderr);

const rows = fs.readFileSync(path.join(out, 'labels.tsv'), 'utf8').trim().split('\n').map(l => l.split('\t'));
const byClass = {};
for (const row of rows) (byClass[row[1]] = byClass[row[1]] || []).push(row);
is(Object.keys(byClass).sort(), [...G.ALL_CLASSES].sort(), 'all twelve classes made');
const units = rel => { // the file's units, cut by its spans
    const row = rows.find(x => x[0] === rel);
    const buf = fs.readFileSync(path.join(out, rel));
    return row[5].split(',').map(s => { const m = s.match(/^(\d+)-(\d+):([01])$/); return { text: buf.slice(+m[1], +m[2]).toString('utf8'), label: m[3], start: +m[1], end: +m[2] }; });
};
const natural = id => units('natural/' + id);
const idOf = rel => rel.split('/')[1];

// Spans: the byte ranges cover the file's text exactly, separated by ' ' or a blank line.
{
    const errs = [];
    for (const [rel, , dl, ul] of rows) {
        const buf = fs.readFileSync(path.join(out, rel));
        const u = units(rel);
        let pos = 0;
        u.forEach((x, i) => {
            const sep = buf.slice(pos, x.start).toString();
            if (i && sep !== ' ' && sep !== '\n\n') errs.push(`${rel}: separator ${JSON.stringify(sep)} before unit ${i}`);
            if (!i && x.start !== 0) errs.push(rel + ': first unit not at 0');
            if (/\n/.test(x.text) || x.text !== x.text.trim() || !x.text) errs.push(`${rel}: unit ${i} is not one trimmed line`);
            pos = x.end;
        });
        if (buf.slice(pos).toString() !== '\n') errs.push(rel + ': text after the last span');
        if (u.map(x => x.label).join('') !== ul) errs.push(rel + ': unit_labels differ from the spans\' labels');
        if (dl !== (rel.startsWith('natural/') ? '0' : '1')) errs.push(rel + ': doc_label');
    }
    ok(!errs.length, 'every file: spans (byte offsets) cut it into its units exactly; labels agree', errs.slice(0, 3).join('\n'));
}
// Labels are true: 1 exactly where the unit differs from the natural one (paired classes).
{
    const errs = [];
    for (const c of ['blind10', 'blind20', 'blind40', 'careful', 'phrase', 'artefacts', 'shuffle', 'stuff_sparse', 'mixed']) {
        for (const [rel] of byClass[c]) {
            const u = units(rel), nat = natural(idOf(rel));
            if (u.length !== nat.length) { errs.push(rel + ': unit count differs from natural'); continue; }
            u.forEach((x, i) => { if ((x.text !== nat[i].text) !== (x.label === '1')) errs.push(`${rel}: unit ${i} label ${x.label}`); });
        }
    }
    ok(!errs.length, 'unit labels are 1 exactly where a paired unit differs from the natural one', errs.slice(0, 3).join('\n'));
}
const mixedRows = byClass.mixed;
{
    const errs = [];
    for (const [rel] of mixedRows) {
        const u = units(rel), k = u.filter(x => x.label === '1').length, U = u.length;
        if (k < Math.ceil(0.2 * U - 1e-9) || k > Math.floor(0.4 * U + 1e-9)) errs.push(`${rel}: ${k} of ${U} units spun`);
    }
    ok(mixedRows.length > 0 && !errs.length, `mixed: 20-40 % of the units spun, labelled by byte offsets (${mixedRows.length} documents)`, errs.join('\n'));
}

// ---------------------------------------------------------------- sense-blind
const thes = S.loadThesaurus(path.join(DATA, 'thesaurus.txt'));
// Align a spun unit with its natural one: each natural token is either kept or
// replaced by one of its synonyms (possibly multi-word).  -> {replaced, eligible, multi} or null.
function align(natText, spunText) {
    const toks = natText.match(S.TOKEN_RE) || [];
    let p = 0, replaced = 0, eligible = 0, multi = 0;
    for (const t of toks) {
        const el = S.isEligible(t, thes);
        if (el) eligible++;
        if (spunText.startsWith(t, p) && !(el && /^[A-Za-z]/.test(spunText.slice(p + t.length)))) { p += t.length; continue; }
        if (!el) return null;
        const syns = thes.get(t.toLowerCase()).map(s => S.matchCase(t, s)).sort((a, b) => b.length - a.length);
        const s = syns.find(x => spunText.startsWith(x, p) && !/^[A-Za-z]/.test(spunText.slice(p + x.length)));
        if (s === undefined) return null;
        replaced++;
        if (/ /.test(s)) multi++;
        p += s.length;
    }
    return p === spunText.length ? { replaced, eligible, multi } : null;
}
for (const rate of [10, 20, 40]) {
    const errs = [];
    let multi = 0;
    for (const [rel] of byClass['blind' + rate]) {
        const u = units(rel), nat = natural(idOf(rel));
        let R = 0, E = 0;
        u.forEach((x, i) => { const a = align(nat[i].text, x.text); if (!a) errs.push(`${rel}: unit ${i} is not natural + synonyms`); else { R += a.replaced; E += a.eligible; multi += a.multi; } });
        if (R !== Math.round(rate / 100 * E)) errs.push(`${rel}: ${R} replaced of ${E} eligible`);
    }
    ok(!errs.length, `blind${rate}: exactly round(${rate / 100} x eligible) words replaced by thesaurus synonyms`, errs.slice(0, 3).join('\n'));
    if (rate === 40) ok(multi > 0, `blind40: multi-word synonyms are used (${multi})`);
}

// ---------------------------------------------------------------- careful
{
    const senses = G.loadSenses(path.join(DATA, 'thesaurus.txt')), pos = G.loadPos(path.join(DATA, 'pos.txt'));
    const freq = new Map();
    for (const w of fs.readFileSync(path.join(DATA, 'freq/freq.txt'), 'utf8').match(/[A-Za-z]+/g)) freq.set(w.toLowerCase(), (freq.get(w.toLowerCase()) || 0) + 1);
    const careful = new G.Careful(senses, pos, freq);
    const errs = [];
    let inflected = 0, total = 0;
    for (const [rel] of byClass.careful) {
        const u = units(rel), nat = natural(idOf(rel));
        const ntoks = nat.map(x => x.text.match(S.TOKEN_RE) || []);
        const el = careful.eligible(ntoks);
        let changed = 0;
        u.forEach((x, i) => {
            const st = x.text.match(S.TOKEN_RE) || [];
            if (st.length !== ntoks[i].length) { errs.push(`${rel}: unit ${i}: token count changed`); return; }
            st.forEach((t, j) => {
                if (t === ntoks[i][j]) return;
                changed++;
                const e = el.find(([uu, jj]) => uu === i && jj === j);
                if (!e) { errs.push(`${rel}: ${ntoks[i][j]} -> ${t} is not an eligible word`); return; }
                const a = e[2];
                if (!a.cands.some(([c]) => S.matchCase(ntoks[i][j], c) === t)) errs.push(`${rel}: ${ntoks[i][j]} -> ${t} not a candidate`);
                if (a.suffix) {
                    inflected++;
                    const end = { s: /s$/, ed: /ed$/, ing: /ing$/, er: /er$/, est: /est$/, ly: /ly$/ }[a.suffix];
                    if (!end.test(t)) errs.push(`${rel}: ${ntoks[i][j]} -> ${t} lost its -${a.suffix}`);
                }
            });
        });
        total += changed;
        if (changed !== Math.round(0.3 * el.length)) errs.push(`${rel}: ${changed} replaced of ${el.length} eligible`);
    }
    ok(!errs.length && total > 0, `careful: exactly round(0.3 x eligible) words, each a same-POS candidate (${total} replacements)`, errs.slice(0, 3).join('\n'));
    ok(inflected > 0 && !errs.some(e => /lost its/.test(e)), `careful: inflection kept on suffixed words (${inflected} of them)`);
    // A direct case: "walked" -> a synonym of walk with -ed, attested in the frequency list.
    const a = careful.analyse('walked', 'gardener');
    ok(a && a.suffix === 'ed' && a.cands.every(([c]) => /ed$/.test(c) && freq.has(c)), 'careful: "walked" -> strolled/hiked (lemma walk, -ed kept)', JSON.stringify(a));
    const b = careful.analyse('old', 'the');
    ok(b && b.cands.every(([c]) => (pos.get(c) || []).includes('adj')), 'careful: after "the", an adjective stays an adjective', JSON.stringify(b));
}

// ---------------------------------------------------------------- phrase rewrites
{
    const pos = G.loadPos(path.join(DATA, 'pos.txt'));
    const always = () => 0; // rewrite every match
    const rw = s => { const t = s.match(S.TOKEN_RE); G.rewritePhrases(t, pos, always); return t.join(''); };
    is(rw('The color of the sky told him.'), "The sky's color told him.", 'phrase: "the X of the Y" -> "the Y\'s X"');
    is(rw('Salt and pepper were allowed.'), 'Pepper and salt were allowed.', 'phrase: "X and Y" -> "Y and X" (capital moves)');
    is(rw('He carried a heavy basket.'), 'He carried a basket that is heavy.', 'phrase: ADJ NOUN -> "NOUN that is ADJ"');
    is(rw('He liked quiet lamps.'), 'He liked lamps that are quiet.', 'phrase: "that are" after a plural noun');
    is(rw('A gentle wind.'), 'A gentle wind.', 'phrase: no rewrite when the noun is not in the part-of-speech list');
    let rewrites = 0;
    for (const [rel] of byClass.phrase) {
        const u = units(rel);
        for (const x of u) if (/ that (is|are) |'s? |\b(\w+) and (\w+)\b/.test(x.text)) rewrites++;
    }
    const pats = byClass.phrase.some(([rel]) => units(rel).some(x => / that (is|are) /.test(x.text))) &&
        byClass.phrase.some(([rel]) => units(rel).some(x => /\b\w+'s? \w+/.test(x.text) && !natural(idOf(rel)).some(y => y.text === x.text)));
    ok(pats, 'phrase class: documents contain "that is/are" and possessive rewrites');
}

// ---------------------------------------------------------------- artefacts only in their class
{
    const rep = /\b([A-Za-z]{4,}), (\1|[a-z]+, and \1)\b/i; // "pain, pain", "thighs, legs, and thighs"
    const errs = [];
    for (const c of G.ALL_CLASSES) {
        if (c === 'artefacts' || c === 'salad_trigram' || c === 'shuffle' || c === 'stuff_dense') continue;
        for (const [rel] of byClass[c]) {
            const nat = natural(idOf(rel));
            units(rel).forEach((x, i) => { if (rep.test(x.text) && !(nat[i] && rep.test(nat[i].text))) errs.push(`${rel}: ${x.text}`); });
        }
    }
    ok(!errs.length, 'no repeated-word artefacts in any other class', errs.slice(0, 2).join('\n'));
    const art = byClass.artefacts.map(([rel]) => units(rel).filter(x => x.label === '1'));
    const anyArt = /\b([A-Za-z]{4,}), ([A-Za-z ]+, and )?[a-z -]+\b/;
    ok(art.every(a => a.length >= 1 && a.every(x => anyArt.test(x.text))), 'artefacts: every document has at least one, each a "w, w" / "w, s" / "w, s, and w" mark');
    ok(byClass.artefacts.some(([rel]) => units(rel).some(x => rep.test(x.text))), 'artefacts: repeated words and repeated list items occur');
    const allArtUnits = byClass.artefacts.reduce((s, [rel]) => s + units(rel).length, 0);
    const changedArt = art.reduce((s, a) => s + a.length, 0);
    ok(changedArt <= Math.ceil(0.3 * allArtUnits) + byClass.artefacts.length, 'artefacts: in about 30 % of the units, nothing else changed');
}

// ---------------------------------------------------------------- trigram salad
{
    const src = S.readSource(path.join(DATA, 'source'));
    const seen = new Set();
    for (const s of src) for (const d of s.docs) for (const u of d) seen.add(u.text.split(' ').filter(Boolean).join(' '));
    const lines = byClass.salad_trigram.flatMap(([rel]) => units(rel).map(x => x.text));
    ok(lines.length > 0 && lines.every(l => !seen.has(l)), `salad_trigram: no sentence is a verbatim copy of a source sentence (${lines.length} sentences)`);
    // The rejection itself: a chain over a single sentence can only copy it, so nothing comes out.
    const chain = G.buildTrigram([{ docs: [[{ text: 'one two three four five.' }]] }]);
    ok(G.trigramSentence(chain, S.rngFor(1, 'x')) === null, 'salad_trigram: a chain that can only copy its training sentence yields nothing');
    // Every trigram of the salad occurs in the source (it is a trigram chain over the domain).
    const tri = new Set();
    for (const l of seen) { const t = ['<s>', '<s>', ...l.split(' ')]; for (let i = 2; i < t.length; i++) tri.add(t.slice(i - 2, i + 1).join(' ')); }
    const badTri = lines.filter(l => { const t = ['<s>', '<s>', ...l.split(' ')]; for (let i = 2; i < t.length; i++) if (!tri.has(t.slice(i - 2, i + 1).join(' '))) return true; return false; });
    ok(!badTri.length, 'salad_trigram: every word trigram comes from the domain text', badTri[0]);
}

// ---------------------------------------------------------------- sparse stuffing
{
    const errs = [];
    const counts = new Set();
    for (const [rel] of byClass.stuff_sparse) {
        const u = units(rel), nat = natural(idOf(rel));
        const changed = u.filter((x, i) => x.text !== nat[i].text);
        counts.add(changed.length);
        if (changed.length < 2 || changed.length > 5) errs.push(`${rel}: ${changed.length} insertions`);
        // Only words were added: each changed unit, less its added words, is the natural unit.
        u.forEach((x, i) => {
            if (x.text === nat[i].text) return;
            const a = x.text.toLowerCase().replace(/,/g, '').split(' '), b = nat[i].text.toLowerCase().replace(/,/g, '').split(' ');
            let j = 0;
            for (const w of a) if (j < b.length && (w === b[j] || w.replace(/[.!?]+$/, '') === b[j].replace(/[.!?]+$/, ''))) j++;
            if (j !== b.length) errs.push(`${rel}: unit ${i} is not the natural unit plus inserted words`);
        });
    }
    ok(!errs.length, 'stuff_sparse: a phrase inserted into 2..5 units of each document, nothing else changed', errs.slice(0, 3).join('\n'));
    const rng = S.rngFor(3, 'sparse');
    const doc = { units: Array.from({ length: 12 }, (_, i) => ({ text: `Sentence number ${i} talks about gardens and bread.` })) };
    const places = { opener: 0, mid: 0, end: 0 };
    for (let k = 0; k < 60; k++) {
        const m = G.makeSparse(doc, rng);
        m.lines.forEach((l, i) => {
            if (l === doc.units[i].text) return;
            const p = m.phrase;
            if (!l.toLowerCase().includes(p.toLowerCase())) places.bad = true;
            if (l.toLowerCase().startsWith(p.toLowerCase() + ', ')) places.opener++;
            else if (l.endsWith(' ' + p + '.')) places.end++;
            else if (l.includes(' ' + p + ' ')) places.mid++;
        });
        if (m.count < 2 || m.count > 5) places.bad = true;
    }
    ok(places.opener > 0 && places.mid > 0 && places.end > 0 && !places.bad,
        `stuff_sparse: the one phrase, 2..5 times, as an opener (${places.opener}), mid-sentence (${places.mid}) and before the final punctuation (${places.end})`);
}

// ---------------------------------------------------------------- thesaurus converter
{
    const conv = (kind, file) => {
        const w = path.join(TMP, kind + '.words'), p = path.join(TMP, kind + '.pos');
        const res = spawnSync('node', [path.join(ROOT, 'scripts/thesaurus.js'), kind, path.join(DATA, file), w, p], { encoding: 'utf8' });
        return { res, words: res.status === 0 ? fs.readFileSync(w, 'utf8') : '', pos: res.status === 0 ? fs.readFileSync(p, 'utf8') : '' };
    };
    const d = conv('ding', 'ding-sample.txt');
    ok(d.res.status === 0, 'thesaurus.js ding runs', d.res.stderr);
    const dl = d.words.trim().split('\n');
    ok(dl.includes('suntan,tan') && dl.includes('tan,suntan'), 'Ding: the alternatives of one sense are synonyms of each other ("suntan; tan")');
    ok(dl.includes('walk,go on foot') && /^walk\tv$/m.test(d.pos), 'Ding: "to walk" is the verb walk; multi-word alternatives kept');
    ok(dl.includes('quick,fast,rapid') && /^quick\tadj$/m.test(d.pos), 'Ding: annotations removed, {adj} gives the part of speech');
    ok(dl.includes('buildings,edifices') && !d.words.includes('aachen') && !d.words.includes('bogus'),
        'Ding: sub-entries are senses; one-word senses and non-words give nothing');
    const g = conv('gcide', 'gcide-sample.txt');
    ok(g.res.status === 0, 'thesaurus.js gcide runs', g.res.stderr);
    ok(/^swift,quick,fleet,speedy,rapid$/m.test(g.words), 'GCIDE: a Webster "Syn." list, cross references left out');
    ok(!/patrol|gunboat|nimble|agile|shadowy/.test(g.words), 'GCIDE: every [WordNet 1.5] block left out, and untagged blocks of WordNet entries');
    ok(/^gloomy,dark,dim,obscure$/m.test(g.words) && /^gloomy,sad,dismal,sullen$/m.test(g.words), 'GCIDE: numbered groups are separate senses, in order');
    const e = spawnSync('node', [path.join(ROOT, 'scripts/thesaurus.js'), 'ding', path.join(TMP, 'missing.txt'), path.join(TMP, 'x'), path.join(TMP, 'y')], { encoding: 'utf8' });
    ok(e.status === 1 && /missing\.txt/.test(e.stderr) && !fs.existsSync(path.join(TMP, 'x')), 'a missing source: error naming the file, exit 1, nothing written');
}

// ---------------------------------------------------------------- table writer
{
    // A fake evaluation: 2 thesauri x 1 domain, known scores.
    const dir = path.join(TMP, 'ev');
    const mk = (set, cls, docs) => {
        const d = path.join(dir, 'sets/dom', set);
        fs.mkdirSync(path.join(d, cls), { recursive: true });
        const lines = [];
        docs.forEach((text, i) => {
            const rel = `${cls}/d${i}.txt`;
            fs.writeFileSync(path.join(d, rel), text.join(' ') + '\n');
            let off = 0;
            const spans = text.map(t => { const s = `${off}-${off + Buffer.byteLength(t)}:${cls === 'mixed' ? (/SPUN/.test(t) ? 1 : 0) : cls === 'natural' ? 0 : 1}`; off += Buffer.byteLength(t) + 1; return s; });
            lines.push([rel, cls, cls === 'natural' ? 0 : 1, spans.map(s => s.slice(-1)).join(''), 'x:1-1', spans.join(',')].join('\t'));
        });
        fs.appendFileSync(path.join(d, 'labels.tsv'), lines.join('\n') + '\n');
    };
    const two = ['Aa bb.', 'Cc dd.'];
    for (const c of ['natural', 'salad_trigram', 'shuffle', 'stuff_sparse', 'stuff_dense']) mk('common', c, [two, two]);
    for (const b of ['t1', 't2']) {
        for (const c of ['blind10', 'blind20', 'blind40', 'careful', 'phrase', 'artefacts']) mk(b, c, [two, two]);
        mk(b, 'mixed', [['SPUN one.', 'Natural two.'], ['Natural three.', 'SPUN four.']]);
    }
    fs.mkdirSync(path.join(dir, 'scores'), { recursive: true });
    // Detector fitted with t1: natural docs 0.1 and 0.2; every class 0.9 except careful spun with t2 (0.15, 0.05 -> AUC 0.25)
    // and careful spun with t1 (diagonal: 0.0 -> AUC 0, must not be the headline).
    const score = (fit) => {
        const out = [];
        const add = (p, s, ppl, verdict, sentences) => out.push(JSON.stringify({ id: p, spin_score: s, perplexity: ppl, verdict, sentences }));
        const base = path.join(dir, 'sets/dom');
        for (const set of ['common', 't1', 't2']) {
            for (const line of fs.readFileSync(path.join(base, set, 'labels.tsv'), 'utf8').trim().split('\n')) {
                const [rel, cls] = line.split('\t');
                const p = path.join(base, set, rel), i = Number(rel.match(/d(\d)/)[1]);
                if (cls === 'natural') add(p, [0.1, 0.2][i], 100, ['natural', 'suspect'][i], [{ kind: 'prose', start: 0, end: 6, spin: 0.1, perplexity: 5, flagged: i === 1 }, { kind: 'prose', start: 7, end: 13, spin: 0.1, perplexity: 5, flagged: false }]);
                else if (cls === 'careful') add(p, set === fit ? 0 : [0.15, 0.05][i], 200, 'spun', []);
                else if (cls === 'mixed') {
                    const t = fs.readFileSync(p, 'utf8'), a = t.indexOf(' ') + 1;
                    const cut = t.indexOf('. ') + 1;
                    add(p, 0.5, 100, 'spun', [{ kind: 'prose', start: 0, end: cut, spin: /^SPUN/.test(t) ? 0.9 : 0.2, perplexity: 1 },
                        { kind: 'prose', start: cut + 1, end: t.length - 1, spin: /^SPUN/.test(t) ? 0.3 : 0.8, perplexity: 1 }]);
                    void a;
                } else add(p, 0.9, 150, 'spun', []);
            }
        }
        for (const f of ['de-001.txt', 'en-mixed-001.txt']) add(path.join(dir, 'foreign', f), 0.5, 1, f.startsWith('de') ? 'spun' : 'natural', []);
        fs.writeFileSync(path.join(dir, 'scores', fit + '.jsonl'), out.join('\n') + '\n');
    };
    score('t1'); score('t2');
    const readme = path.join(TMP, 'README.md');
    fs.writeFileSync(readme, 'intro\n<!-- eval:begin -->\nold table\n<!-- eval:end -->\noutro\n');
    const res = spawnSync('node', [path.join(ROOT, 'scripts/eval-matrix.js'), '--eval-dir', dir, '--thesauri', 't1 t2', '--domains', 'dom',
        '--seconds', '42', '--docs-md', path.join(TMP, 'docs/eval.md'), '--readme', readme, '--baselines', path.join(TMP, 'docs/base.json'),
        '--baseline', 'first'], { encoding: 'utf8' });
    ok(res.status === 0, 'eval-matrix.js writes the tables', res.stderr);
    const R = res.status === 0 ? JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) : { worst: {}, cells: [] };
    ok(R.cells.length === 4, 'four cells: 2 fitting x 2 spinning thesauri x 1 domain');
    is(R.worst.careful && R.worst.careful.spinscan.auc, 0.25, 'worst cell: careful 0.25 (off-diagonal), not the diagonal 0.0');
    is(R.worst.careful && [R.worst.careful.spinscan.fit, R.worst.careful.spinscan.spin], ['t1', 't2'], 'worst cell names fit t1 -> spin t2');
    is(R.worst.blind20 && R.worst.blind20.perplexity.auc, 1, 'baseline AUC from perplexity (150 vs 100)');
    is(R.worst.sentence && R.worst.sentence.spinscan.auc, 1, 'sentence AUC: sentences labelled by the span they overlap');
    const fp = (R.false_positives || []).find(x => x.fit === 't1');
    ok(fp && fp.suspect === 0.5 && fp.spun === 0 && fp.sentences_flagged === 0.25, 'false positives: 50 % suspect, 0 % spun, 25 % of sentences flagged', JSON.stringify(fp));
    is((R.foreign || []).map(f => [f.documents, f.judged]), [[1, 1], [1, 1]], 'foreign: en-* left out, the German document counted as judged');
    const rd = fs.readFileSync(readme, 'utf8');
    ok(/^intro\n<!-- eval:begin -->\n/.test(rd) && /\n<!-- eval:end -->\noutro\n$/.test(rd) && !/old table/.test(rd) && /\| first \| /.test(rd) && /0\.25/.test(rd),
        'README block replaced with the worst-cell table (baseline row "first")');
    const md = fs.existsSync(path.join(TMP, 'docs/eval.md')) ? fs.readFileSync(path.join(TMP, 'docs/eval.md'), 'utf8') : '';
    ok(/t1 → t1 \(i\)/.test(md) && /t1 → t2 \|/.test(md) && /42 s/.test(md), 'docs/eval.md: every cell, diagonal marked (i), the run time');
    const noBlock = path.join(TMP, 'nob.md');
    fs.writeFileSync(noBlock, 'no markers\n');
    const r3 = spawnSync('node', [path.join(ROOT, 'scripts/eval-matrix.js'), '--eval-dir', dir, '--thesauri', 't1 t2', '--domains', 'dom', '--readme', noBlock,
        '--baselines', path.join(TMP, 'docs/base.json')], { encoding: 'utf8' });
    ok(r3.status === 1 && /nob\.md: no/.test(r3.stderr) && fs.readFileSync(noBlock, 'utf8') === 'no markers\n', 'a README without the block: error naming it, nothing overwritten');
}

// ---------------------------------------------------------------- ablation table
{
    const dir = path.join(TMP, 'abl');
    const wr = (v, careful) => { fs.mkdirSync(path.join(dir, v), { recursive: true }); fs.writeFileSync(path.join(dir, v, 'results.json'), JSON.stringify({ worst_row: { blind20: 0.6, careful, fp_suspect: 0.1, fp_spun: 0, fp_sentences: 0.02 } })); };
    wr('all', 0.7); wr('-fiction', 0.55);
    fs.writeFileSync(path.join(dir, 'variants.tsv'), 'all\t\n-fiction\tmoby-dick,brown-fiction\n');
    const readme = path.join(TMP, 'R2.md');
    fs.writeFileSync(readme, 'a\n<!-- ablation:begin -->\nold\n<!-- ablation:end -->\nb\n');
    const res = spawnSync('node', [path.join(ROOT, 'scripts/eval-matrix.js'), '--ablation', dir, '--variants', 'all -fiction', '--seconds', '7',
        '--train-words', '3000000', '--readme', readme], { encoding: 'utf8' });
    const rd = fs.readFileSync(readme, 'utf8');
    ok(res.status === 0 && /\| -fiction \| without moby-dick, brown-fiction \| 0\.60 \| – \| 0\.55 \|/.test(rd) && /\| all \| every source \| 0\.60 \| – \| 0\.70 \|/.test(rd) && !/old/.test(rd),
        'ablation: one row per variant with its worst cells, into the README block', res.stderr + rd);
}

console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
