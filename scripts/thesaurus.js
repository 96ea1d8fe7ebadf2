#!/usr/bin/env node
// thesaurus.js - turn the Ding dictionary (Debian trans-de-en) or the GCIDE
// (Debian dict-gcide) into a thesaurus in the format scripts/synth.js and
// scripts/evalgen.js read, the format of Moby's words.txt:
//
//   node scripts/thesaurus.js ding  DE-EN-FILE      OUT-WORDS.txt OUT-POS.txt
//   node scripts/thesaurus.js gcide GCIDE-DICT-FILE OUT-WORDS.txt OUT-POS.txt
//
// WORDS.txt: one line per SENSE, "headword,syn1,syn2,...".  A headword may have
// several lines; its first line is its first sense in the source's order.  A
// reader that ignores senses (synth.js) merges the lines of a headword into one
// list, so Moby (one line per headword, all senses) and these files are read
// the same way.  Headwords and synonyms are lower case, except words with two or more
// capitals (acronyms), which keep the source's case.
// POS.txt: "word<TAB>n,v,adj,adv" (the parts of speech the source gives the
// word anywhere), for the careful spinner of evalgen.js.
//
// Ding (trans-de-en, /usr/share/trans/de-en): each line is "German :: English";
// both sides are cut at " | " into parallel sub-entries, and the English
// alternatives of one sub-entry, separated by "; ", are one sense ("suntan;
// tan"): each alternative is a headword whose synonyms are the others.
// Annotations ({...}, [...], (...)) are removed; a leading "to " marks a verb
// and is dropped.  The German side's markers give the part of speech ({m} {f}
// {n} {pl}: noun, {adj}: adjective, {adv}: adverb, {v} {vt} {vi} {vr}: verb).
// Alternatives must be 1..3 words of letters, hyphens and apostrophes.
//
// GCIDE (dict-gcide, /usr/share/dictd/gcide.dict.dz, unpacked): an entry
// starts at column 0 ("Choice \Choice\, a. ..."); its "Syn:" blocks run to the
// next source tag ("[1913 Webster]", "[WordNet 1.5]", ...) or blank line.
// Every block tagged with a WordNet source is left out, and so is an untagged
// block in an entry that carries any WordNet tag: nothing WordNet-derived
// enters the thesaurus.  A kept block ("Syn. - To fascinate; enchant; ...")
// loses "Syn.", cross references ("See {Volition}.") and markup; numbered
// groups ("1. ...; 2. ...") are senses in their order; items are separated by
// ';' (or ',' when the block has no ';'); a leading "To " marks verbs.  The
// headword and the items of one group form one sense: each of them is a
// headword whose synonyms are the others.  The part of speech comes from the
// entry's head line ("n.", "v. t.", "a.", "adv.").
'use strict';
const fs = require('fs');

const WORD_OK = /^[A-Za-z][A-Za-z'-]*( [A-Za-z][A-Za-z'-]*){0,2}$/;

function clean(s) {
    return s.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ').replace(/\([^)]*\)/g, ' ')
        .replace(/[\u2019]/g, "'").replace(/\s+/g, ' ').trim();
}
const norm = w => (/[A-Z].*[A-Z]/.test(w) ? w : w.toLowerCase()); // acronyms keep their capitals

class Builder {
    constructor() { this.senses = new Map(); this.pos = new Map(); this.order = []; }
    addPos(w, p) {
        if (!p) return;
        const k = w.toLowerCase();
        let s = this.pos.get(k);
        if (!s) this.pos.set(k, s = new Set());
        s.add(p);
    }
    addGroup(words, pos) { // one sense: every member gets the others
        const uniq = [];
        const seen = new Set();
        for (const w of words) {
            const k = w.toLowerCase();
            if (!seen.has(k)) { seen.add(k); uniq.push(w); }
        }
        for (const w of uniq) this.addPos(w, pos);
        if (uniq.length < 2) return;
        for (const w of uniq) {
            const k = w.toLowerCase();
            let l = this.senses.get(k);
            if (!l) { this.senses.set(k, l = []); this.order.push(k); }
            const syns = uniq.filter(x => x.toLowerCase() !== k);
            const key = syns.map(x => x.toLowerCase()).sort().join(',');
            if (!l.some(e => e.key === key)) l.push({ key, syns });
        }
    }
    write(wordsFile, posFile) {
        const lines = [];
        for (const k of [...this.senses.keys()].sort())
            for (const e of this.senses.get(k)) lines.push([k, ...e.syns].join(','));
        fs.writeFileSync(wordsFile + '.tmp', lines.join('\n') + '\n');
        fs.renameSync(wordsFile + '.tmp', wordsFile);
        const pl = [...this.pos.keys()].sort().map(k => k + '\t' + [...this.pos.get(k)].sort().join(','));
        fs.writeFileSync(posFile + '.tmp', pl.join('\n') + '\n');
        fs.renameSync(posFile + '.tmp', posFile);
        return { headwords: this.senses.size, senses: lines.length, pos_words: this.pos.size };
    }
}

function dingPos(de) {
    if (/\{(vt|vi|vr|v)\}/.test(de)) return 'v';
    if (/\{adj\}/.test(de)) return 'adj';
    if (/\{adv\}/.test(de)) return 'adv';
    if (/\{(m|f|n|pl)\}/.test(de)) return 'n';
    return null;
}

function ding(text, b) {
    for (const line of text.split('\n')) {
        if (!line || line[0] === '#') continue;
        const sep = line.indexOf(' :: ');
        if (sep < 0) continue;
        const de = line.slice(0, sep).split(' | '), en = line.slice(sep + 4).split(' | ');
        en.forEach((sub, i) => {
            let pos = dingPos(de[i] || de[0] || '');
            const words = [];
            for (let alt of sub.split(/;\s*/)) {
                alt = clean(alt);
                if (/^to /.test(alt)) { alt = alt.slice(3); if (!pos) pos = 'v'; }
                if (WORD_OK.test(alt)) words.push(norm(alt));
            }
            b.addGroup(words, pos);
        });
    }
}

function gcidePos(head) {
    const m = head.match(/\\[^\\]*\\[^,]*,\s*([a-z. ]+?)(?:[;\[(]|$)/);
    const p = m ? m[1].trim() : '';
    if (/^v\b/.test(p)) return 'v';
    if (/^(a|adj)\b/.test(p)) return 'adj';
    if (/^adv\b/.test(p)) return 'adv';
    if (/^n\b/.test(p)) return 'n';
    return null;
}

function gcideSyn(block) { // the text of a kept Syn block -> [[items of a group], ...]
    let t = block.replace(/^\s*Syn:\s*/, '').replace(/\s+/g, ' ');
    t = t.replace(/^(Syn\.?\s*)?(--?|\u2014)?\s*/, '').replace(/Syn\.\s*(--?)?\s*/g, '');
    t = t.replace(/\bSee\b[^.;]*(\.|$)/g, ' ').replace(/--.*$/, ' ');
    const groups = t.split(/(?:^|\s)\d+\.\s/).filter(g => g.trim());
    return groups.map(g => {
        const sep = g.includes(';') ? ';' : ',';
        return g.replace(/\.\s*$/, '').split(sep).map(x => {
            let v = clean(x.replace(/[{}]/g, '').replace(/\/$/, '')).replace(/\.$/, '');
            return v.replace(/^to /i, '');
        }).filter(v => WORD_OK.test(v)).map(norm);
    });
}

function gcide(text, b, stats) {
    const lines = text.split('\n');
    let entry = [];
    const flush = () => {
        if (!entry.length) return;
        const head = entry[0];
        const m = head.match(/^([^\\]+?)\s*\\/);
        if (!m) { entry = []; return; }
        const headword = m[1].replace(/["*`']/g, '').trim();
        const pos = gcidePos(head);
        const hasWordNet = entry.some(l => /\[[^\]]*WordNet[^\]]*\]/.test(l));
        for (let i = 0; i < entry.length; i++) {
            if (!/^\s+Syn:/.test(entry[i])) continue;
            const blk = [entry[i]];
            let tag = null;
            let j = i;
            for (;;) {
                const tm = entry[j].match(/\[([^\]]*(?:Webster|WordNet|PJC|Century|Source)[^\]]*)\]\s*$/);
                if (tm) { tag = tm[1]; break; }
                if (j + 1 >= entry.length || !entry[j + 1].trim() || /^\s+(Syn|Usage|Note):/.test(entry[j + 1])) break;
                blk.push(entry[++j]);
            }
            stats.blocks++;
            if ((tag && /WordNet/.test(tag)) || (!tag && hasWordNet)) { stats.wordnet++; continue; }
            stats.kept++;
            const text0 = blk.join(' ').replace(/\[[^\]]*\]\s*$/, '');
            const hw = WORD_OK.test(headword) ? headword.toLowerCase() : null;
            for (const g of gcideSyn(text0)) {
                if (hw) b.addGroup([hw, ...g], pos);
                else b.addGroup(g, pos);
            }
        }
        entry = [];
    };
    for (const l of lines) {
        if (l && !/^\s/.test(l)) { flush(); entry = [l]; } else if (entry.length) entry.push(l);
    }
    flush();
}

function main() {
    const [kind, src, outWords, outPos] = process.argv.slice(2);
    if (!outPos || !['ding', 'gcide'].includes(kind)) {
        process.stderr.write('usage: node scripts/thesaurus.js ding|gcide SOURCE OUT-WORDS.txt OUT-POS.txt\n');
        process.exit(2);
    }
    let text;
    try { text = fs.readFileSync(src, 'utf8'); } catch (e) {
        process.stderr.write(`thesaurus.js: ${src}: ${e.message}\n`);
        process.exit(1);
    }
    const b = new Builder();
    const stats = { blocks: 0, wordnet: 0, kept: 0 };
    if (kind === 'ding') ding(text, b); else gcide(text, b, stats);
    const r = b.write(outWords, outPos);
    if (!r.headwords) {
        process.stderr.write(`thesaurus.js: ${src}: no synonyms found; is it a ${kind} file?\n`);
        process.exit(1);
    }
    const extra = kind === 'gcide' ? `; Syn blocks ${stats.blocks}, ${stats.wordnet} WordNet-tagged left out, ${stats.kept} kept` : '';
    process.stderr.write(`thesaurus.js: ${kind}: ${r.headwords} headwords, ${r.senses} sense lines${extra}\n`);
    console.log(JSON.stringify({ ...r, ...(kind === 'gcide' ? { syn_blocks: stats.blocks, wordnet_left_out: stats.wordnet,
        kept: stats.kept } : {}) }));
}

if (require.main === module) main();
module.exports = { gcideSyn, clean };
