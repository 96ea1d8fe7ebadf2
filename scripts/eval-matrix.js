#!/usr/bin/env node
// eval-matrix.js - the tables of the evaluation matrix (scripts/eval.sh runs this).
//
//   node scripts/eval-matrix.js --eval-dir DIR --thesauri "moby ding gcide" --domains "web nlp ..."
//        [--seconds N] [--docs-md docs/eval.md] [--readme README.md] [--baseline LABEL]
//        [--baselines docs/eval-baselines.json]
//
// Reads DIR/sets/DOMAIN/{common,B}/labels.tsv (scripts/evalgen.js) and
// DIR/scores/A.jsonl (`spinscan score -f json` of every document with the
// detector fitted with thesaurus A; "id" = the path as given).
//
// A CELL is (A = fitting thesaurus, B = spinning thesaurus, domain).  In each:
//  - document ROC-AUC per class: the domain's natural documents (negatives)
//    against the class's documents (positives), spinscan's "spin_score" and the
//    plain document "perplexity" (higher = more suspicious).  Classes that need
//    no thesaurus (salads, stuffing) come from the domain's common set and so
//    depend on A and the domain only;
//  - pooled sentence AUC on the mixed documents spun with B: each prose
//    sentence the detector found is labelled by the unit span (evalgen's byte
//    offsets) it overlaps most; spinscan's sentence "spin" against its
//    "perplexity".
// The headline is the WORST cell of each measure over A != B and all domains
// (same-thesaurus cells are printed for information only).
// False positives per (A, domain), from the natural documents: the share at
// "suspect" or worse (any verdict but natural and unsupported), the share at
// "spun"/"salad" (any verdict but natural, suspect and unsupported), and the
// share of their prose sentences flagged.  Foreign documents
// (tests/data/foreign, all but en-*): the number judged (any verdict but
// "unsupported").
// Writes DIR/results.json, prints the short table, and with --docs-md and
// --readme writes the per-cell tables and the README's block between
// "<!-- eval:begin -->" and "<!-- eval:end -->".
'use strict';
const fs = require('fs');
const path = require('path');
const { auc } = require('./auc.js');

const DOC_CLASSES = ['blind10', 'blind20', 'blind40', 'careful', 'phrase', 'artefacts', 'salad_trigram', 'shuffle',
    'stuff_sparse', 'stuff_dense'];
const COMMON = new Set(['natural', 'salad_trigram', 'shuffle', 'stuff_sparse', 'stuff_dense']);
// Issue 14's targets (worst off-diagonal cell).
const TARGETS = { blind20: 0.85, blind40: 0.95, careful: 0.80, phrase: 0.80, salad_trigram: 0.95, stuff_sparse: 0.95,
    shuffle: 0.99, sentence: 0.85, fp_suspect: 0.10, fp_spun: 0.02, fp_sentences: 0.03, foreign_judged: 0 };
const LABEL = { blind10: 'sense-blind 10 %', blind20: 'sense-blind 20 %', blind40: 'sense-blind 40 %', careful: 'careful 30 %',
    phrase: 'phrase rewrites', artefacts: 'artefacts', salad_trigram: 'trigram salad', shuffle: 'shuffled words',
    stuff_sparse: 'sparse stuffing', stuff_dense: 'dense stuffing', sentence: 'sentences (mixed)' };

function die(msg) { process.stderr.write('eval-matrix: ' + msg + '\n'); process.exit(1); }

function parseArgs(argv) {
    const o = { baselines: 'docs/eval-baselines.json' };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i], v = () => { if (i + 1 >= argv.length) die(a + ' needs a value'); return argv[++i]; };
        switch (a) {
        case '--eval-dir': o.dir = v(); break;
        case '--thesauri': o.thesauri = v().split(/\s+/).filter(Boolean); break;
        case '--fits': o.fits = v().split(/\s+/).filter(Boolean); break;
        case '--domains': o.domains = v().split(/\s+/).filter(Boolean); break;
        case '--seconds': o.seconds = Number(v()); break;
        case '--cpu-seconds': o.cpuSeconds = Number(v()); break;
        case '--docs-md': o.docsMd = v(); break;
        case '--readme': o.readme = v(); break;
        case '--baseline': o.baseline = v(); break;
        case '--baselines': o.baselines = v(); break;
        case '--ablation': o.ablation = v(); break;
        case '--variants': o.variants = v().split(/\s+/).filter(Boolean); break;
        case '--train-words': o.trainWords = Number(v()); break;
        default: die('unknown argument: ' + a);
        }
    }
    if (o.ablation) { if (!o.variants) die('--ablation needs --variants'); return o; }
    if (!o.dir || !o.thesauri || !o.domains) die('usage: --eval-dir DIR --thesauri LIST --domains LIST [...]');
    return o;
}

// labels.tsv -> [{abs, rel, cls, units, spans: [[start, end, label]]}]
function readLabels(dir) {
    const file = path.join(dir, 'labels.tsv');
    let text;
    try { text = fs.readFileSync(file, 'utf8'); } catch (e) { die(`${file}: ${e.message}`); }
    const real = fs.realpathSync(dir); // documents scored through a linked folder keep their real path
    return text.split('\n').filter(Boolean).map((line, i) => {
        const f = line.split('\t');
        if (f.length < 6) die(`${file}:${i + 1}: expected 6 tab-separated fields`);
        const spans = f[5].split(',').map(s => {
            const m = s.match(/^(\d+)-(\d+):([01])$/);
            if (!m) die(`${file}:${i + 1}: bad span "${s}"`);
            return [Number(m[1]), Number(m[2]), m[3]];
        });
        return { abs: path.resolve(real, f[0]), rel: f[0], cls: f[1], units: f[3], spans };
    });
}

function readScores(file) {
    const map = new Map();
    let text;
    try { text = fs.readFileSync(file, 'utf8'); } catch (e) { die(`${file}: ${e.message}`); }
    text.split('\n').forEach((line, i) => {
        if (!line.trim()) return;
        let o;
        try { o = JSON.parse(line); } catch (e) { die(`${file}:${i + 1}: not JSON: ${e.message}`); }
        map.set(path.resolve(o.id), o);
    });
    return map;
}

const num = x => (typeof x === 'number' && Number.isFinite(x) ? x : null);
function aucPair(pos, neg, key) {
    const p = pos.map(x => num(x[key])).filter(x => x !== null), q = neg.map(x => num(x[key])).filter(x => x !== null);
    return p.length && q.length ? auc(p, q) : null;
}
// The label of the span a sentence [s, e) overlaps most (null when none).
function sentenceLabel(spans, s, e) {
    let best = null, bestOv = 0;
    for (const [a, b, l] of spans) {
        const ov = Math.min(b, e) - Math.max(a, s);
        if (ov > bestOv) { bestOv = ov; best = l; }
    }
    return best;
}
const JUDGED = v => v !== 'unsupported';
const SUSPECT = v => v !== 'natural' && v !== 'unsupported';
const SPUN = v => v !== 'natural' && v !== 'suspect' && v !== 'unsupported';

function compute(o) {
    const sets = {}; // domain -> set -> docs
    for (const d of o.domains) {
        sets[d] = {};
        for (const s of ['common', ...o.thesauri]) sets[d][s] = readLabels(path.join(o.dir, 'sets', d, s));
    }
    const fits = o.fits || o.thesauri; // the fitting thesauri measured (default: all)
    const scores = {};
    for (const a of fits) scores[a] = readScores(path.join(o.dir, 'scores', a + '.jsonl'));
    const get = (a, doc) => {
        const r = scores[a].get(doc.abs);
        if (!r) die(`${a}.jsonl has no score for ${doc.abs}`);
        return r;
    };
    const cells = [];
    const fp = [];
    for (const a of fits) for (const d of o.domains) {
        const nat = sets[d].common.filter(x => x.cls === 'natural').map(x => ({ doc: x, s: get(a, x) }));
        const natS = nat.map(x => x.s);
        let sent = 0, flagged = 0;
        for (const x of natS) for (const s of x.sentences || []) if (s.kind === 'prose') { sent++; if (s.flagged) flagged++; }
        fp.push({ fit: a, domain: d, documents: natS.length,
            suspect: natS.filter(x => SUSPECT(x.verdict)).length / natS.length,
            spun: natS.filter(x => SPUN(x.verdict)).length / natS.length,
            sentences: sent, sentences_flagged: sent ? flagged / sent : null });
        for (const b of o.thesauri) {
            const cell = { fit: a, spin: b, domain: d, off_diagonal: a !== b, classes: {} };
            for (const c of DOC_CLASSES) {
                const docs = sets[d][COMMON.has(c) ? 'common' : b].filter(x => x.cls === c).map(x => get(a, x));
                cell.classes[c] = { n: docs.length, spinscan: aucPair(docs, natS, 'spin_score'),
                    perplexity: aucPair(docs, natS, 'perplexity') };
            }
            const ss = [];
            for (const x of sets[d][b].filter(y => y.cls === 'mixed')) {
                for (const s of get(a, x).sentences || []) {
                    if (s.kind !== 'prose') continue;
                    const l = sentenceLabel(x.spans, s.start, s.end);
                    if (l !== null) ss.push({ l, spin: s.spin, perplexity: s.perplexity });
                }
            }
            const pos = ss.filter(s => s.l === '1'), neg = ss.filter(s => s.l === '0');
            cell.classes.sentence = { n: ss.length, positives: pos.length, spinscan: aucPair(pos, neg, 'spin'),
                perplexity: aucPair(pos, neg, 'perplexity') };
            cells.push(cell);
        }
    }
    // Foreign documents.
    const foreign = [];
    for (const a of fits) {
        const rows = [...scores[a].values()].filter(r => /\/foreign\/[^/]+\.txt$/.test(r.id) && !/\/en-[^/]*$/.test(r.id));
        foreign.push({ fit: a, documents: rows.length, judged: rows.filter(r => JUDGED(r.verdict)).length,
            spun: rows.filter(r => SPUN(r.verdict)).length });
    }
    // Worst cells.
    const worst = {};
    for (const c of [...DOC_CLASSES, 'sentence']) {
        const w = { spinscan: null, perplexity: null };
        for (const k of ['spinscan', 'perplexity']) {
            for (const cell of cells.filter(x => x.off_diagonal)) {
                const v = cell.classes[c][k];
                if (v === null) continue;
                if (!w[k] || v < w[k].auc) w[k] = { auc: v, fit: cell.fit, spin: cell.spin, domain: cell.domain };
            }
        }
        worst[c] = w;
    }
    const worstFp = {};
    for (const k of ['suspect', 'spun', 'sentences_flagged']) {
        let w = null;
        for (const r of fp) if (r[k] !== null && (!w || r[k] > w.value)) w = { value: r[k], fit: r.fit, domain: r.domain };
        worstFp[k] = w;
    }
    return { cells, fp, foreign, worst, worstFp };
}

// ---------------------------------------------------------------- tables
const f2 = x => (x === null || x === undefined ? '–' : x.toFixed(2));
const pct = x => (x === null || x === undefined ? '–' : (100 * x).toFixed(0) + ' %');
const pct1 = x => (x === null || x === undefined ? '–' : (100 * x).toFixed(1) + ' %');
const MEASURES = ['blind10', 'blind20', 'blind40', 'careful', 'phrase', 'artefacts', 'salad_trigram', 'shuffle', 'stuff_sparse',
    'stuff_dense', 'sentence'];

function worstRow(r) {
    const o = {};
    for (const c of MEASURES) o[c] = r.worst[c].spinscan ? r.worst[c].spinscan.auc : null;
    o.fp_suspect = r.worstFp.suspect && r.worstFp.suspect.value;
    o.fp_spun = r.worstFp.spun && r.worstFp.spun.value;
    o.fp_sentences = r.worstFp.sentences_flagged && r.worstFp.sentences_flagged.value;
    o.foreign_judged = Math.max(...r.foreign.map(f => f.judged));
    return o;
}

function shortTable(r, label, baselines) {
    const cols = ['blind20', 'blind40', 'careful', 'phrase', 'artefacts', 'salad_trigram', 'shuffle', 'stuff_sparse',
        'stuff_dense', 'sentence'];
    const head = ['', ...cols.map(c => LABEL[c]), 'natural docs ≥ suspect', 'natural docs spun/salad',
        'natural sentences flagged', 'foreign docs judged'];
    const line = (name, o) => [name, ...cols.map(c => f2(o[c])), pct(o.fp_suspect), pct(o.fp_spun), pct1(o.fp_sentences),
        o.foreign_judged === null || o.foreign_judged === undefined ? '–' : String(o.foreign_judged)];
    const rows = [];
    for (const b of baselines) if (b.label !== label) rows.push(line(b.label, b.worst));
    rows.push(line(label, worstRow(r)));
    const base = {};
    for (const c of cols) base[c] = r.worst[c].perplexity ? r.worst[c].perplexity.auc : null;
    rows.push(line('plain perplexity', { ...base, fp_suspect: null, fp_spun: null, fp_sentences: null, foreign_judged: null }));
    const tgt = {};
    for (const c of cols) tgt[c] = TARGETS[c] ?? null;
    rows.push(['target (issue 14)', ...cols.map(c => (TARGETS[c] ? '≥ ' + TARGETS[c].toFixed(2) : '–')), '≤ 10 %', '≤ 2 %',
        '≤ 3 %', '0']);
    return md(head, rows);
}

function md(head, rows) {
    const out = ['| ' + head.join(' | ') + ' |', '|' + head.map((_, i) => (i ? '---:' : '---')).join('|') + '|'];
    for (const r of rows) out.push('| ' + r.join(' | ') + ' |');
    return out.join('\n');
}

function docsMd(o, r, label, short, meta) {
    const L = [];
    L.push('# Evaluation matrix (generated by `make eval`; do not edit)');
    L.push('');
    L.push(`Run: ${meta.date}, ${label}; ${meta.seconds} s wall (${meta.cpu_seconds ?? '?'} CPU-seconds) for \`make eval\` before the report` +
        ` (${meta.docs} source documents per domain).  Thesauri: ${o.thesauri.join(', ')}; domains: ${o.domains.join(', ')}.`);
    L.push('How it is made: `scripts/eval.sh`; spinners and generators: `scripts/evalgen.js` (each class defined in its');
    L.push('header); thesauri: `scripts/fetch-thesauri.sh`; tables: `scripts/eval-matrix.js`.');
    L.push('');
    L.push('A cell is (A = the thesaurus the detector was fitted with, B = the thesaurus the test documents were spun');
    L.push('with, domain).  Headline = the WORST cell over A ≠ B and every domain; A = B cells are for information.');
    L.push('AUC: natural documents of the domain against the class\'s documents (document level); for "sentences",');
    L.push('prose sentences of the mixed documents, labelled by the byte spans of the spun units.');
    L.push('');
    L.push('## Worst cells');
    L.push('');
    L.push(short);
    L.push('');
    L.push('Where each worst cell is (fit A → spin B, domain):');
    L.push('');
    L.push(md(['measure', 'spinscan', 'cell', 'plain perplexity', 'cell'], MEASURES.map(c => {
        const w = r.worst[c];
        const at = x => (x ? `${x.fit} → ${x.spin}, ${x.domain}` : '–');
        return [LABEL[c], f2(w.spinscan && w.spinscan.auc), at(w.spinscan), f2(w.perplexity && w.perplexity.auc), at(w.perplexity)];
    })));
    L.push('');
    L.push('## Domains');
    L.push('');
    L.push(md(['domain', 'natural text', 'measured with', 'model trained on other text of this domain'], o.domains.map(d => {
        const m = meta.domains[d] || {};
        return [d, m.source || '?', m.model || '?', m.model_trained_on_same_source ? 'yes (in-domain held-out documents)' : 'no (held out)'];
    })));
    L.push('');
    L.push('## False positives per domain (natural documents)');
    L.push('');
    L.push(md(['fit A', 'domain', 'documents', '≥ suspect', 'spun/salad', 'prose sentences', 'flagged'],
        r.fp.map(x => [x.fit, x.domain, String(x.documents), pct(x.suspect), pct(x.spun), String(x.sentences),
            pct1(x.sentences_flagged)])));
    L.push('');
    L.push('Foreign and un-judgeable documents (tests/data/foreign without en-*), judged = any verdict but `unsupported`:');
    L.push('');
    L.push(md(['fit A', 'documents', 'judged', 'spun/salad'], r.foreign.map(x => [x.fit, String(x.documents), String(x.judged),
        String(x.spun)])));
    L.push('');
    L.push('## Every cell');
    L.push('');
    L.push('spinscan AUC / plain-perplexity AUC.  (i) = same thesaurus, information only.');
    L.push('');
    for (const d of o.domains) {
        L.push(`### ${d}`);
        L.push('');
        const cells = r.cells.filter(c => c.domain === d);
        L.push(md(['fit → spin', ...MEASURES.map(c => LABEL[c])], cells.map(c => [
            `${c.fit} → ${c.spin}${c.off_diagonal ? '' : ' (i)'}`,
            ...MEASURES.map(m => `${f2(c.classes[m].spinscan)} / ${f2(c.classes[m].perplexity)}`)])));
        L.push('');
    }
    const n = r.cells[0] ? r.cells[0].classes : {};
    L.push(`Documents per class in a cell: ${MEASURES.filter(c => c !== 'sentence').map(c => `${c} ${n[c] ? n[c].n : 0}`).join(', ')};` +
        ` mixed-document sentences ${n.sentence ? n.sentence.n : 0} (${n.sentence ? n.sentence.positives : 0} spun).`);
    L.push('');
    L.push('## Ablation of the training corpus');
    L.push('');
    L.push('<!-- ablation:begin -->');
    L.push(meta.ablation || 'Not run yet: `make eval-ablation`.');
    L.push('<!-- ablation:end -->');
    return L.join('\n') + '\n';
}

// A new file replaces the old one (never written in place: a hard-linked copy
// of models/ elsewhere keeps its own figures).
function writeAtomic(file, text) {
    fs.writeFileSync(file + '.tmp', text);
    fs.renameSync(file + '.tmp', file);
}

function replaceBlock(file, block, name = 'eval') {
    const text = fs.readFileSync(file, 'utf8');
    const b = `<!-- ${name}:begin -->`, e = `<!-- ${name}:end -->`;
    const i = text.indexOf(b), j = text.indexOf(e);
    if (i < 0 || j < i) die(`${file}: no "${b}" ... "${e}" block to replace`);
    fs.writeFileSync(file + '.tmp', text.slice(0, i + b.length) + '\n' + block + '\n' + text.slice(j));
    fs.renameSync(file + '.tmp', file);
}

// --ablation DIR: the table of scripts/eval-ablation.sh from DIR/VARIANT/results.json.
function ablation(o) {
    const rows = [];
    const excl = new Map();
    for (const line of fs.readFileSync(path.join(o.ablation, 'variants.tsv'), 'utf8').split('\n')) {
        if (line) { const [v, x] = line.split('\t'); excl.set(v, x || ''); }
    }
    const cols = ['blind20', 'blind40', 'careful', 'phrase', 'artefacts', 'salad_trigram', 'stuff_sparse', 'sentence'];
    const results = {};
    for (const v of o.variants) {
        const what = v === 'all' ? 'every source' : v === 'original' ? 'original sources only (brown, nlp, sotu)' : 'without ' + (excl.get(v) || '').split(',').join(', ');
        let r;
        try { r = JSON.parse(fs.readFileSync(path.join(o.ablation, v, 'results.json'), 'utf8')); } catch (e) {
            process.stderr.write(`eval-matrix: variant ${v} has no results (${e.message}); its row says so\n`);
            rows.push([v, what + ' (not measured: the run did not finish)', ...cols.map(() => '–'), '–', '–', '–']);
            continue;
        }
        results[v] = { excluded: excl.get(v) || '', worst: r.worst_row };
        const w = r.worst_row;
        rows.push([v, what, ...cols.map(c => f2(w[c])), pct(w.fp_suspect), pct(w.fp_spun), pct1(w.fp_sentences)]);
    }
    const table = md(['variant', 'training text', ...cols.map(c => LABEL[c]), 'natural ≥ suspect', 'natural spun/salad', 'sentences flagged'], rows);
    const missing = o.variants.filter(v => !results[v]).length;
    const text = `Ablation of the training corpus (\`make eval-ablation\`, ${o.seconds ?? '?'} s wall` +
        `${missing ? `; ${missing} of ${o.variants.length} variants not measured` : ''}): each variant is a model of about ` +
        `${(o.trainWords / 1e6).toFixed(1)} M words with the detector fitted on it, measured on the web domain ` +
        `(never trained on); worst cell over fit A ≠ spin B, A ∈ {${o.fits ? o.fits.join(', ') : 'moby, ding, gcide'}}.\n\n` + table;
    writeAtomic(path.join(o.ablation, 'results.json'), JSON.stringify({ seconds: o.seconds, train_words: o.trainWords, variants: results }, null, 2) + '\n');
    writeAtomic(path.join(path.dirname(o.ablation), 'ablation.md'), text + '\n');
    // The README keeps only the eval block (a newcomer's page); docs/eval.md has the ablation.
    for (const f of [o.docsMd, o.readme])
        if (f && fs.existsSync(f) && fs.readFileSync(f, 'utf8').includes('<!-- ablation:begin -->'))
            replaceBlock(f, text, 'ablation');
    console.log(text);
}

function main() {
    const o = parseArgs(process.argv.slice(2));
    if (o.ablation) return ablation(o);
    const r = compute(o);
    let meta = { date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', seconds: o.seconds ?? null,
        cpu_seconds: o.cpuSeconds ?? null, domains: {} };
    try { meta.domains = JSON.parse(fs.readFileSync(path.join(o.dir, 'domains.json'), 'utf8')); } catch (e) { /* optional */ }
    try {
        const m = JSON.parse(fs.readFileSync(path.join(o.dir, 'sets', o.domains[0], 'common', 'manifest.json'), 'utf8'));
        meta.docs = m.source_documents;
    } catch (e) { meta.docs = '?'; }
    let label = 'this build';
    try { label = 'spinscan ' + require('child_process').execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch (e) { /* not a git checkout */ }
    let baselines = [];
    try { baselines = JSON.parse(fs.readFileSync(o.baselines, 'utf8')); } catch (e) { /* none yet */ }
    if (o.baseline) {
        label = o.baseline;
        baselines = baselines.filter(b => b.label !== o.baseline);
        baselines.push({ label: o.baseline, date: meta.date, worst: worstRow(r) });
        fs.mkdirSync(path.dirname(o.baselines), { recursive: true });
        fs.writeFileSync(o.baselines, JSON.stringify(baselines, null, 2) + '\n');
    }
    const short = shortTable(r, label, baselines);
    writeAtomic(path.join(o.dir, 'results.json'), JSON.stringify({ label, ...meta, thesauri: o.thesauri,
        domains: o.domains, targets: TARGETS, worst: r.worst, worst_false_positives: r.worstFp, worst_row: worstRow(r),
        false_positives: r.fp, foreign: r.foreign, cells: r.cells },
    (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
    writeAtomic(path.join(o.dir, 'table.txt'), short + '\n');
    const abl = path.join(o.dir, 'ablation.md'); // kept from the last make eval-ablation
    if (fs.existsSync(abl)) meta.ablation = fs.readFileSync(abl, 'utf8').trim();
    if (o.docsMd) {
        fs.mkdirSync(path.dirname(o.docsMd), { recursive: true });
        writeAtomic(o.docsMd, docsMd(o, r, label, short, meta));
    }
    if (o.readme) {
        replaceBlock(o.readme, `Worst cell over fit thesaurus A ≠ spin thesaurus B (Moby, Ding, GCIDE) and domains (${o.domains.join(', ')}),` +
            ` document AUC unless named; \`make eval\` took ${meta.seconds ?? '?'} s wall, ${meta.cpu_seconds ?? '?'} CPU-seconds. Every cell: [docs/eval.md](docs/eval.md).\n\n` + short);
    }
    console.log(short);
}

if (require.main === module) main();
module.exports = { sentenceLabel, readLabels, shortTable, md, worstRow, compute };
